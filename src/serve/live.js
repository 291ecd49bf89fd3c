// Live reload for `handbook serve` (never part of a built site): listens to
// the server's events, reloads the page (keeping its scroll position), swaps
// stylesheets, goes to the nearest page when this one is gone, and shows
// build errors over the page.
(function (cfg) {
  "use strict";
  var scrollKey = "handbook-serve-scroll:" + cfg.path;
  try {
    var saved = sessionStorage.getItem(scrollKey);
    if (saved !== null) {
      sessionStorage.removeItem(scrollKey);
      var y = parseInt(saved, 10) || 0;
      window.addEventListener("load", function () { window.scrollTo(0, y); });
      window.scrollTo(0, y);
    }
  } catch (e) { /* storage may be off */ }

  function reload() {
    try { sessionStorage.setItem(scrollKey, String(window.scrollY)); } catch (e) { /* ignore */ }
    window.location.reload();
  }

  // The nearest page that still exists: the section's index, then its
  // parents', then the home page.
  function nearest(pages) {
    var parts = cfg.path.split("/");
    parts.pop();
    while (parts.length > 0) {
      var candidate = parts.join("/") + "/index.html";
      if (candidate !== cfg.path && pages.indexOf(candidate) >= 0) { return candidate; }
      parts.pop();
    }
    return "index.html";
  }

  function swapStylesheets(changed, version) {
    var links = document.querySelectorAll('link[rel="stylesheet"]');
    Array.prototype.forEach.call(links, function (link) {
      var url = new URL(link.href, window.location.href);
      if (changed.indexOf(url.pathname.replace(/^\//, "")) < 0) { return; }
      url.searchParams.set("v", String(version));
      var fresh = link.cloneNode();
      fresh.href = url.href;
      fresh.addEventListener("load", function () { link.remove(); });
      link.after(fresh);
    });
  }

  var overlay = null;
  function hideErrors() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  function showErrors(errors) {
    hideErrors();
    if (!errors || errors.length === 0) { return; }
    overlay = document.createElement("div");
    overlay.setAttribute("role", "alert");
    overlay.setAttribute("data-handbook-serve-errors", "");
    overlay.style.cssText = "position:fixed;left:0;right:0;bottom:0;z-index:2147483647;" +
      "max-height:60vh;overflow:auto;margin:0;padding:1rem 1.25rem;background:#fff;color:#1a1a1a;" +
      "border-top:6px solid #b00020;box-shadow:0 -2px 12px rgba(0,0,0,.3);font:16px/1.5 system-ui,sans-serif;";
    var heading = document.createElement("p");
    heading.style.cssText = "margin:0 0 .5rem;font-weight:bold;color:#1a1a1a;";
    heading.textContent = "Error: the handbook did not build. This page shows the last version that did. " +
      "Fix the problems below and save; this message goes when the build succeeds.";
    var list = document.createElement("pre");
    list.style.cssText = "margin:0 0 .75rem;white-space:pre-wrap;color:#1a1a1a;background:#f3f3f3;padding:.5rem;";
    list.textContent = errors.map(function (e) { return e.text; }).join("\n");
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "Hide this message";
    close.style.cssText = "min-height:44px;padding:.5rem 1rem;font:inherit;color:#1a1a1a;background:#fff;" +
      "border:2px solid #1a1a1a;cursor:pointer;";
    close.addEventListener("click", hideErrors);
    overlay.appendChild(heading);
    overlay.appendChild(list);
    overlay.appendChild(close);
    document.body.appendChild(overlay);
  }

  if (!window.EventSource) { return; }
  var events = new EventSource(cfg.events);
  events.addEventListener("hello", function (e) {
    var d = JSON.parse(e.data);
    // The page was built before the last rebuild (or the server restarted).
    if (d.version !== cfg.version && d.errors.length === 0) { reload(); return; }
    showErrors(d.errors);
  });
  events.addEventListener("errors", function (e) {
    showErrors(JSON.parse(e.data).errors);
  });
  events.addEventListener("reload", function (e) {
    var d = JSON.parse(e.data);
    hideErrors();
    if (d.version <= cfg.version) { return; }
    if (d.pages.indexOf(cfg.path) < 0) {
      // This page was renamed or deleted (and is not the 404 page).
      if (cfg.path !== "404.html") {
        var root = new URL("/", window.location.href);
        window.location.href = new URL(nearest(d.pages), root).href;
        return;
      }
    }
    if (d.css_only) {
      swapStylesheets(d.changed, d.version);
      cfg.version = d.version;
      return;
    }
    var self = d.changed.indexOf(cfg.path) >= 0;
    var other = d.changed.some(function (p) { return !/\.(html|css)$/.test(p); });
    if (self || other) { reload(); return; }
    swapStylesheets(d.changed, d.version);
    cfg.version = d.version;
  });
})
