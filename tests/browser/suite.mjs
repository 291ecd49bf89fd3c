#!/usr/bin/env node
// Real-browser checks for a built handbook site.
//
//   node tests/browser/suite.mjs --public PUBLIC_DIR --staff STAFF_DIR --shots OUT_DIR [--only a,b]
//
// PUBLIC_DIR and STAFF_DIR are the two editions of a built site (plain static
// HTML, relative links only). Every failure is printed as one line
//   FAIL <check> <edition>/<page>: <details>
// and the run ends with the line `N passed, M failed` (one count per check and
// page). The exit code is 1 when anything failed, 2 on bad arguments.
//
// Phases (names usable with --only): axe, motion, keyboard, operate, viewport, file,
// subpath, print, shots.
//
// Uses the system Chromium (/usr/bin/chromium, or $HANDBOOK_CHROMIUM); it
// never downloads a browser. One browser, at most two contexts at a time.

import { chromium } from 'playwright-core';
import { createRequire } from 'node:module';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL, fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

// ---------------------------------------------------------------- settings

const CHROMIUM = process.env.HANDBOOK_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];
// Urgent-help numbers that must survive into the printed handbook. The tel:
// links on the public home page are added to these.
const URGENT_NUMBERS = ['999', '0800 1111'];
const SUBPATH = '/some/deep/path/';
const CONCURRENCY = 2; // browser contexts at once
const MAX_TABS = 60;
const NAV_TIMEOUT_MS = 30_000;
const ACTION_TIMEOUT_MS = 20_000;
const SUITE_TIMEOUT_MS = 30 * 60_000;
const DESKTOP = { width: 1280, height: 800 };
const PHONE_WIDTH = 320;
const SHOT_WIDTHS = [
  { width: 320, height: 640 },
  { width: 768, height: 1024 },
  { width: 1280, height: 800 },
];
const PHASES = ['axe', 'motion', 'keyboard', 'operate', 'viewport', 'file', 'subpath', 'print', 'shots'];

// ---------------------------------------------------------------- results

let passed = 0;
let failed = 0;

const oneLine = (s) => String(s).replace(/\s+/g, ' ').trim();
const clip = (s, n = 300) => (s.length > n ? s.slice(0, n - 1) + '…' : s);

/** Count one check on one page (or one global check); print a line per problem. */
function record(check, where, problems) {
  const list = [...new Set(problems.filter(Boolean).map(oneLine))];
  if (list.length === 0) {
    passed++;
    return;
  }
  failed++;
  const shown = list.slice(0, 15);
  for (const p of shown) console.log(`FAIL ${check} ${where}: ${clip(oneLine(p), 600)}`);
  if (list.length > shown.length) {
    console.log(`FAIL ${check} ${where}: … and ${list.length - shown.length} more`);
  }
}

function note(msg) {
  console.log(`note: ${msg}`);
}

function finish(extraFailure) {
  if (extraFailure) record('suite', '-', [extraFailure]);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 ? 1 : 0);
}

// ---------------------------------------------------------------- arguments

function usage(msg) {
  if (msg) console.error(`suite.mjs: ${msg}`);
  console.error(
    'usage: node tests/browser/suite.mjs --public PUBLIC_DIR --staff STAFF_DIR --shots OUT_DIR [--only ' +
      PHASES.join(',') +
      ']',
  );
  process.exit(2);
}

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const m = /^--(public|staff|shots|only)(?:=(.*))?$/.exec(a);
    if (!m) usage(`unknown argument ${a}`);
    const v = m[2] !== undefined ? m[2] : argv[++i];
    if (v === undefined) usage(`${a} needs a value`);
    out[m[1]] = v;
  }
  for (const k of ['public', 'staff', 'shots']) if (!out[k]) usage(`--${k} is required`);
  for (const k of ['public', 'staff']) {
    out[k] = path.resolve(out[k]);
    if (!fs.existsSync(path.join(out[k], 'index.html'))) usage(`--${k} ${out[k]} has no index.html`);
  }
  out.shots = path.resolve(out.shots);
  out.only = out.only ? out.only.split(',').map((s) => s.trim()) : PHASES;
  for (const p of out.only) if (!PHASES.includes(p)) usage(`unknown phase ${p}`);
  return out;
}

// ---------------------------------------------------------------- site files

function listPages(root) {
  const pages = [];
  const walk = (dir, rel) => {
    for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
      if (ent.name.startsWith('.') || ent.name === 'node_modules') continue;
      const r = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(path.join(dir, ent.name), r);
      else if (ent.isFile() && ent.name.endsWith('.html')) pages.push(r);
    }
  };
  walk(root, '');
  return pages.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

const readText = (file) => fs.readFileSync(file, 'utf8');

// ---------------------------------------------------------------- local server

const MIME = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.pdf': 'application/pdf',
  '.webmanifest': 'application/manifest+json',
};

/**
 * Serve several directories under URL prefixes (plus single `files`, cached);
 * anything else is a 404.
 */
