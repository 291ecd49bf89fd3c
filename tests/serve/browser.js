// Live reload in headless Chromium: node browser.js URL CONTENT CHROMIUM
// URL is a running `handbook serve` of the folder CONTENT (a copy of
// tests/fixtures/serve with a theme stylesheet of its own). Edits files in
// CONTENT and checks what the open page does: Chromium's EventSource takes
// the event stream, an edit reloads the page where it was scrolled, a
// stylesheet change swaps in without a reload, and a build error shows over
// the page until it is fixed.
"use strict";
const assert = require("assert");
const fs = require("fs");
const path = require("path");
const { chromium } = require("playwright-core");

const [base, content, executablePath] = process.argv.slice(2);
// Long enough never to be hit on a slow machine; only stops a broken test.
const PATIENCE = 60000;

const first = path.join(content, "guide/first.md");
const original = fs.readFileSync(first, "utf8");
const css = path.join(content, "themes/default/static/handbook.css");

(async () => {
  const browser = await chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    // Small, so that the page scrolls.
    const page = await browser.newPage({ viewport: { width: 320, height: 240 } });
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(base + "guide/first.html");

    // Chromium's EventSource takes the stream and its first event.
    const hello = await page.evaluate(
      (patience) =>
        new Promise((resolve, reject) => {
          const events = new EventSource("/__handbook/events");
          events.addEventListener("hello", (e) => {
            events.close();
            resolve(JSON.parse(e.data));
          });
          events.onerror = () => {
            events.close();
            reject(new Error("the event stream failed"));
          };
          setTimeout(() => reject(new Error("no hello event")), patience);
        }),
      PATIENCE
    );
    assert.deepStrictEqual(hello.errors, []);

    // An edit reloads the page, scrolled where it was.
    await page.evaluate(() => window.scrollTo(0, 100));
    const scrolled = await page.evaluate(() => window.scrollY);
    assert.ok(scrolled > 0, "the page scrolls");
    await page.evaluate(() => {
      window.notReloaded = true;
    });
    let loaded = page.waitForEvent("load", { timeout: PATIENCE });
    fs.writeFileSync(first, original.replace("The original", "The edited"));
    await loaded;
    assert.ok((await page.textContent("main")).includes("The edited first page text."));
    assert.strictEqual(await page.evaluate(() => window.notReloaded), undefined);
    await page.waitForFunction((y) => Math.abs(window.scrollY - y) <= 1, scrolled, { timeout: PATIENCE });

    // A stylesheet change swaps in without a reload.
    await page.evaluate(() => {
      window.notReloaded = true;
    });
    fs.writeFileSync(css, "body { color: rgb(1, 2, 3); }\n");
    await page.waitForFunction(() => getComputedStyle(document.body).color === "rgb(1, 2, 3)", null, {
      timeout: PATIENCE,
    });
    assert.strictEqual(await page.evaluate(() => window.notReloaded), true);

    // A build error shows over the page, and goes when it is fixed.
    fs.writeFileSync(first, "---\ntitle: [broken\n---\nBroken.\n");
    const overlay = await page.waitForSelector("[data-handbook-serve-errors]", { timeout: PATIENCE });
    assert.ok((await overlay.textContent()).includes("content/guide/first.md:2:8: error:"));
    loaded = page.waitForEvent("load", { timeout: PATIENCE });
    fs.writeFileSync(first, original.replace("The original", "The fixed"));
    await loaded;
    assert.ok((await page.textContent("main")).includes("The fixed first page text."));
    assert.strictEqual(await page.$("[data-handbook-serve-errors]"), null);

    assert.deepStrictEqual(errors, []);
    console.log("live reload works in Chromium");
  } finally {
    await browser.close();
  }
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
