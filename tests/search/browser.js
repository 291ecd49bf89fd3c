// The search box in headless Chromium: node browser.js SITE CHROMIUM
// Opens the built site via file://, types queries and reads #search-results.
"use strict";
const assert = require("assert");
const path = require("path");
const { chromium } = require("playwright-core");

const [site, executablePath] = process.argv.slice(2);
const url = (rel) => "file://" + path.resolve(site, rel);

(async () => {
  const browser = await chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (e) => errors.push(e.message));
    await page.goto(url("parents/exam-stress.html"));

    // The search box is the first search input; its script waits for focus.
    assert.strictEqual(await page.evaluate(() => document.querySelector("input[type=search]").id), "search-q");
    assert.strictEqual(await page.evaluate(() => typeof window.HandbookSearch), "undefined");

    async function search(q) {
      await page.fill("#search-q", "");
      await page.focus("#search-q");
      await page.keyboard.type(q, { delay: 15 });
      await page.waitForFunction(
        (q) => document.getElementById("search-status").textContent.includes("for " + q.trim() + "."),
        q,
        { timeout: 10000 }
      );
      return page.evaluate(() =>
        Array.from(document.querySelectorAll("#search-results a")).map((a) => ({
          href: a.getAttribute("href"),
          urgent: a.hasAttribute("data-urgent"),
          text: a.textContent,
          marks: Array.from(a.querySelectorAll("mark")).map((m) => m.textContent),
        }))
      );
    }
    const pagesOf = (links) => links.filter((l) => !l.urgent).map((l) => l.href.split("#")[0]);

    const camhs = await search("camhs referal");
    // Links are relative to the page (this one is in parents/).
    assert.ok(pagesOf(camhs).slice(0, 3).includes("../parents/after-a-referral.html"), JSON.stringify(pagesOf(camhs)));
    assert.ok(!camhs.some((l) => l.urgent), "no urgent card for an ordinary query");
    assert.ok(camhs.some((l) => l.marks.length > 0), "matched words are marked");
    assert.ok(await page.evaluate(() => typeof window.HandbookSearch === "object"), "the script loaded on focus");
    assert.strictEqual(await page.getAttribute("#search-q", "aria-expanded"), "true");

    // Keyboard: arrows choose an option, Escape closes, Enter follows.
    await page.keyboard.press("ArrowDown");
    assert.strictEqual(await page.getAttribute("#search-q", "aria-activedescendant"), "search-opt-0");
    assert.strictEqual(await page.getAttribute("#search-opt-0", "aria-selected"), "true");
    await page.keyboard.press("ArrowDown");
    assert.strictEqual(await page.getAttribute("#search-q", "aria-activedescendant"), "search-opt-1");
    await page.keyboard.press("ArrowUp");
    assert.strictEqual(await page.getAttribute("#search-q", "aria-activedescendant"), "search-opt-0");
    await page.keyboard.press("Escape");
    assert.strictEqual(await page.getAttribute("#search-q", "aria-expanded"), "false");
    assert.ok(await page.evaluate(() => document.getElementById("search-results").hidden));

    const crisis = await search("sucide");
    assert.ok(crisis[0].urgent, "the urgent-help card comes first: " + JSON.stringify(crisis[0]));
    assert.ok(crisis.some((l) => l.urgent && l.href === "tel:999"), "tap to call 999");
    const firstPage = crisis.findIndex((l) => !l.urgent);
    assert.ok(crisis.slice(0, firstPage).every((l) => l.urgent));
    assert.ok(pagesOf(crisis).slice(0, 3).some((h) => h.endsWith("suicidal-thoughts.html")), JSON.stringify(pagesOf(crisis)));
    const status = await page.textContent("#search-status");
    assert.ok(/urgent help/i.test(status) && /\d+ results?/.test(status), status);

    const kill = await search("kill my self");
    assert.ok(kill[0].urgent, "kill my self");

    // Enter follows the chosen result, relative to this page.
    await search("senco");
    await page.keyboard.press("ArrowDown");
    await Promise.all([page.waitForNavigation(), page.keyboard.press("Enter")]);
    assert.ok(page.url().endsWith("/roles/senco.html"), page.url());

    // From the site root too, and the A to Z page runs the query it was given.
    await page.goto(url("search.html") + "?q=exam+stress");
    await page.waitForSelector("#search-results a[role=option]", { timeout: 10000 });
    const fromAz = await page.evaluate(() => Array.from(document.querySelectorAll("#search-results a")).map((a) => a.getAttribute("href")));
    assert.ok(fromAz.slice(0, 3).some((h) => h.startsWith("parents/exam-stress.html")), JSON.stringify(fromAz));

    assert.deepStrictEqual(errors, []);
    console.log("browser search test passed");
  } finally {
    await browser.close();
  }
})().catch((e) => { console.error(e.message || e); process.exit(1); });