async function startServer(mounts, files = {}) {
  const server = http.createServer((req, res) => {
    const send = (status, body, headers = {}) => {
      res.writeHead(status, { 'cache-control': 'no-store', ...headers });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    let pathname;
    try {
      pathname = decodeURIComponent(new URL(req.url, 'http://x').pathname);
    } catch {
      return send(400, 'bad request');
    }
    if (files[pathname]) {
      return send(200, fs.readFileSync(files[pathname]), {
        'content-type': MIME[path.extname(files[pathname])] || 'application/octet-stream',
        'cache-control': 'public, max-age=86400',
      });
    }
    const prefix = Object.keys(mounts).find((p) => pathname.startsWith(p));
    if (!prefix) return send(404, 'not found (outside the served prefixes)');
    const root = mounts[prefix];
    const file = path.resolve(root, '.' + path.posix.sep + pathname.slice(prefix.length));
    if (file !== root && !file.startsWith(root + path.sep)) return send(404, 'not found');
    let st;
    try {
      st = fs.statSync(file);
    } catch {
      return send(404, 'not found');
    }
    let target = file;
    if (st.isDirectory()) {
      if (!pathname.endsWith('/')) {
        const u = new URL(req.url, 'http://x');
        return send(301, '', { location: u.pathname + '/' + u.search });
      }
      target = path.join(file, 'index.html');
      if (!fs.existsSync(target)) return send(404, 'not found');
    }
    const type = MIME[path.extname(target).toLowerCase()] || 'application/octet-stream';
    send(200, fs.readFileSync(target), { 'content-type': type });
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, close: () => new Promise((r) => server.close(r)) };
}

// ---------------------------------------------------------------- in-page helpers

// Installed into every page with addInitScript (runs before the site's own
// scripts, regardless of any Content-Security-Policy).
function installHelpers() {
  const hb = {};
  hb.sel = (el) => {
    if (!el || el.nodeType !== 1) return String(el);
    const parts = [];
    let cur = el;
    while (cur && cur.nodeType === 1 && parts.length < 4) {
      let p = cur.localName;
      if (cur.id) {
        parts.unshift(`${p}#${CSS.escape(cur.id)}`);
        break;
      }
      p += [...cur.classList]
        .slice(0, 2)
        .map((c) => '.' + CSS.escape(c))
        .join('');
      const parent = cur.parentElement;
      if (parent) {
        const same = [...parent.children].filter((c) => c.localName === cur.localName);
        if (same.length > 1) p += `:nth-of-type(${same.indexOf(cur) + 1})`;
      }
      parts.unshift(p);
      if (cur.localName === 'body') break;
      cur = parent;
    }
    return parts.join(' > ');
  };
  hb.shown = (el) =>
    typeof el.checkVisibility === 'function'
      ? el.checkVisibility({ visibilityProperty: true, opacityProperty: true, contentVisibilityAuto: true })
      : el.getClientRects().length > 0;
  hb.frames = (n = 2) =>
    new Promise((resolve) => {
      let left = n;
      const timer = setTimeout(resolve, 60 * n + 40); // rAF may be throttled
      const step = () => {
        if (--left <= 0) {
          clearTimeout(timer);
          resolve();
        } else requestAnimationFrame(step);
      };
      requestAnimationFrame(step);
    });
  hb.settleScroll = async (maxMs = 1500) => {
    const t0 = performance.now();
    const pos = () => {
      let s = `${scrollX},${scrollY}`;
      const a = document.activeElement;
      for (let e = a && a.parentElement; e; e = e.parentElement) s += `,${e.scrollTop},${e.scrollLeft}`;
      return s;
    };
    await hb.frames(2);
    let last = pos();
    while (performance.now() - t0 < maxMs) {
      await hb.frames(3);
      const now = pos();
      if (now === last) return;
      last = now;
    }
  };
  // Wait for finite animations/transitions (on `root`'s subtree, or the
  // whole document) to end; infinite ones are left alone.
  hb.settleAnimations = async (root, maxMs = 1500) => {
    const all = root && root !== document ? root.getAnimations({ subtree: true }) : document.getAnimations();
    const finite = all.filter((a) => {
      const t = a.effect && a.effect.getComputedTiming();
      return t && Number.isFinite(t.endTime) && (a.playState === 'running' || a.pending);
    });
    if (!finite.length) return;
    await Promise.race([
      Promise.all(finite.map((a) => a.finished.catch(() => {}))),
      new Promise((r) => setTimeout(r, maxMs)),
    ]);
  };
  hb.settle = async () => {
    if (document.fonts && document.fonts.ready) await document.fonts.ready;
    await hb.settleAnimations(document, 1500);
    await hb.frames(2);
  };
  const alpha = (color) => {
    if (!color || color === 'transparent') return 0;
    const m = /^rgba?\(([^)]*)\)$/.exec(color.trim());
    if (!m) return 1; // named / system colours (e.g. focus ring colour)
    const parts = m[1].split(/[\s,/]+/).filter(Boolean);
    if (parts.length < 4) return 1;
    const a = parts[3];
    return a.endsWith('%') ? parseFloat(a) / 100 : parseFloat(a);
  };
  hb.alpha = alpha;
  // A box-shadow is a visible indicator when some shadow has an opaque-ish
  // colour and a non-zero extent.
  hb.shadowVisible = (value) => {
    if (!value || value === 'none') return false;
    const re =
      /(rgba?\([^)]*\)|#[0-9a-f]{3,8}|[a-z-]+)?\s*(-?[\d.]+)px\s+(-?[\d.]+)px(?:\s+(-?[\d.]+)px)?(?:\s+(-?[\d.]+)px)?/gi;
    let m;
    while ((m = re.exec(value))) {
      const color = m[1] || 'currentcolor';
      const nums = [m[2], m[3], m[4], m[5]].map((x) => Math.abs(parseFloat(x || '0')));
      if (alpha(color) > 0.1 && nums.some((n) => n > 0)) return true;
    }
    return false;
  };
  hb.focusStyle = (el) => {
    const cs = getComputedStyle(el);
    const ow = parseFloat(cs.outlineWidth) || 0;
    const outline = cs.outlineStyle !== 'none' && ow > 0 && alpha(cs.outlineColor) > 0.1;
    const shadow = hb.shadowVisible(cs.boxShadow);
    return {
      ok: outline || shadow,
      desc: `outline: ${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}; box-shadow: ${cs.boxShadow}`,
    };
  };
  // Fixed/sticky elements (other than el's ancestors/descendants) that cover
  // part of el, confirmed by hit-testing the covered area.
  hb.coveredBy = (el) => {
    const r = el.getBoundingClientRect();
    const out = [];
    for (const e of document.body.querySelectorAll('*')) {
      if (e === el || e.contains(el) || el.contains(e)) continue;
      const pos = getComputedStyle(e).position;
      if (pos !== 'fixed' && pos !== 'sticky') continue;
      if (!hb.shown(e)) continue;
      const b = e.getBoundingClientRect();
      const x1 = Math.max(r.left, b.left);
      const x2 = Math.min(r.right, b.right);
      const y1 = Math.max(r.top, b.top);
      const y2 = Math.min(r.bottom, b.bottom);
      if (x2 - x1 <= 1 || y2 - y1 <= 1) continue;
      const hit = document.elementFromPoint((x1 + x2) / 2, (y1 + y2) / 2);
      if (hit && e.contains(hit) && !el.contains(hit)) {
        out.push(`${hb.sel(e)} (${pos}, bottom ${Math.round(b.bottom)}px) covers ${Math.round(y2 - y1)}px of it (top ${Math.round(r.top)}px)`);
      }
    }
    return out;
  };
  hb.candidates = () => {
    const q =
      'a[href], area[href], button, input:not([type="hidden"]):not([type="radio"]), select, textarea, ' +
      'details > summary:first-of-type, [tabindex], [contenteditable=""], [contenteditable="true"]';
    return [...document.querySelectorAll(q)].filter((el) => {
      if (el.disabled) return false;
      if (el.closest('[inert]')) return false;
      if (el.hasAttribute('tabindex') && !/^(a|area|button|input|select|textarea|summary)$/.test(el.localName)) {
        // non-interactive elements with tabindex="-1" (skip targets etc.) are not candidates
        if (el.tabIndex < 0) return false;
      }
      if (!hb.shown(el)) return false;
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.height > 0;
    });
  };
  hb.tabStart = () => {
    hb.tab = { cands: hb.candidates(), focused: new Set(), order: [] };
    return hb.tab.cands.length;
  };
  // Inspect whatever has focus now (after a Tab press).
  hb.inspectFocus = async () => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return { none: true };
    const st = hb.tab || (hb.tab = { cands: [], focused: new Set(), order: [] });
    const seen = st.focused.has(el);
    st.focused.add(el);
    st.order.push(el);
    await hb.settleScroll();
    await hb.settleAnimations(el, 1000);
    const r = el.getBoundingClientRect();
    const vw = innerWidth;
    const vh = innerHeight;
    const problems = { visible: [], indicator: [], obscured: [] };
    if (!hb.shown(el)) problems.visible.push('not rendered visibly (display/visibility/opacity)');
    if (r.width < 2 || r.height < 2) problems.visible.push(`bounding box ${r.width.toFixed(1)}x${r.height.toFixed(1)}`);
    else {
      // Fully in view when it fits, give or take 2 px: layout is sub-pixel
      // but Chromium scrolls a focused element into view in whole pixels
      // (a region ending at y = 641.1 in a 640 px viewport). Taller than the
      // viewport: it must fill it.
      const tol = 2;
      const hOk = r.left >= -tol && r.right <= vw + tol;
      const shownH = Math.min(r.bottom, vh) - Math.max(r.top, 0);
      const vOk = r.height <= vh ? r.top >= -tol && r.bottom <= vh + tol : shownH >= vh - tol;
      if (!hOk || !vOk) {
        problems.visible.push(
          `outside the viewport after scrolling (box ${Math.round(r.left)},${Math.round(r.top)} ${Math.round(r.width)}x${Math.round(r.height)}, viewport ${vw}x${vh})`,
        );
      }
    }
    const fs = hb.focusStyle(el);
    if (!fs.ok) problems.indicator.push(`no visible focus indicator (${fs.desc})`);
    problems.obscured.push(...hb.coveredBy(el));
    const href = el.getAttribute('href');
    let skip = null;
    if (el.localName === 'a' && href && href.startsWith('#') && href.length > 1) {
      let id = href.slice(1);
      try {
        id = decodeURIComponent(id);
      } catch {}
      skip = { href, targetExists: !!document.getElementById(id) };
    }
    return {
      none: false,
      seen,
      sel: hb.sel(el),
      tag: el.localName,
      text: (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40),
      href,
      skip,
      problems,
    };
  };
  // Candidates the Tab walk did not reach. `completed` = focus wrapped.
  hb.unreached = (completed) => {
    const st = hb.tab;
    if (!st) return [];
    let furthest = null;
    for (const f of st.focused) {
      if (!furthest || furthest.compareDocumentPosition(f) & Node.DOCUMENT_POSITION_FOLLOWING) furthest = f;
    }
    const out = [];
    for (const c of st.cands) {
      if (st.focused.has(c) || !c.isConnected || !hb.shown(c)) continue;
      const label = `${hb.sel(c)}${c.getAttribute('href') ? ` (href ${c.getAttribute('href')})` : ''}`;
      if (c.tabIndex < 0) out.push(`${label} has tabIndex ${c.tabIndex}`);
      else if (completed) out.push(`${label} was never focused in a full Tab cycle`);
      else if (furthest && furthest.compareDocumentPosition(c) & Node.DOCUMENT_POSITION_PRECEDING) {
        out.push(`${label} was skipped by Tab`);
      }
      // after the furthest element reached within the Tab budget and tabbable: fine
    }
    return out;
  };
  // Reduced-motion: declared and running animations/transitions.
  hb.motion = (limitMs = 10) => {
    const secs = (list) =>
      Math.max(
        0,
        ...list
          .split(',')
          .map((x) => x.trim())
          .map((x) => (x.endsWith('ms') ? parseFloat(x) / 1000 : parseFloat(x)))
          .filter(Number.isFinite),
      );
    const declared = [];
    for (const el of document.querySelectorAll('*')) {
      for (const pseudo of [null, '::before', '::after']) {
        const cs = getComputedStyle(el, pseudo);
        if (pseudo && (cs.content === 'none' || cs.content === 'normal')) continue;
        const where = hb.sel(el) + (pseudo || '');
        if (cs.animationName.split(',').some((n) => n.trim() !== 'none') && secs(cs.animationDuration) * 1000 > limitMs) {
          declared.push(`${where} animation ${cs.animationName} ${cs.animationDuration}`);
        }
        if (cs.transitionProperty !== 'none' && secs(cs.transitionDuration) * 1000 > limitMs) {
          declared.push(`${where} transition ${cs.transitionProperty} ${cs.transitionDuration}`);
        }
      }
    }
    return declared;
  };
  hb.running = (limitMs = 10) =>
    document
      .getAnimations()
      .filter((a) => a.playState === 'running' || a.pending)
      .map((a) => {
        const t = a.effect ? a.effect.getComputedTiming() : {};
        const target = a.effect && a.effect.target ? hb.sel(a.effect.target) : '?';
        const name = a.animationName || a.transitionProperty || a.id || a.constructor.name;
        return { target, name, ms: Number(t.activeDuration) };
      })
      .filter((a) => !(a.ms <= limitMs))
      .map((a) => `${a.target} ${a.name} running for ${Number.isFinite(a.ms) ? a.ms + 'ms' : 'ever'}`);
  // Horizontal overflow: elements (and text) reaching past `width`. Clipping by
  // scroll containers (overflow-x other than visible) counts, except by the
  // root/body, which would only hide content.
  hb.overflow = (width) => {
    const root = document.documentElement;
    const clipRight = (el) => {
      let right = Infinity;
      for (let a = el.parentElement; a && a !== document.body && a !== root; a = a.parentElement) {
        const ox = getComputedStyle(a).overflowX;
        if (ox !== 'visible') right = Math.min(right, a.getBoundingClientRect().right);
      }
      return right;
    };
    const offenders = [];
    const sx = scrollX;
    for (const el of document.body.querySelectorAll('*')) {
      if (!hb.shown(el)) continue;
      const r = el.getBoundingClientRect();
      if (r.width === 0 || r.height === 0) continue;
      const right = Math.min(r.right + sx, clipRight(el) + sx);
      const left = r.left + sx;
      const w = Math.min(right, width) - Math.max(left, 0);
      if (right > width + 1 || (r.width > width + 1 && w > width + 1)) {
        offenders.push({ el, desc: `${hb.sel(el)} (${Math.round(r.width)}px wide, right edge at ${Math.round(right)}px)` });
      }
    }
    // text that overflows its box (long words, URLs)
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    const range = document.createRange();
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (!n.data.trim()) continue;
      const p = n.parentElement;
      if (!p || !hb.shown(p)) continue;
      range.selectNodeContents(n);
      const r = range.getBoundingClientRect();
      if (r.width === 0) continue;
      const right = Math.min(r.right + sx, clipRight(n) + sx);
      if (right > width + 1) {
        offenders.push({ el: p, desc: `text "${n.data.trim().slice(0, 30)}" in ${hb.sel(p)} runs to ${Math.round(right)}px` });
      }
    }
    // report outermost offenders only
    const els = offenders.map((o) => o.el);
    const outer = offenders.filter((o) => !els.some((e) => e !== o.el && e.contains(o.el)));
    const seen = new Set();
    return outer.filter((o) => (seen.has(o.desc) ? false : seen.add(o.desc))).map((o) => o.desc);
  };
  hb.refs = () => {
    const out = [];
    const add = (el, attr, value) => out.push({ tag: el.localName, attr, value, sel: hb.sel(el) });
    for (const el of document.querySelectorAll('a[href], link[href], area[href]')) add(el, 'href', el.getAttribute('href'));
    for (const el of document.querySelectorAll('script[src], img[src], source[src], video[src], audio[src], iframe[src]'))
      add(el, 'src', el.getAttribute('src'));
    for (const el of document.querySelectorAll('img[srcset], source[srcset]')) {
      for (const part of el.getAttribute('srcset').split(',')) {
        const u = part.trim().split(/\s+/)[0];
        if (u) add(el, 'srcset', u);
      }
    }
    return out;
  };
  hb.ids = () => {
    const ids = [...document.querySelectorAll('[id]')].map((e) => e.id);
    for (const a of document.querySelectorAll('a[name]')) ids.push(a.getAttribute('name'));
    return ids;
  };
  Object.defineProperty(window, '__hb', { value: hb, configurable: true });
}

