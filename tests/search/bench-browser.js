// Query time in headless Chromium: node bench-browser.js SITE CHROMIUM QUERY…
// For each query, in a fresh page opened via file://: the time from typing
// the query to the results being shown, first (index files loaded then) and
// again (everything loaded). Prints JSON.
"use strict";
const path = require("path");
const { chromium } = require("playwright-core");

const [site, executablePath, ...queries] = process.argv.slice(2);
(async () => {
  const browser = await chromium.launch({
    executablePath,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
  });
  const out = [];
  try {
    for (const q of queries) {
      const page = await browser.newPage();
      await page.goto("file://" + path.resolve(site, "index.html"));
      await page.focus("#search-q");
      await page.waitForFunction(() => typeof window.HandbookSearch === "object");
      const time = () =>
        page.evaluate((q) => new Promise((resolve) => {
          const input = document.getElementById("search-q");
          const results = document.getElementById("search-results");
          const t0 = performance.now();
          const seen = new MutationObserver(() => { seen.disconnect(); resolve(performance.now() - t0); });
          seen.observe(results, { childList: true, subtree: true, attributes: true });
          input.value = q;
          input.dispatchEvent(new Event("input"));
        }), q);
      const first = await time();
      await page.evaluate(() => { const i = document.getElementById("search-q"); i.value = ""; i.dispatchEvent(new Event("input")); });
      const again = await time();
      out.push({ q, first_ms: +first.toFixed(1), again_ms: +again.toFixed(1) });
      await page.close();
    }
  } finally {
    await browser.close();
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e.message || e); process.exit(1); });
