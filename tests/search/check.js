// The query-set test: node check.js SITE QUERIES.json — every query's
// expected page is in its top three results (any section of the page), and
// crisis queries put the urgent-help card first. Prints failures; exit 1 if any.
"use strict";
const fs = require("fs");
const { open } = require("./engine");

const [site, file] = process.argv.slice(2);
const queries = JSON.parse(fs.readFileSync(file, "utf8"));
(async () => {
  const { engine } = await open(site);
  let failed = 0;
  for (const q of queries) {
    const found = await engine.search(q.q);
    const pages = found.results.map((r) => r.url.split("#")[0]);
    const problems = [];
    const wanted = q.top3 === undefined ? [] : [].concat(q.top3);
    if (wanted.length && !wanted.some((w) => pages.slice(0, 3).includes(w))) problems.push(`expected ${wanted.join(" or ")} in the top 3`);
    if (q.crisis === true && !found.crisis) problems.push("expected the urgent-help card");
    if (q.crisis !== true && found.crisis) problems.push("did not expect the urgent-help card");
    if (problems.length) {
      failed += 1;
      console.log(`FAIL ${JSON.stringify(q.q)} (${q.who}): ${problems.join("; ")}; got ${pages.slice(0, 5).join(", ")}`);
    }
  }
  console.log(`${queries.length - failed}/${queries.length} queries passed`);
  process.exit(failed ? 1 : 0);
})().catch((e) => { console.error(e); process.exit(2); });