// ---------------------------------------------------------------- browser plumbing

let browser;

async function newContext(options = {}) {
  const ctx = await browser.newContext({ serviceWorkers: 'block', ...options });
  await ctx.addInitScript(installHelpers);
  ctx.setDefaultNavigationTimeout(NAV_TIMEOUT_MS);
  ctx.setDefaultTimeout(ACTION_TIMEOUT_MS);
  return ctx;
}

/**
 * Run fn(page, item, ctl) for every item with at most CONCURRENCY contexts.
 * Each context keeps one page that is reused from item to item (new pages and
 * extra navigations are slow on a small machine); listeners added through
 * ctl.on are removed after the item. `setup(ctx, slot)` may install
 * context-wide handlers (e.g. a route) that read per-item state from `slot`,
 * which fn gets as ctl.slot. An exception counts as a failure of `check` for
 * that item, and the page is replaced.
 */
async function pool(check, ctxOptions, items, fn, setup) {
  const t0 = Date.now();
  const n = Math.min(CONCURRENCY, items.length);
  const contexts = [];
  for (let i = 0; i < n; i++) {
    const ctx = await newContext(ctxOptions);
    const slot = {};
    if (setup) await setup(ctx, slot);
    contexts.push({ ctx, slot });
  }
  let next = 0;
  await Promise.all(
    contexts.map(async ({ ctx, slot }) => {
      let page = null;
      while (next < items.length) {
        const item = items[next++];
        if (!page || page.isClosed()) page = await ctx.newPage();
        const listeners = [];
        const ctl = {
          slot,
          on: (ev, h) => {
            page.on(ev, h);
            listeners.push([ev, h]);
          },
        };
        try {
          await fn(page, item, ctl);
        } catch (e) {
          record(check, item.where, [`could not run: ${e && e.message ? e.message.split('\n')[0] : e}`]);
          await page.close().catch(() => {});
        } finally {
          for (const [ev, h] of listeners) page.off(ev, h);
          for (const k of Object.keys(slot)) delete slot[k];
        }
      }
      if (page) await page.close().catch(() => {});
    }),
  );
  for (const { ctx } of contexts) await ctx.close().catch(() => {});
  console.log(`# ${check}: ${items.length} item(s) in ${((Date.now() - t0) / 1000).toFixed(1)}s`);
}

