// Unit tests of the browser script's own parts: node unit.js SITE
// Typo matching, tokenising (compared with the Rust tokeniser's output in
// tokens.json when given), prefix matching and ranking order.
"use strict";
const assert = require("assert");
const fs = require("fs");
const { open } = require("./engine");

const [site, tokensFile] = process.argv.slice(2);
(async () => {
  const { api, engine } = await open(site);
  const { osa, tolerance, tokenise } = api;

  // Typo matching: one edit for 5+ letters, two for 9+; transpositions count once.
  assert.strictEqual(tolerance("dsl"), 0);
  assert.strictEqual(tolerance("worry"), 1);
  assert.strictEqual(tolerance("bereavement"), 2);
  assert.strictEqual(osa("sucide", "suicide", 1), 1);
  assert.strictEqual(osa("anxeity", "anxiety", 1), 1);
  assert.strictEqual(osa("referal", "referral", 1), 1);
  assert.ok(osa("camhs", "cmhs", 0) > 0);
  assert.ok(osa("abcdef", "uvwxyz", 2) > 2);
  const cands = (w, partial) => Array.from(engine.candidates(w, partial).keys());
  assert.ok(cands("bereavment", false).includes("bereav"), "two edits allowed at 9+ letters");
  assert.ok(!cands("dsx", false).includes("dsl"), "no edits below 5 letters");
  assert.ok(cands("anx", true).includes("anxieti"), "prefix while typing");
  assert.ok(!cands("anx", false).includes("anxieti"), "no prefix for a finished short word");
  assert.ok(cands("worries", false).includes("worri"));

  // Tokenising: the same words as the Rust tokeniser.
  if (tokensFile) {
    const cases = JSON.parse(fs.readFileSync(tokensFile, "utf8"));
    for (const [text, words] of cases) {
      const got = tokenise(text, engine.meta.fold).map((t) => (t.joined ? "+" : "") + t.word);
      assert.deepStrictEqual(Array.from(got), words, `tokenising ${JSON.stringify(text)}`);
    }
  }

  // Ranking: a title match beats a passing mention; crisis queries flag the card.
  const top = async (q) => (await engine.search(q)).results.map((r) => r.url.split("#")[0]);
  assert.strictEqual((await top("senco"))[0], "roles/senco.html");
  assert.ok((await engine.search("suiside")).crisis);
  assert.ok(!(await engine.search("exam stress")).crisis);
  assert.strictEqual((await engine.search("   ")).results.length, 0);
  assert.strictEqual((await engine.search("zzzzqqq")).results.length, 0);
  // Snippets: the matched words of a document's text are found.
  const found = await engine.search("exam stress");
  const text = found.results[0].text;
  const marks = engine.highlights(text, found).map(([a, b]) => text.slice(a, b).toLowerCase());
  assert.ok(marks.length > 0 && marks.every((m) => /exam|stress/.test(m)), JSON.stringify(marks));
  console.log("search.js unit tests passed");
})().catch((e) => { console.error(e.message || e); process.exit(1); });
