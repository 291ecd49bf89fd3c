// Loads a built site's own search.js and index files into Node, as the
// browser would, without a page: for the query-set test and the benchmark.
"use strict";
const fs = require("fs");
const path = require("path");
const vm = require("vm");

function open(site) {
  const sandbox = { window: {}, console };
  sandbox.globalThis = sandbox;
  vm.createContext(sandbox);
  vm.runInContext(fs.readFileSync(path.join(site, "static/search.js"), "utf8"), sandbox);
  const api = sandbox.window.HandbookSearch;
  const stats = { files: 0, bytes: 0 };
  function load(name) {
    const file = path.join(site, "search", name + ".js");
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch (e) {
      return Promise.resolve(null);
    }
    stats.files += 1;
    stats.bytes += Buffer.byteLength(text);
    let got = null;
    const box = { window: { __handbookSearch: (n, data) => { if (n === name) got = data; } } };
    vm.runInNewContext(text, box);
    return Promise.resolve(got);
  }
  return load("index").then((meta) => ({ api, engine: new api.Engine(meta, load), stats }));
}

module.exports = { open };