async function open(page, url, { settle = true } = {}) {
  const resp = await page.goto(url, { waitUntil: 'load' });
  if (resp && resp.status() >= 400) throw new Error(`HTTP ${resp.status()} for ${url}`);
  if (settle) await page.evaluate(() => window.__hb.settle());
  return resp;
}

/** Wait until the page has no requests in flight (or maxMs passes). */
function trackInflight(page, ctl) {
  let inflight = 0;
  const inc = () => inflight++;
  const dec = () => (inflight = Math.max(0, inflight - 1));
  ctl.on('request', inc);
  ctl.on('requestfinished', dec);
  ctl.on('requestfailed', dec);
  return async (maxMs = 3000) => {
    const t0 = Date.now();
    await page.waitForTimeout(100);
    while (inflight > 0 && Date.now() - t0 < maxMs) await page.waitForTimeout(50);
  };
}

// ---------------------------------------------------------------- page selection

function pickPages(pub) {
  const pages = pub.pages;
  const has = (p) => pages.includes(p);
  const sectionIndexes = pages.filter((p) => /^[^/]+\/index\.html$/.test(p));
  const depth = (p) => p.split('/').length;
  const leafPages = pages.filter((p) => depth(p) >= 2 && !p.endsWith('/index.html'));
  const deepest = leafPages.reduce((best, p) => (!best || depth(p) > depth(best) ? p : best), null);
  const sectionIndex = sectionIndexes.find((p) => p !== 'services/index.html') || sectionIndexes[0] || null;
  const searchRe = /<input\b[^>]*\btype\s*=\s*["']?search\b/i;
  const searchPages = pages.filter((p) => searchRe.test(readText(path.join(pub.root, p))));
  const firstIn = (dir, allowIndex) =>
    pages.find((p) => p.startsWith(dir + '/') && depth(p) === 2 && (allowIndex || !p.endsWith('/index.html'))) || null;
  const rep = [];
  const add = (p) => p && has(p) && !rep.includes(p) && rep.push(p);
  add('index.html');
  add(sectionIndex);
  add(deepest);
  add('services/index.html');
  // the search page is its own template; otherwise any page with a search box
  add(pages.find((p) => /(^|\/)search\.html$/.test(p)));
  if (!searchPages.some((p) => rep.includes(p))) add(searchPages[0]);
  const sections = sectionIndexes.map((p) => p.split('/')[0]);
  return {
    representative: rep,
    deepest,
    sections,
    searchPages,
    policy: firstIn('policy', true),
    pathways: firstIn('pathways', false),
  };
}

// ---------------------------------------------------------------- 1. axe-core

async function phaseAxe(editions, srv) {
  const items = [];
  for (const ed of editions) for (const p of ed.pages) items.push({ ed, p, where: `${ed.name}/${p}` });
  // Each page is loaded once: axe runs in light mode, then the colour scheme
  // is switched on the loaded page and axe runs again over the same DOM with
  // the dark styles (half the page loads of one load per scheme).
  // bypassCSP only so that axe's source can be injected as a script tag (served
  // by the local server with caching, so Chromium's code cache spares a 500 KB
  // compile per page)
  await pool('axe', { viewport: DESKTOP, bypassCSP: true }, items, async (page, { ed, p, where }) => {
    await page.emulateMedia({ colorScheme: 'light' });
    await open(page, srv.url(ed, p));
    await page.addScriptTag({ url: srv.axeUrl });
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      const actual = await page.evaluate(async () => {
        await window.__hb.frames(2);
        return matchMedia('(prefers-color-scheme: dark)').matches;
      });
      if (actual !== (scheme === 'dark')) throw new Error(`colour scheme emulation (${scheme}) did not apply`);
      const violations = await page.evaluate(async (tags) => {
        const r = await window.axe.run(document, {
          runOnly: { type: 'tag', values: tags },
          resultTypes: ['violations'],
        });
        return r.violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          help: v.help,
          n: v.nodes.length,
          targets: v.nodes.slice(0, 3).map((n) => n.target.map(String).join(' ')),
        }));
      }, AXE_TAGS);
      record(
        `axe[${scheme}]`,
        where,
        violations.map((v) => `${v.id} (${v.impact}) ${v.help} — ${v.n} node(s): ${v.targets.join(' | ')}`),
      );
    }
  });
}

// ---------------------------------------------------------------- reduced motion

async function phaseMotion(pub, picks, srv) {
  const items = picks.representative.map((p) => ({ p, where: `public/${p}` }));
  await pool('reduced-motion', { viewport: DESKTOP, reducedMotion: 'reduce' }, items, async (page, { p, where }) => {
    await page.goto(srv.url(pub, p), { waitUntil: 'load' });
    const problems = [];
    if (!(await page.evaluate(() => matchMedia('(prefers-reduced-motion: reduce)').matches))) {
      throw new Error('reduced-motion emulation did not apply');
    }
    const seen = new Set();
    const collect = async (when) => {
      for (const r of await page.evaluate(() => window.__hb.running(10))) {
        if (!seen.has(r)) {
          seen.add(r);
          problems.push(`${when}: ${r}`);
        }
      }
    };
    await collect('after load');
    // provoke hover/focus transitions on a few interactive elements
    const points = await page.evaluate(() =>
      [...document.querySelectorAll('a[href], button, summary')]
        .filter((e) => window.__hb.shown(e))
        .map((e) => e.getBoundingClientRect())
        .filter((r) => r.width > 0 && r.height > 0 && r.top >= 0 && r.bottom <= innerHeight && r.right <= innerWidth)
        .slice(0, 6)
        .map((r) => ({ x: r.left + r.width / 2, y: r.top + r.height / 2 })),
    );
    for (const pt of points) {
      await page.mouse.move(pt.x, pt.y);
      await collect('on hover');
    }
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press('Tab');
      await collect('on focus');
    }
    for (const d of await page.evaluate(() => window.__hb.motion(10))) problems.push(`declared despite reduce: ${d}`);
    record('reduced-motion', where, problems);
  });
}

// ---------------------------------------------------------------- 2. keyboard

