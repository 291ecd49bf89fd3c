// Filters the service directory instantly. Without this script every
// service stays listed and the "Find a service by" links jump to lists.
(function () {
  "use strict";
  var form = document.getElementById("service-filter");
  var groups = document.getElementById("service-groups");
  if (!form || !groups) return;
  var status = document.getElementById("service-filter-status");
  var none = document.getElementById("service-none");
  var cards = groups.querySelectorAll(".service-card");
  var fields = ["category", "audience", "age", "area"];

  function value(name) {
    var field = form.elements[name];
    return field ? field.value : "";
  }

  function matches(card, choice) {
    var d = card.dataset;
    if (choice.category && d.category !== choice.category) return false;
    if (choice.audience && d.audiences &&
        (" " + d.audiences + " ").indexOf(" " + choice.audience + " ") < 0) return false;
    if (choice.area && d.area !== choice.area) return false;
    if (choice.age) {
      var band = choice.age.split("-");
      var lo = parseInt(band[0], 10), hi = parseInt(band[1], 10);
      if (d.minAge !== "" && parseInt(d.minAge, 10) > hi) return false;
      if (d.maxAge !== "" && parseInt(d.maxAge, 10) < lo) return false;
    }
    return true;
  }

  function apply() {
    var choice = {}, any = false, shown = 0, i;
    for (i = 0; i < fields.length; i++) {
      choice[fields[i]] = value(fields[i]);
      if (choice[fields[i]]) any = true;
    }
    for (i = 0; i < cards.length; i++) {
      var ok = matches(cards[i], choice);
      cards[i].hidden = !ok;
      if (ok) shown++;
    }
    var sections = groups.querySelectorAll(".service-group");
    for (i = 0; i < sections.length; i++) {
      sections[i].hidden = !sections[i].querySelector(".service-card:not([hidden])");
    }
    if (none) none.hidden = shown > 0;
    if (status) {
      status.textContent = any
        ? "Showing " + shown + " of " + cards.length + " services."
        : "Showing all " + cards.length + " services.";
    }
    try {
      var params = [];
      for (i = 0; i < fields.length; i++) {
        if (choice[fields[i]]) params.push(fields[i] + "=" + encodeURIComponent(choice[fields[i]]));
      }
      history.replaceState(null, "", params.length ? "?" + params.join("&") : location.pathname);
    } catch (e) { /* file:// pages may refuse; the filter still works */ }
  }

  // Start from the query string, so a filtered list can be linked to.
  var query = location.search.replace(/^\?/, "").split("&");
  for (var q = 0; q < query.length; q++) {
    var pair = query[q].split("=");
    var field = form.elements[decodeURIComponent(pair[0] || "")];
    if (field && fields.indexOf(field.name) >= 0) {
      field.value = decodeURIComponent((pair[1] || "").replace(/\+/g, " "));
    }
  }

  form.hidden = false;
  document.documentElement.className += " js-filter";
  form.addEventListener("change", apply);
  form.addEventListener("submit", function (e) { e.preventDefault(); apply(); });
  form.addEventListener("reset", function () { setTimeout(apply, 0); });

  // The browse links set the matching filter instead of jumping to a list.
  var links = document.querySelectorAll("#service-browse a[data-filter]");
  for (var l = 0; l < links.length; l++) {
    links[l].addEventListener("click", function (e) {
      var field = form.elements[this.getAttribute("data-filter")];
      if (!field) return;
      e.preventDefault();
      field.value = this.getAttribute("data-value");
      apply();
      groups.scrollIntoView();
    });
  }
  apply();
})();
