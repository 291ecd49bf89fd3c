// Query cost in a built site: node bench.js SITE QUERY…
// For each query, as a reader's first search would run it: bytes of index
// loaded (entry file included) and the time to answer, then the same query
// again with everything loaded (the time while typing). Prints JSON.
"use strict";
const { open } = require("./engine");

const [site, ...queries] = process.argv.slice(2);
(async () => {
  const out = [];
  for (const q of queries) {
    const t0 = process.hrtime.bigint();
    const { engine, stats } = await open(site);
    const found = await engine.search(q);
    const first = Number(process.hrtime.bigint() - t0) / 1e6;
    const runs = 20;
    const t1 = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) await engine.search(q);
    const warm = Number(process.hrtime.bigint() - t1) / 1e6 / runs;
    out.push({ q, files: stats.files, bytes: stats.bytes, first_ms: +first.toFixed(2), warm_ms: +warm.toFixed(2), results: found.results.length, crisis: found.crisis });
  }
  console.log(JSON.stringify(out));
})().catch((e) => { console.error(e); process.exit(1); });