async function phaseKeyboard(editions, picks, srv) {
  const [pub, staff] = editions;
  const items = picks.representative.map((p) => ({ ed: pub, p, where: `public/${p}` }));
  if (picks.pathways && !picks.representative.includes(picks.pathways)) items.push({ ed: pub, p: picks.pathways, where: `public/${picks.pathways}` });
  if (staff.pages.includes('index.html')) items.push({ ed: staff, p: 'index.html', where: 'staff/index.html' });
  await pool('keyboard', { viewport: DESKTOP }, items, async (page, { ed, p, where }) => {
    const url = srv.url(ed, p);
    // Pass A: Tab through the page from the top.
    await open(page, url);
    const nCands = await page.evaluate(() => window.__hb.tabStart());
    const probs = { skip: [], visible: [], indicator: [], obscured: [] };
    let completed = false;
    let first = null;
    let count = 0;
    for (let i = 0; i < MAX_TABS; i++) {
      await page.keyboard.press('Tab');
      const info = await page.evaluate(() => window.__hb.inspectFocus());
      if (i === 0) first = info;
      if (info.none || info.seen) {
        completed = true;
        break;
      }
      count++;
      const label = `Tab ${i + 1} → ${info.sel}${info.text ? ` "${info.text}"` : ''}`;
      for (const k of ['visible', 'indicator', 'obscured'])
        for (const m of info.problems[k]) probs[k].push(`${label}: ${m}`);
    }
    if (!first || first.none) probs.skip.push('first Tab focused nothing');
    else if (!first.skip) probs.skip.push(`first Tab focused ${first.sel} (href ${first.href}), not a skip link to an in-page #fragment`);
    else if (!first.skip.targetExists) probs.skip.push(`skip link ${first.sel} points to ${first.skip.href}, which is not an element id on the page`);
    const unreached = await page.evaluate((c) => window.__hb.unreached(c), completed);
    // Nothing by colour alone: links inside running text are underlined (or
    // bordered or bold), and the current item of a navigation list differs
    // from its siblings in more than colour.
    const colourOnly = await page.evaluate(() => {
      const hb = window.__hb;
      const out = [];
      const marked = (cs) =>
        cs.textDecorationLine.includes('underline') || parseFloat(cs.borderBottomWidth) > 0 || parseInt(cs.fontWeight, 10) >= 600;
      for (const a of document.querySelectorAll('main p a[href], main li a[href], main td a[href], main dd a[href]')) {
        if (!a.checkVisibility()) continue;
        const block = a.closest('p, li, td, dd');
        const own = a.textContent.trim();
        const rest = block.textContent.replace(own, '').replace(/[\s.,;:()–—-]/g, '');
        if (rest.length < 3) continue; // the link is the whole item, not a link in text
        if (!marked(getComputedStyle(a))) out.push(`link in text ${hb.sel(a)} "${own.slice(0, 40)}" is marked by colour alone`);
      }
      const look = (e) => {
        const cs = getComputedStyle(e);
        return [cs.textDecorationLine, cs.fontWeight, cs.borderBottomWidth, cs.borderLeftWidth, cs.borderTopWidth, cs.outlineStyle].join('|');
      };
      for (const cur of document.querySelectorAll('nav [aria-current]')) {
        const li = cur.closest('li');
        const sib = li && [...li.parentElement.children].find((x) => x !== li && x.querySelector('a:not([aria-current])'));
        if (!sib) continue;
        const other = sib.querySelector('a:not([aria-current])');
        if (look(cur) === look(other)) out.push(`current item ${hb.sel(cur)} differs from ${hb.sel(other)} by colour alone`);
      }
      return out.slice(0, 10);
    });

    // Pass B: follow the skip link, then Tab on: focus must land in/after the
    // target and nothing may be hidden behind a sticky/fixed header.
    if (first && first.skip && first.skip.targetExists) {
      await open(page, url);
      await page.keyboard.press('Tab');
      await page.keyboard.press('Enter');
      const target = await page.evaluate(async (href) => {
        const hb = window.__hb;
        await hb.settleScroll();
        const t = document.getElementById(decodeURIComponent(href.slice(1)));
        return { sel: hb.sel(t), covered: hb.coveredBy(t) };
      }, first.skip.href);
      for (const c of target.covered) probs.obscured.push(`skip target ${target.sel} after following the skip link: ${c}`);
      await page.evaluate(() => window.__hb.tabStart());
      for (let i = 0; i < 3; i++) {
        await page.keyboard.press('Tab');
        const info = await page.evaluate(() => window.__hb.inspectFocus());
        if (info.none) break;
        if (i === 0) {
          const after = await page.evaluate((href) => {
            const t = document.getElementById(decodeURIComponent(href.slice(1)));
            const a = document.activeElement;
            return t.contains(a) || !!(t.compareDocumentPosition(a) & Node.DOCUMENT_POSITION_FOLLOWING);
          }, first.skip.href);
          if (!after) probs.skip.push(`after following the skip link, Tab went to ${info.sel}, which is before ${first.skip.href}`);
        }
        const label = `skip link, then Tab ${i + 1} → ${info.sel}`;
        for (const k of ['visible', 'indicator', 'obscured'])
          for (const m of info.problems[k]) probs[k].push(`${label}: ${m}`);
      }
    }
    const dedupe = (list) => [...new Set(list)];
    record('keyboard-skip-link', where, probs.skip);
    record('keyboard-focus-visible', where, dedupe(probs.visible));
    record('keyboard-focus-indicator', where, dedupe(probs.indicator));
    record('keyboard-not-obscured', where, dedupe(probs.obscured));
    record('keyboard-reachable', where, unreached);
    record('colour-alone', where, colourOnly);
    if (!completed) note(`keyboard ${where}: ${count} of ${nCands} focusable elements tabbed through (limit ${MAX_TABS}); the rest checked for tabIndex only`);
  });
}

/** Press Tab until `pred` (a function source run in the page) holds for the focused element. */
async function tabTo(page, test, limit = 150) {
  for (let i = 0; i < limit; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(test)) return true;
  }
  return false;
}

/**
 * Operating the page's widgets with the keyboard alone: the service
 * directory's filters (choose with the arrow keys, undo with the reset
 * button) and a pathway diagram's scrolling region at phone width.
 */
async function phaseOperate(pub, picks, srv) {
  const items = [];
  if (pub.pages.includes('services/index.html')) items.push({ kind: 'filters', p: 'services/index.html', where: 'public/services/index.html' });
  else note('keyboard-filters: no services/index.html');
  const pathways = pub.pages.filter((p) => /^pathways\/(?!index\.html$)/.test(p));
  if (pathways.length === 0) note('keyboard-diagram: no pathway pages');
  for (const p of pathways) items.push({ kind: 'diagram', p, where: `public/${p}` });
  await pool('keyboard-operate', { viewport: { width: PHONE_WIDTH, height: 640 }, isMobile: true, hasTouch: true }, items, async (page, { kind, p, where }) => {
    await open(page, srv.url(pub, p));
    const problems = [];
    if (kind === 'filters') {
      const visible = () => page.evaluate(() => [...document.querySelectorAll('.service-card')].filter((c) => c.checkVisibility()).length);
      const all = await visible();
      const selects = await page.evaluate(() => [...document.querySelectorAll('form select')].filter((e) => e.checkVisibility()).map((e) => e.id));
      if (selects.length === 0) problems.push('no visible filter controls (select) in a form');
      let narrowed = false;
      for (const id of selects) {
        await page.evaluate(() => document.activeElement && document.activeElement.blur());
        await page.evaluate(() => window.__hb.tabStart());
        if (!(await tabTo(page, `document.activeElement && document.activeElement.id === ${JSON.stringify(id)}`))) {
          problems.push(`#${id} is not reached by Tab`);
          continue;
        }
        const focus = await page.evaluate(() => window.__hb.inspectFocus());
        for (const k of ['visible', 'indicator']) for (const m of focus.problems[k]) problems.push(`#${id}: ${m}`);
        const before = await page.evaluate((i) => document.getElementById(i).value, id);
        await page.keyboard.press('ArrowDown');
        await page.waitForTimeout(50);
        const after = await page.evaluate((i) => document.getElementById(i).value, id);
        if (after === before) problems.push(`ArrowDown on #${id} did not change its value`);
        const n = await visible();
        if (n < all) narrowed = true;
        // back to "all" with the keyboard
        await page.keyboard.press('ArrowUp');
        await page.waitForTimeout(50);
        if ((await visible()) !== all) problems.push(`ArrowUp on #${id} back to "${before}" did not show all ${all} cards again`);
      }
      if (selects.length && !narrowed) problems.push(`choosing a filter option by keyboard never narrowed the ${all} cards`);
      // the reset button, by keyboard
      if (selects.length) {
        await page.evaluate(() => window.__hb.tabStart());
        if (await tabTo(page, `document.activeElement && document.activeElement.id === ${JSON.stringify(selects[0])}`)) {
          await page.keyboard.press('ArrowDown');
          if (await tabTo(page, `document.activeElement && document.activeElement.matches('form button[type="reset"]')`, 10)) {
            await page.keyboard.press('Enter');
            await page.waitForTimeout(100);
            if ((await visible()) !== all) problems.push('the reset button, pressed with Enter, did not show every card again');
          } else problems.push('no reset button reached by Tab after the filters');
        }
      }
      record('keyboard-filters', where, problems);
    } else {
      const region = await page.evaluate(() => {
        const r = document.querySelector('.diagram-scroll, [role="region"]:has(svg)');
        return r ? { overflow: r.scrollWidth > r.clientWidth + 1 } : null;
      });
      if (!region) {
        note(`keyboard-diagram ${where}: no diagram`);
        return;
      }
      if (!(await tabTo(page, `document.activeElement && document.activeElement.matches('.diagram-scroll, [role="region"]:has(svg)')`))) {
        problems.push('the diagram (or its scrolling region) is not reached by Tab');
      } else {
        const focus = await page.evaluate(() => window.__hb.inspectFocus());
        for (const k of ['visible', 'indicator', 'obscured']) for (const m of focus.problems[k]) problems.push(`diagram region: ${m}`);
        if (region.overflow) {
          const x0 = await page.evaluate(() => document.activeElement.scrollLeft);
          for (let i = 0; i < 3; i++) await page.keyboard.press('ArrowRight');
          await page.waitForTimeout(100);
          const x1 = await page.evaluate(() => document.activeElement.scrollLeft);
          if (!(x1 > x0)) problems.push(`the diagram is wider than its region at ${PHONE_WIDTH}px but ArrowRight does not scroll it`);
        }
      }
      record('keyboard-diagram', where, problems);
    }
  });
}

