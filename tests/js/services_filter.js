// Runs themes/default/static/services.js against a small stand-in for the
// directory page's DOM and checks which cards each filter leaves shown.
// usage: node services_filter.js SERVICES_JS
"use strict";
const fs = require("fs");
const vm = require("vm");
const assert = require("assert");

function element(props) {
  const listeners = {};
  return Object.assign({
    hidden: false,
    dataset: {},
    attrs: {},
    addEventListener(type, fn) { (listeners[type] = listeners[type] || []).push(fn); },
    fire(type, extra) {
      const event = Object.assign({ preventDefault() { event.prevented = true; } }, extra);
      (listeners[type] || []).forEach((fn) => fn.call(this, event));
      return event;
    },
    getAttribute(name) { return this.attrs[name]; },
    setAttribute(name, value) { this.attrs[name] = value; },
    scrollIntoView() {},
  }, props);
}

const card = (id, d) => element({ id, dataset: Object.assign({ category: "", audiences: "", minAge: "", maxAge: "", area: "" }, d) });
const cards = [
  card("childline", { category: "helpline", audiences: "pupils", minAge: "5", maxAge: "18", area: "national" }),
  card("mind", { category: "charity", audiences: "staff parents", area: "national" }),
  card("camhs", { category: "nhs", audiences: "staff parents", minAge: "0", maxAge: "17", area: "westmere" }),
  card("anyone", { category: "local", area: "westmere" }),
];
const group = element({ querySelector: () => (cards.some((c) => !c.hidden) ? cards[0] : null) });
const fields = {};
["category", "audience", "age", "area"].forEach((name) => { fields[name] = element({ name, value: "" }); });
const form = element({ hidden: true, elements: fields });
const status = element({ textContent: "" });
const none = element({ hidden: true });
const browse = element({ attrs: { "data-filter": "audience", "data-value": "parents" } });
const groups = element({
  querySelectorAll: (sel) => (sel === ".service-card" ? cards : [group]),
  scrollIntoView() {},
});
const byId = { "service-filter": form, "service-groups": groups, "service-filter-status": status, "service-none": none };
const document = {
  getElementById: (id) => byId[id] || null,
  querySelectorAll: () => [browse],
  documentElement: { className: "" },
};
let replaced = null;
const context = {
  document,
  location: { search: "?area=westmere", pathname: "/services/index.html" },
  history: { replaceState(_s, _t, url) { replaced = url; } },
  setTimeout: (fn) => fn(),
  parseInt,
  encodeURIComponent,
  decodeURIComponent,
};
vm.runInNewContext(fs.readFileSync(process.argv[2], "utf8"), context);

const shown = () => cards.filter((c) => !c.hidden).map((c) => c.id).join(" ");
assert.strictEqual(form.hidden, false, "the form is shown when the script runs");
assert.ok(document.documentElement.className.includes("js-filter"));
assert.strictEqual(fields.area.value, "westmere", "the query string presets the filter");
assert.strictEqual(shown(), "camhs anyone");
assert.strictEqual(status.textContent, "Showing 2 of 4 services.");

fields.area.value = "";
fields.audience.value = "pupils";
form.fire("change");
assert.strictEqual(shown(), "childline anyone", "no audiences means everyone");
assert.strictEqual(replaced, "?audience=pupils");

fields.audience.value = "";
fields.age.value = "18-120";
form.fire("change");
assert.strictEqual(shown(), "childline mind anyone", "ages overlap the band");

fields.age.value = "";
fields.category.value = "nhs";
form.fire("change");
assert.strictEqual(shown(), "camhs");

const click = browse.fire("click");
assert.ok(click.prevented, "a browse link filters instead of jumping");
assert.strictEqual(fields.audience.value, "parents");
assert.strictEqual(shown(), "camhs");

fields.category.value = "school";
form.fire("change");
assert.strictEqual(shown(), "");
assert.strictEqual(none.hidden, false, "says when nothing matches");
assert.strictEqual(group.hidden, true, "empty groups are hidden");

Object.values(fields).forEach((f) => { f.value = ""; });
form.fire("reset");
assert.strictEqual(shown(), "childline mind camhs anyone");
assert.strictEqual(status.textContent, "Showing all 4 services.");
assert.strictEqual(replaced, "/services/index.html");
console.log("services.js: all filter checks passed");
