// Runs queries against a built site: node queries.js SITE QUERIES.json
// Prints one JSON line per query: { q, crisis, urls }.
"use strict";
const fs = require("fs");
const { open } = require("./engine");

const [site, file] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(file, "utf8"));
(async () => {
  for (const q of queries) {
    const { engine } = await open(site);
    const found = await engine.search(q.q);
    console.log(JSON.stringify({ q: q.q, crisis: found.crisis, urls: found.results.map((r) => r.url) }));
  }
})().catch((e) => { console.error(e); process.exit(1); });