// ---------------------------------------------------------------- 3. viewport

async function phaseViewport(editions, picks, srv) {
  const [pub, staff] = editions;
  const items = pub.pages.map((p) => ({ ed: pub, p, where: `public/${p}` }));
  for (const p of staff.pages) if (!pub.pages.includes(p)) items.push({ ed: staff, p, where: `staff/${p}` });
  await pool(
    'reflow-320',
    { viewport: { width: PHONE_WIDTH, height: 640 }, isMobile: true, hasTouch: true, deviceScaleFactor: 1 },
    items,
    async (page, { ed, p, where }) => {
      await open(page, srv.url(ed, p));
      const r = await page.evaluate((w) => {
        const meta = document.querySelector('meta[name="viewport"]');
        return {
          sw: document.documentElement.scrollWidth,
          meta: meta ? meta.getAttribute('content') || '' : null,
          offenders: window.__hb.overflow(w),
        };
      }, PHONE_WIDTH);
      const problems = [];
      if (r.meta === null) problems.push('no <meta name="viewport">: phones will show a zoomed-out desktop layout');
      else if (!/width\s*=\s*device-width/i.test(r.meta)) problems.push(`<meta name="viewport" content="${r.meta}"> lacks width=device-width`);
      if (r.sw > PHONE_WIDTH) problems.push(`horizontal scroll: scrollWidth ${r.sw} > ${PHONE_WIDTH}`);
      for (const o of r.offenders.slice(0, 8)) problems.push(`wider than the ${PHONE_WIDTH}px viewport: ${o}`);
      record('reflow-320', where, problems);
    },
  );
  const zoomItems = picks.representative.map((p) => ({ p, where: `public/${p}` }));
  await pool('text-200%', { viewport: { width: 640, height: 800 }, deviceScaleFactor: 1 }, zoomItems, async (page, { p, where }) => {
    await open(page, srv.url(pub, p));
    const r = await page.evaluate(async () => {
      const before = parseFloat(getComputedStyle(document.documentElement).fontSize);
      document.documentElement.style.fontSize = '200%';
      await window.__hb.frames(2);
      const after = parseFloat(getComputedStyle(document.documentElement).fontSize);
      return { before, after, sw: document.documentElement.scrollWidth, offenders: window.__hb.overflow(640) };
    });
    const problems = [];
    if (r.sw > 640) problems.push(`horizontal scroll at 200% text (root font ${r.before}px → ${r.after}px): scrollWidth ${r.sw} > 640`);
    for (const o of r.offenders.slice(0, 8)) problems.push(`at 200% text: ${o}`);
    record('text-200%', where, problems);
  });
}

// ---------------------------------------------------------------- 4. any host

const EXTERNAL_SCHEMES = new Set(['http', 'https', 'mailto', 'tel', 'sms', 'data', 'javascript']);

function checkRef(ed, pageRel, ref, idsByPage) {
  const v = (ref.value || '').trim();
  const what = `<${ref.tag} ${ref.attr}="${ref.value}">`;
  if (v === '') return null;
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(v);
  if (scheme) {
    if (EXTERNAL_SCHEMES.has(scheme[1].toLowerCase())) return null;
    return `${what}: absolute ${scheme[1]}: URL`;
  }
  if (v.startsWith('//')) return `${what}: protocol-relative URL (not relative to the page)`;
  if (v.startsWith('/')) return `${what}: root-relative URL (breaks under file:// and sub-paths)`;
  const base = pathToFileURL(path.join(ed.root, pageRel));
  let u;
  try {
    u = new URL(v, base);
  } catch {
    return `${what}: unparseable URL`;
  }
  const target = fileURLToPath(new URL(u.pathname, 'file:///'));
  if (target !== ed.root && !target.startsWith(ed.root + path.sep)) return `${what}: points outside the site`;
  let st;
  try {
    st = fs.statSync(target);
  } catch {
    return `${what}: ${path.relative(ed.root, target) || '.'} does not exist`;
  }
  if (st.isDirectory()) return `${what}: points to a directory (needs an explicit index.html to work from file://)`;
  if (u.hash.length > 1 && target.endsWith('.html')) {
    let frag = u.hash.slice(1);
    try {
      frag = decodeURIComponent(frag);
    } catch {}
    if (frag === 'top') return null;
    const rel = path.relative(ed.root, target).split(path.sep).join('/');
    let ids = idsByPage.get(rel);
    if (!ids) {
      ids = new Set();
      const re = /\s(?:id|name)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/gi;
      let m;
      const html = readText(target);
      while ((m = re.exec(html))) ids.add(m[1] ?? m[2] ?? m[3]);
      idsByPage.set(rel, ids);
    }
    if (!ids.has(frag)) return `${what}: #${frag} is not an id in ${rel}`;
  }
  return null;
}

/** Type into the search box (if any) and submit, to exercise search scripts. */
async function exerciseSearch(page) {
  const box = page.locator('input[type="search"]').first();
  if ((await box.count()) === 0 || !(await box.isVisible())) return false;
  await box.fill('help');
  await page.waitForTimeout(300);
  await box.press('Enter');
  await page.waitForLoadState('load');
  await page.waitForTimeout(300);
  return true;
}

/**
 * Shared by the file:// and sub-path checks: load each page, record console
 * errors, page errors, foreign requests and (for http) failed responses.
 */
