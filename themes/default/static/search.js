/* Handbook search: queries the index built with the site (search/index.js
   and, for a large handbook, its shards). Index files are loaded with
   <script> elements so search works from file:// and on any sub-path.
   Text from the index is only ever inserted as text, never as HTML. */
(function (global) {
  "use strict";

  var WORD = /[\p{Alphabetic}\p{N}'-]+/gu;
  var SUFFIXES = [["ies", "y"], ["ied", "y"], ["ing", ""], ["ing", "e"], ["ed", ""], ["ed", "e"], ["es", ""], ["s", ""], ["ly", ""], ["er", ""]];
  var MAX_RESULTS = 10;

  function foldText(text, table) {
    var out = "";
    for (var ch of text.toLowerCase()) out += Object.prototype.hasOwnProperty.call(table, ch) ? table[ch] : ch;
    return out;
  }

  /* The same steps as the index builder (src/render/search/tokenise.rs). */
  function tokenise(text, table) {
    var out = [];
    var runs = foldText(text, table).match(WORD) || [];
    for (var run of runs) {
      run = run.replace(/^['-]+|['-]+$/g, "");
      if (!run) continue;
      if (run.endsWith("'s")) run = run.slice(0, -2);
      run = run.replace(/'/g, "");
      var parts = run.split("-").filter(Boolean);
      for (var p of parts) out.push({ word: p, joined: false });
      if (parts.length > 1) out.push({ word: parts.join(""), joined: true });
    }
    return out;
  }

  /* Edit distance with adjacent transpositions, giving up above `max`. */
  function osa(a, b, max) {
    if (Math.abs(a.length - b.length) > max) return max + 1;
    var prev2 = null, prev = [], cur, i, j;
    for (j = 0; j <= b.length; j++) prev[j] = j;
    for (i = 1; i <= a.length; i++) {
      cur = [i];
      var best = i;
      for (j = 1; j <= b.length; j++) {
        var cost = a[i - 1] === b[j - 1] ? 0 : 1;
        var v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
        if (prev2 && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
        cur[j] = v;
        if (v < best) best = v;
      }
      if (best > max) return max + 1;
      prev2 = prev;
      prev = cur;
    }
    return prev[b.length];
  }

  /* Edits allowed for a word of this length: none below 5 letters. */
  function tolerance(word) {
    return word.length >= 9 ? 2 : word.length >= 5 ? 1 : 0;
  }

  function Engine(meta, load) {
    this.meta = meta;
    this.load = load;
    this.fold = meta.fold;
    this.stop = new Set(meta.stop);
    this.keys = meta.shards.slice().sort(function (a, b) { return b.length - a.length; });
    this.shards = {};
    this.docs = {};
    this.chunks = {};
    this.inline = !!meta.inline;
    if (meta.inline) {
      this.shards = meta.inline.shards;
      this.docs = meta.inline.docs;
    }
  }

  /* The shard key for a word: the longest key that starts it. */
  Engine.prototype.keyFor = function (word) {
    if (this.inline) return "";
    if (word.charAt(0) === "~") return this.keys.indexOf(word) >= 0 ? word : null;
    for (var k of this.keys) if (word.startsWith(k)) return k;
    return null;
  };

  Engine.prototype.keysForPrefix = function (word) {
    if (this.inline) return [""];
    var out = [];
    var own = this.keyFor(word);
    if (own !== null) out.push(own);
    // A word being typed may stand for words in the shards under it; a short
    // one would load too many, so those wait for another letter.
    if (word.length < 3) return out;
    for (var k of this.keys) if (k.charAt(0) !== "~" && k.length > word.length && k.startsWith(word) && out.length < 4) out.push(k);
    return out;
  };

  Engine.prototype.fileFor = function (key) {
    var out = "";
    for (var ch of key) out += /[a-z0-9]/.test(ch) ? ch : "_" + ch.codePointAt(0).toString(16) + "_";
    return "t/" + out;
  };

  Engine.prototype.ensureShards = function (keys) {
    var self = this;
    var wanted = keys.filter(function (k) { return k !== null && !self.shards[k]; });
    return Promise.all(wanted.map(function (k) {
      return self.load(self.fileFor(k)).then(function (data) { self.shards[k] = data || { forms: {}, post: {} }; });
    }));
  };

  Engine.prototype.ensureDocs = function (ids) {
    var self = this;
    if (this.inline) return Promise.resolve();
    var chunks = [];
    ids.forEach(function (id) {
      var c = Math.floor(id / self.meta.docsPerChunk);
      if (!self.chunks[c] && chunks.indexOf(c) < 0) chunks.push(c);
    });
    return Promise.all(chunks.map(function (c) {
      return self.load("d/" + c).then(function (data) {
        self.chunks[c] = true;
        if (data) for (var id in data) self.docs[id] = data[id];
      });
    }));
  };

  /* The stem of a word found in the loaded shards, or null. */
  Engine.prototype.stemOf = function (word) {
    var shard = this.shards[this.keyFor(word)];
    if (!shard) return null;
    if (Object.prototype.hasOwnProperty.call(shard.post, word)) return word;
    if (Object.prototype.hasOwnProperty.call(shard.forms, word)) return shard.forms[word];
    return null;
  };

  /* Index terms a query word may stand for, each with how sure the match is. */
  Engine.prototype.candidates = function (word, partial) {
    var out = new Map();
    function add(term, f) { if (!out.has(term) || out.get(term) < f) out.set(term, f); }
    var stem = this.stemOf(word);
    if (stem !== null) add(stem, 1);
    if (stem === null) {
      for (var s of SUFFIXES) {
        if (word.endsWith(s[0]) && word.length - s[0].length >= 3) {
          var base = this.stemOf(word.slice(0, word.length - s[0].length) + s[1]);
          if (base !== null) add(base, 0.9);
        }
      }
    }
    var self = this;
    var keys = partial || out.size === 0 ? this.keysForPrefix(word) : [];
    if ((partial && word.length >= 2) || (out.size === 0 && word.length >= 4)) {
      var found = [];
      keys.forEach(function (k) {
        var shard = self.shards[k];
        if (!shard) return;
        for (var f in shard.forms) if (f.length > word.length && f.startsWith(word)) found.push([f, shard.forms[f]]);
        for (var p in shard.post) if (p.length > word.length && p.startsWith(word)) found.push([p, p]);
      });
      found.sort(function (a, b) { return a[0].length - b[0].length || (a[0] < b[0] ? -1 : 1); });
      found.slice(0, 40).forEach(function (f) { add(f[1], 0.75); });
    }
    var max = tolerance(word);
    if (stem === null && max > 0) {
      var shard = this.shards[this.keyFor(word)];
      if (shard) {
        var check = function (k, term) {
          if (Math.abs(k.length - word.length) > max) return;
          var d = osa(word, k, max);
          if (d <= max) add(term, d === 1 ? 0.7 : 0.5);
        };
        for (var f2 in shard.forms) check(f2, shard.forms[f2]);
        for (var p2 in shard.post) check(p2, p2);
      }
    }
    return out;
  };

  /* Whether a query token stands for a word of a phrase ([surface, stem]). */
  function tokenMatches(tok, word) {
    var surface = word[0];
    if (tok.word === surface) return true;
    if (tok.cands && tok.cands.has(word[1]) && tok.cands.get(word[1]) >= 0.7) return true;
    var max = tolerance(tok.word);
    if (max > 0 && surface.length >= 4 && osa(tok.word, surface, max) <= max) return true;
    if (tok.partial && tok.word.length >= 4 && surface.startsWith(tok.word)) return true;
    return false;
  }

  /* Which query tokens a phrase matches, or null: every word by some token,
     or the whole phrase written as one word. */
  function phraseMatch(phrase, toks) {
    var joined = phrase.map(function (w) { return w[0]; }).join("");
    if (phrase.length > 1) {
      for (var t of toks) if (tokenMatches(t, [joined, ""])) return [t];
    }
    var used = [];
    for (var w of phrase) {
      var hit = null;
      for (var t2 of toks) if (tokenMatches(t2, w)) { hit = t2; break; }
      if (!hit) return null;
      used.push(hit);
    }
    return used;
  }

  function postings(engine, term) {
    var shard = engine.shards[engine.keyFor(term)];
    return shard && Object.prototype.hasOwnProperty.call(shard.post, term) ? shard.post[term] : null;
  }

  /* Runs a query: { crisis, results: [{id, url, title, section, audience, text, kind}], marks } */
  Engine.prototype.search = function (query) {
    var self = this;
    var partial = !/\s$/.test(query);
    var toks = tokenise(query, this.fold);
    var plain = toks.filter(function (t) { return !t.joined; });
    var extras = toks.filter(function (t) { return t.joined; });
    for (var i = 0; i + 1 < plain.length; i++) extras.push({ word: plain[i].word + plain[i + 1].word, joined: true, bigram: true });
    if (plain.length) plain[plain.length - 1].partial = partial;
    var words = plain.filter(function (t) { return !self.stop.has(t.word); });
    if (!words.length) words = plain;
    var all = plain.concat(extras);
    var keys = [];
    all.forEach(function (t) {
      if (t.partial || !self.stop.has(t.word)) (t.partial ? self.keysForPrefix(t.word) : [self.keyFor(t.word)]).forEach(function (k) { keys.push(k); });
      else keys.push(self.keyFor(t.word));
    });
    return this.ensureShards(keys).then(function () {
      all.forEach(function (t) { t.cands = self.candidates(t.word, !!t.partial); });
      var crisis = self.meta.crisis.some(function (p) { return phraseMatch(p, all) !== null; });
      var groups = [];
      self.meta.groups.forEach(function (members, g) {
        var covered = null;
        members.forEach(function (m) { var hit = phraseMatch(m, all); if (hit && !covered) covered = hit; });
        if (covered) groups.push({ term: "~" + g, covers: covered, members: members });
      });
      return self.ensureShards(groups.map(function (g) { return self.keyFor(g.term); })).then(function () {
        return self.rank(words, extras, groups, crisis);
      });
    });
  };

  Engine.prototype.rank = function (words, extras, groups, crisis) {
    var self = this;
    var total = new Map();
    var covered = new Map();
    var marks = new Set();
    function unit(cands, bit) {
      var best = new Map();
      cands.forEach(function (f, term) {
        var list = postings(self, term);
        if (!list) return;
        marks.add(term);
        var doc = 0;
        for (var i = 0; i < list.length; i += 2) {
          doc += list[i];
          var v = f * list[i + 1];
          if (!(best.get(doc) >= v)) best.set(doc, v);
        }
      });
      best.forEach(function (v, doc) {
        total.set(doc, (total.get(doc) || 0) + v);
        if (bit) covered.set(doc, (covered.get(doc) || 0) | bit);
      });
      return best;
    }
    extras.forEach(function (t) {
      var c = new Map();
      var s = self.stemOf(t.word);
      if (s !== null) c.set(s, t.bigram ? 0.8 : 1);
      unit(c, 0);
    });
    var joint = [];
    groups.forEach(function (g) {
      g.members.forEach(function (m) { m.forEach(function (w) { marks.add(w[1]); }); });
      // A group one query word stands for is one more reading of that word;
      // a group several words make up scores on its own.
      if (g.covers.length === 1 && words.indexOf(g.covers[0]) >= 0) g.covers[0].cands.set(g.term, 1);
      else joint.push(g);
    });
    words.forEach(function (t, i) { t.bit = 1 << Math.min(i, 30); unit(t.cands, t.bit); });
    joint.forEach(function (g) {
      var bits = 0;
      g.covers.forEach(function (t) { bits |= t.bit || 0; });
      unit(new Map([[g.term, 1]]), bits);
    });
    var n = words.length;
    var spp = this.meta.sectionsPerPage;
    var pages = new Map();
    total.forEach(function (score, doc) {
      var bits = covered.get(doc) || 0, count = 0;
      while (bits) { count += bits & 1; bits >>>= 1; }
      var ratio = (Math.min(count, n) + 0.5) / (n + 0.5);
      var s = score * ratio * ratio;
      var page = Math.floor(doc / spp);
      var cur = pages.get(page);
      if (!cur || cur.score < s || (cur.score === s && doc < cur.doc)) pages.set(page, { doc: doc, score: s });
    });
    var ranked = Array.from(pages.values()).sort(function (a, b) { return b.score - a.score || a.doc - b.doc; }).slice(0, MAX_RESULTS);
    var ids = ranked.map(function (r) { return r.doc; });
    return this.ensureDocs(ids).then(function () {
      var results = [];
      ranked.forEach(function (r) {
        var d = self.docs[r.doc];
        if (d) results.push({ id: r.doc, score: r.score, url: d[0], title: d[1], section: d[2], audience: d[3], text: d[4], kind: d[5] });
      });
      return { crisis: crisis, results: results, marks: marks, words: words.map(function (t) { return t.word; }) };
    });
  };

  /* Where in `text` the matched words are: [[start, end], …]. */
  Engine.prototype.highlights = function (text, found) {
    // A regex of its own: tokenise() resets WORD's lastIndex.
    var out = [], m, words = new RegExp(WORD.source, "gu");
    while ((m = words.exec(text)) !== null) {
      var toks = tokenise(m[0], this.fold);
      for (var t of toks) {
        var stem = this.stemOf(t.word);
        var hit = (stem !== null && found.marks.has(stem)) || found.words.some(function (w) { return w.length >= 3 && t.word.startsWith(w); });
        if (hit) { out.push([m.index, m.index + m[0].length]); break; }
      }
    }
    return out;
  };

  var api = { Engine: Engine, tokenise: tokenise, foldText: foldText, osa: osa, tolerance: tolerance };
  global.HandbookSearch = api;
  if (typeof document === "undefined") return;

  /* ---- In the page ---- */
  var form = document.getElementById("site-search");
  var input = document.getElementById("search-q");
  var box = document.getElementById("search-results");
  var list = document.getElementById("search-listbox");
  var status = document.getElementById("search-status");
  if (!form || !input || !box || !list || !status) return;
  var root = form.getAttribute("data-root") || "";
  var pending = {};

  global.__handbookSearch = function (name, data) {
    var waiters = pending[name];
    delete pending[name];
    if (waiters) waiters.forEach(function (w) { w(data); });
  };

  function load(name) {
    return new Promise(function (resolve) {
      if (pending[name]) { pending[name].push(resolve); return; }
      pending[name] = [resolve];
      var s = document.createElement("script");
      s.src = root + "search/" + name + ".js";
      s.async = true;
      s.onerror = function () { global.__handbookSearch(name, null); };
      s.onload = function () { s.remove(); };
      document.head.appendChild(s);
    });
  }

  var engine = null;
  var ready = load("index").then(function (meta) {
    if (meta) engine = new Engine(meta, load);
    else status.textContent = "Search is not available. Use the A to Z page instead.";
  });
  var active = -1;
  var seq = 0;
  var statusTimer = null;

  function href(url) {
    if (!url || url.charAt(0) === "#") return url || "#urgent-help";
    return root + url;
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.appendChild(document.createTextNode(text));
    return e;
  }

  function snippet(text, found) {
    var span = el("span", "search-snippet");
    var hits = engine.highlights(text, found);
    var start = 0;
    if (hits.length && hits[0][0] > 60) {
      start = text.lastIndexOf(" ", hits[0][0] - 50);
      start = start < 0 ? 0 : start + 1;
    }
    var end = Math.min(text.length, start + 200);
    if (end < text.length) { var sp = text.lastIndexOf(" ", end); if (sp > start) end = sp; }
    var pos = start;
    if (start > 0) span.appendChild(document.createTextNode("… "));
    hits.forEach(function (h) {
      if (h[0] < pos || h[1] > end) return;
      span.appendChild(document.createTextNode(text.slice(pos, h[0])));
      span.appendChild(el("mark", null, text.slice(h[0], h[1])));
      pos = h[1];
    });
    span.appendChild(document.createTextNode(text.slice(pos, end)));
    if (end < text.length) span.appendChild(document.createTextNode(" …"));
    return span;
  }

  function urgentCard() {
    var u = engine.meta.urgent;
    var card = el("div", "search-urgent");
    card.setAttribute("data-urgent", "");
    card.setAttribute("role", "group");
    card.setAttribute("aria-label", u.title);
    var title = el("a", "search-urgent-title", u.title);
    title.href = "#urgent-help";
    title.setAttribute("data-urgent", "");
    card.appendChild(title);
    card.appendChild(el("p", null, u.text));
    var ul = el("ul");
    u.services.forEach(function (s) {
      var li = el("li");
      li.appendChild(el("span", "search-urgent-name", s.name));
      s.contacts.forEach(function (c) {
        var a = el("a", "search-call", c.label + " " + c.value);
        a.href = c.href;
        a.setAttribute("data-urgent", "");
        li.appendChild(document.createTextNode(" "));
        li.appendChild(a);
      });
      ul.appendChild(li);
    });
    card.appendChild(ul);
    return card;
  }

  function setActive(i) {
    var opts = list.querySelectorAll("[role=option]");
    if (active >= 0 && opts[active]) opts[active].setAttribute("aria-selected", "false");
    active = opts.length ? (i + opts.length) % opts.length : -1;
    if (active >= 0) {
      opts[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    } else input.removeAttribute("aria-activedescendant");
  }

  function open(yes) {
    box.hidden = !yes;
    input.setAttribute("aria-expanded", yes ? "true" : "false");
    if (!yes) { setActive(-1); active = -1; }
  }

  function announce(text) {
    clearTimeout(statusTimer);
    statusTimer = setTimeout(function () { status.textContent = text; }, 400);
  }

  function render(found, query) {
    var old = box.querySelector(".search-urgent");
    if (old) old.remove();
    list.textContent = "";
    active = -1;
    input.removeAttribute("aria-activedescendant");
    if (found.crisis) box.insertBefore(urgentCard(), list);
    found.results.forEach(function (r, i) {
      var a = el("a", "search-result");
      a.href = href(r.url);
      a.id = "search-opt-" + i;
      a.setAttribute("role", "option");
      a.setAttribute("aria-selected", "false");
      a.tabIndex = -1;
      a.appendChild(el("span", "search-title", r.title));
      var where = r.kind === 1 ? r.section : r.section ? "Section: " + r.section : "";
      if (where) a.appendChild(el("span", "search-section", where));
      if (r.text) a.appendChild(snippet(r.text, found));
      if (r.audience) a.appendChild(el("span", "search-audience", "For: " + r.audience));
      list.appendChild(a);
    });
    var n = found.results.length;
    var msg = (n === 0 ? "No results" : n === 1 ? "1 result" : n + " results") + " for " + query.trim() + ".";
    if (found.crisis) msg = "Urgent help is shown first: if someone is in danger, call 999. " + msg;
    open(found.crisis || n > 0);
    announce(msg);
  }

  function run() {
    var query = input.value;
    var mine = ++seq;
    if (!query.trim()) { open(false); list.textContent = ""; announce(""); return; }
    ready.then(function () {
      if (!engine || mine !== seq) return null;
      return engine.search(query);
    }).then(function (found) {
      if (found && mine === seq) render(found, query);
    });
  }

  input.addEventListener("input", run);
  input.addEventListener("keydown", function (e) {
    var count = list.querySelectorAll("[role=option]").length;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!count) return;
      e.preventDefault();
      if (box.hidden) open(true);
      setActive(e.key === "ArrowDown" ? active + 1 : active < 0 ? count - 1 : active - 1);
    } else if (e.key === "Enter") {
      var opts = list.querySelectorAll("[role=option]");
      var target = active >= 0 ? opts[active] : !box.hidden ? opts[0] : null;
      if (target) { e.preventDefault(); global.location.href = target.href; }
    } else if (e.key === "Escape") {
      if (!box.hidden) { e.preventDefault(); open(false); }
      else if (input.value) { e.preventDefault(); input.value = ""; run(); }
    }
  });
  form.addEventListener("focusout", function () {
    setTimeout(function () { if (!form.contains(document.activeElement)) open(false); }, 0);
  });
  input.addEventListener("focus", function () { if (input.value.trim() && list.childNodes.length) open(true); });

  var params = /[?&]q=([^&#]*)/.exec(global.location.search);
  if (params && !input.value) {
    try { input.value = decodeURIComponent(params[1].replace(/\+/g, " ")); } catch (err) { input.value = ""; }
  }
  if (input.value) run();
})(typeof window !== "undefined" ? window : globalThis);