async function hostPhase(kind, ed, items, urlFor, isLocal, searchPages) {
  const perPage = [];
  // One context-wide route (cheaper than one per page) lets local requests
  // through and records and aborts everything else.
  const setup = (ctx, slot) =>
    ctx.route('**/*', (route) => {
      const u = route.request().url();
      if (isLocal(u) || /^(data|blob|about):/.test(u)) return route.continue();
      if (slot.res) {
        slot.aborted.add(u);
        slot.res.foreign.push(`request to another origin: ${u}`);
      }
      return route.abort('blockedbyclient');
    });
  await pool(`${kind}`, { viewport: DESKTOP }, items, async (page, item, ctl) => {
    const { p, where } = item;
    const res = { where, p, console: [], foreign: [], failed: [], refs: [], ids: [] };
    const aborted = new Set();
    ctl.slot.res = res;
    ctl.slot.aborted = aborted;
    ctl.on('console', (m) => {
      if (m.type() !== 'error') return;
      const t = m.text();
      if (/ERR_BLOCKED_BY_CLIENT/.test(t)) return; // our own blocking; reported as a foreign request
      const loc = m.location();
      res.console.push(`console error: ${t}${loc && loc.url ? ` (${loc.url}:${loc.lineNumber})` : ''}`);
    });
    ctl.on('pageerror', (e) => res.console.push(`uncaught exception: ${String(e.message || e).split('\n')[0]}`));
    ctl.on('response', (r) => {
      if (r.status() >= 400) res.failed.push(`HTTP ${r.status()} for ${r.url()}`);
    });
    ctl.on('requestfailed', (r) => {
      if (aborted.has(r.url())) return;
      const f = r.failure();
      res.failed.push(`request failed: ${r.url()} (${f ? f.errorText : '?'})`);
    });
    const settle = trackInflight(page, ctl);
    await page.goto(urlFor(p), { waitUntil: 'load' });
    await settle();
    const data = await page.evaluate(() => ({ refs: window.__hb.refs(), ids: window.__hb.ids() }));
    res.refs = data.refs;
    res.ids = data.ids;
    if (searchPages.includes(p) && (p === 'index.html' || /search/.test(p))) {
      if (await exerciseSearch(page)) await settle();
    }
    perPage.push(res);
  }, setup);
  return perPage;
}

async function phaseFile(editions, picks) {
  for (const ed of editions) {
    const items = ed.pages.map((p) => ({ p, where: `${ed.name}/${p}` }));
    const urlFor = (p) => pathToFileURL(path.join(ed.root, p)).href;
    const results = await hostPhase(`file[${ed.name}]`, ed, items, urlFor, (u) => u.startsWith('file:'), ed.name === 'public' ? picks.searchPages : []);
    const idsByPage = new Map(results.map((r) => [r.p, new Set(r.ids)]));
    for (const r of results.sort((a, b) => (a.p < b.p ? -1 : 1))) {
      const broken = [];
      const seen = new Set();
      for (const ref of r.refs) {
        const key = `${ref.tag}|${ref.attr}|${ref.value}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const msg = checkRef(ed, r.p, ref, idsByPage);
        if (msg) broken.push(msg);
      }
      record('file-links', r.where, broken);
      // failed loads are usually also console errors; list the rest
      const logged = r.console.join('\n');
      const unlogged = r.failed.filter((f) => !/^HTTP/.test(f) && !logged.includes(f.split(' ')[2]));
      record('file-console', r.where, [...r.console, ...unlogged]);
      record('file-no-other-origin', r.where, r.foreign);
    }
  }
}

async function phaseSubpath(pub, picks, srvFor) {
  const srv = await startServer({ [SUBPATH]: pub.root });
  try {
    const items = pub.pages.map((p) => ({ p, where: `public/${p}` }));
    const urlFor = (p) => `${srv.origin}${SUBPATH}${p.split('/').map(encodeURIComponent).join('/')}`;
    const results = await hostPhase('subpath', pub, items, urlFor, (u) => u.startsWith(srv.origin + '/'), picks.searchPages);
    for (const r of results.sort((a, b) => (a.p < b.p ? -1 : 1))) {
      record('subpath-requests', r.where, r.failed);
      record('subpath-console', r.where, r.console);
      record('subpath-no-other-origin', r.where, r.foreign);
    }
  } finally {
    await srv.close();
  }
}

// ---------------------------------------------------------------- 5. print

function pdfText(file) {
  const r = spawnSync('pdftotext', ['-enc', 'UTF-8', file, '-'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (r.error) throw new Error(`pdftotext: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`pdftotext exited ${r.status}: ${r.stderr}`);
  return r.stdout;
}

const norm = (s) =>
  s
    .normalize('NFKC')
    .replace(/\u00ad/g, '')
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[\u201c\u201d]/g, '"')
    .replace(/[\u2010-\u2015]/g, '-')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/** Regex for a phone number: its digits with optional spacing, not inside a longer number. */
function phoneRegex(number) {
  let digits = number.replace(/[^\d+]/g, '');
  if (digits.startsWith('+44')) digits = '0' + digits.slice(3);
  digits = digits.replace(/\D/g, '');
  return new RegExp(`(?<!\\d)${digits.split('').join('[\\s-]?')}(?!\\d)`);
}

async function phasePrint(pub, picks, srv, shotsDir) {
  const ctx = await newContext({ viewport: DESKTOP });
  try {
    const page = await ctx.newPage();
    // section titles from the section index pages' h1
    const titles = [];
    for (const s of picks.sections) {
      await open(page, srv.url(pub, `${s}/index.html`), { settle: false });
      const h1 = await page.evaluate(() => (document.querySelector('h1') || {}).textContent || '');
      if (h1.trim()) titles.push({ s, h1: h1.trim() });
      else record('print-sections', `public/${s}/index.html`, ['section index has no h1']);
    }
    // urgent numbers: the fixed ones plus the home page's tel: links
    await open(page, srv.url(pub, 'index.html'), { settle: false });
    const homeTels = await page.evaluate(() =>
      [...document.querySelectorAll('a[href^="tel:"]')].map((a) => decodeURIComponent(a.getAttribute('href').slice(4))),
    );
    const byDigits = new Map();
    for (const n of [...URGENT_NUMBERS, ...homeTels]) {
      const d = String(phoneRegex(n));
      if (!byDigits.has(d)) byDigits.set(d, n);
    }
    const numbers = [...byDigits.values()];

    if (!pub.pages.includes('print.html')) {
      record('print', 'public/print.html', ['print.html does not exist']);
    } else {
      const where = 'public/print.html';
      await open(page, srv.url(pub, 'print.html'));
      await page.emulateMedia({ media: 'print' });
      const chrome = await page.evaluate(() => {
        const hb = window.__hb;
        const sel =
          'nav, .skip-link, [class~="skip"], header search, header [role="search"], header input[type="search"], header form:has(input[type="search"])';
        const els = [...document.querySelectorAll(sel)].filter((e) => !(e.localName === 'nav' && e.closest('main, article')));
        return {
          count: els.length,
          shown: els
            .filter((e) => e.checkVisibility())
            .map((e) => `${hb.sel(e)} is rendered in print (display: ${getComputedStyle(e).display})`),
        };
      });
      record('print-hides-chrome', where, chrome.shown);
      if (chrome.count === 0) note(`${where}: no nav / skip link / header search found to hide in print`);
      const links = await page.evaluate(() => {
        const hb = window.__hb;
        return [...document.querySelectorAll('a[href^="http"]')]
          .filter((a) => a.checkVisibility())
          .map((a) => ({ sel: hb.sel(a), href: a.getAttribute('href'), after: getComputedStyle(a, '::after').content }));
      });
      const linkProblems = [];
      for (const l of links) {
        if (l.after === 'none' || l.after === 'normal' || !l.after.includes(l.href)) {
          linkProblems.push(`${l.sel} (${l.href}) has ::after content ${l.after}, not its href`);
        }
      }
      if (links.length === 0) note(`${where}: no external links to check for printed URLs`);

      const pdfFile = path.join(shotsDir, 'print.pdf');
      await page.pdf({ path: pdfFile, format: 'A4', printBackground: true });
      const text = pdfText(pdfFile);
      const ntext = norm(text);
      const squeezed = ntext.replace(/\s+/g, '');
      // every printed external link's URL must be in the PDF text
      for (const l of [...new Map(links.map((x) => [x.href, x])).values()].slice(0, 10)) {
        const bare = l.href.toLowerCase().replace(/\s+/g, '');
        const short = bare.replace(/^https?:\/\/(www\.)?/, '').replace(/\/$/, '');
        if (!squeezed.includes(bare) && !squeezed.includes(short)) linkProblems.push(`URL ${l.href} is not in the PDF text`);
      }
      record('print-link-urls', where, linkProblems);
      // each section title must be a printed heading of print.html (not just
      // a TOC entry) and must be in the PDF text
      const headings = await page.evaluate(() =>
        [...document.querySelectorAll('h1, h2, h3')].filter((h) => h.checkVisibility()).map((h) => h.textContent),
      );
      const nheadings = headings.map(norm);
      const sectionProblems = [];
      for (const t of titles) {
        const nt = norm(t.h1);
        if (!nheadings.some((h) => h.includes(nt))) sectionProblems.push(`no printed h1-h3 in print.html contains the section title "${t.h1}" (${t.s}/)`);
        if (!ntext.includes(nt)) sectionProblems.push(`section title "${t.h1}" (${t.s}/) is not in the PDF text`);
      }
      record('print-sections', where, sectionProblems);
      // page breaks before top-level sections: each section title (and the
      // services part) is the first line of a PDF page
      const firstLines = text.split('\f').map((pg) => norm(pg.split('\n').find((l) => l.trim()) || ''));
      const breakProblems = [];
      for (const t of [...titles.map((x) => x.h1), 'Support services']) {
        if (!firstLines.some((l) => l.includes(norm(t)))) breakProblems.push(`section "${t}" does not start a new page of the PDF`);
      }
      record('print-page-breaks', where, breakProblems);
      // every phone number on print.html itself (the services part included)
      const printTels = await page.evaluate(() =>
        [...document.querySelectorAll('a[href^="tel:"]')].map((a) => decodeURIComponent(a.getAttribute('href').slice(4))),
      );
      const telProblems = [];
      for (const n of new Set(printTels)) if (!phoneRegex(n).test(ntext)) telProblems.push(`phone number ${n} (a tel: link on print.html) is not in the PDF text`);
      if (printTels.length === 0) telProblems.push('print.html has no tel: links (no service phone numbers)');
      record('print-service-numbers', where, telProblems);
      record(
        'print-urgent-numbers',
        where,
        numbers.filter((n) => !phoneRegex(n).test(ntext)).map((n) => `phone number ${n} is not in the PDF text`),
      );
      if (text.trim().length < 200) record('print-pdf-text', where, [`PDF has almost no text (${text.trim().length} chars)`]);
    }

    // an ordinary page
    const ordinary = picks.deepest;
    if (!ordinary) {
      note('no ordinary page to print');
    } else {
      const where = `public/${ordinary}`;
      // Printed as a reader prints it: print media (emulated 'screen' media
      // would make page.pdf() lay the page out with the screen styles).
      await page.emulateMedia({ media: 'print' });
      await open(page, srv.url(pub, ordinary));
      const h1 = await page.evaluate(() => (document.querySelector('h1') || {}).textContent || '');
      const pdfFile = path.join(shotsDir, 'page.pdf');
      await page.pdf({ path: pdfFile, format: 'A4', printBackground: true });
      const ntext = norm(pdfText(pdfFile));
      const problems = [];
      if (!h1.trim()) problems.push('page has no h1');
      else if (!ntext.includes(norm(h1))) problems.push(`h1 "${h1.trim()}" is not in the PDF text`);
      // no navigation chrome on paper: the skip link and the site navigation
      const chromeText = await page.evaluate(() =>
        [...document.querySelectorAll('.skip-link, nav:not(main nav)')].map((e) => e.textContent.replace(/\s+/g, ' ').trim()).filter((t) => t.length > 3),
      );
      for (const t of chromeText) if (ntext.includes(norm(t))) problems.push(`navigation text "${clip(t, 60)}" is printed`);
      record('print-page', where, problems);
    }
  } finally {
    await ctx.close();
  }
}

// ---------------------------------------------------------------- 6. screenshots

async function phaseShots(pub, picks, srv, shotsDir) {
  const wanted = [
    ['home', 'index.html'],
    ['policy', picks.policy],
    ['pathways', picks.pathways],
    ['services', pub.pages.includes('services/index.html') ? 'services/index.html' : null],
  ];
  const items = [];
  for (const [label, p] of wanted) {
    if (!p) {
      note(`screenshots: no ${label} page, skipped`);
      continue;
    }
    const base = p === 'index.html' ? 'home' : p.replace(/\.html$/, '').replace(/[^a-z0-9]+/gi, '-');
    for (const vp of SHOT_WIDTHS) items.push({ p, vp, file: path.join(shotsDir, `${base}-${vp.width}.png`), where: `public/${p}@${vp.width}` });
  }
  await pool('screenshot', { viewport: DESKTOP, deviceScaleFactor: 1 }, items, async (page, { p, vp, file, where }) => {
    await page.setViewportSize(vp);
    await open(page, srv.url(pub, p));
    const r = await page.evaluate((w) => ({ sw: document.documentElement.scrollWidth, offenders: window.__hb.overflow(w) }), vp.width);
    await page.screenshot({ path: file, fullPage: true, animations: 'disabled' });
    const size = fs.statSync(file).size;
    record('screenshot', where, size > 0 ? [] : [`empty screenshot ${file}`]);
    const wide = [];
    if (r.sw > vp.width) wide.push(`horizontal scroll: scrollWidth ${r.sw} > ${vp.width}`);
    for (const o of r.offenders.slice(0, 8)) wide.push(`wider than the ${vp.width}px viewport: ${o}`);
    record(`viewport-${vp.width}`, where, wide);
  });
}

// ---------------------------------------------------------------- main

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const t0 = Date.now();
  setTimeout(() => finish(`suite did not finish within ${SUITE_TIMEOUT_MS / 60000} minutes`), SUITE_TIMEOUT_MS).unref();
  fs.mkdirSync(args.shots, { recursive: true });

  const pub = { name: 'public', root: args.public, pages: listPages(args.public) };
  const staff = { name: 'staff', root: args.staff, pages: listPages(args.staff) };
  const editions = [pub, staff];
  console.log(`# ${pub.pages.length} public and ${staff.pages.length} staff pages`);

  if (!fs.existsSync(CHROMIUM)) finish(`${CHROMIUM} not found (apt-get install chromium)`);
  if (args.only.includes('print') && spawnSync('pdftotext', ['-v']).error) finish('pdftotext not found (apt-get install poppler-utils)');

  const picks = pickPages(pub);
  console.log(`# representative pages: ${picks.representative.join(', ')}`);

  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const axePath = '/__suite__/axe.min.js';
  const srv = await startServer({ '/public/': pub.root, '/staff/': staff.root }, { [axePath]: require.resolve('axe-core/axe.min.js') });
  srv.axeUrl = srv.origin + axePath;
  srv.url = (ed, p) => `${srv.origin}/${ed.name}/${p.split('/').map(encodeURIComponent).join('/')}`;
  try {
    const run = (name) => args.only.includes(name);
    if (run('axe')) await phaseAxe(editions, srv);
    if (run('motion')) await phaseMotion(pub, picks, srv);
    if (run('keyboard')) await phaseKeyboard(editions, picks, srv);
    if (run('operate')) await phaseOperate(pub, picks, srv);
    if (run('viewport')) await phaseViewport(editions, picks, srv);
    if (run('file')) await phaseFile(editions, picks);
    if (run('subpath')) await phaseSubpath(pub, picks);
    if (run('print')) await phasePrint(pub, picks, srv, args.shots);
    if (run('shots')) await phaseShots(pub, picks, srv, args.shots);
  } finally {
    await srv.close();
    await browser.close().catch(() => {});
  }
  console.log(`# total ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  finish();
}

main().catch((e) => {
  if (browser) browser.close().catch(() => {});
  finish(`internal error: ${e && e.stack ? e.stack.split('\n').slice(0, 3).join(' | ') : e}`);
});
