// Runs before the first paint (a classic script in <head>), like theme-init.js: applies the
// reader's preferences, remembered in localStorage, so the page never shows another layout
// first, in any browser (the page's modules may run after the first paint where
// `blocking="render"` is unknown):
// - layout: attributes on <html> that the stylesheet reads; layout.js (the preferences panel)
//   uses the same read/apply through window.startpunktLayout;
// - folded groups and favourites: applied to the server's markup while the parser adds it.
//   Mutation observers are told before the browser's next rendering step, so no frame shows a
//   group unfolded or the favourites missing. Favourites are copies of the server's own cards
//   (DOM clones, no HTML parsing); collapse.js and favourites.js take over once the modules run.
(function () {
  var KEY = "startpunkt.layout";
  var COLLAPSED = "startpunkt.collapsed";
  var FAVOURITES = "startpunkt.favourites";
  var DEFAULTS = { columns: "auto", density: "comfortable", unavailable: true, bookmarks: true };

  function read() {
    var prefs = {};
    try {
      prefs = JSON.parse(localStorage.getItem(KEY) || "{}") || {};
    } catch (e) {
      // Storage blocked or garbage: the defaults.
    }
    return {
      columns: /^[1-6]$/.test(String(prefs.columns)) ? String(prefs.columns) : DEFAULTS.columns,
      density: prefs.density === "compact" ? "compact" : DEFAULTS.density,
      unavailable: prefs.unavailable !== false,
      bookmarks: prefs.bookmarks !== false,
    };
  }

  /** The strings remembered under `key` (a JSON list), each once; [] when unusable. */
  function readList(key) {
    var list = [];
    try {
      list = JSON.parse(localStorage.getItem(key) || "[]");
    } catch (e) {
      // Storage blocked or garbage: nothing remembered.
    }
    if (!Array.isArray(list)) return [];
    return list.filter(function (value, i) {
      return typeof value === "string" && list.indexOf(value) === i;
    });
  }

  function toggle(root, name, on, value) {
    if (on) root.setAttribute(name, value);
    else root.removeAttribute(name);
  }

  function apply(prefs) {
    var root = document.documentElement;
    toggle(root, "data-columns", prefs.columns !== "auto", prefs.columns);
    toggle(root, "data-density", prefs.density === "compact", "compact");
    toggle(root, "data-hide-unavailable", !prefs.unavailable, "");
    toggle(root, "data-hide-bookmarks", !prefs.bookmarks, "");
  }

  function save(prefs) {
    try {
      localStorage.setItem(KEY, JSON.stringify(prefs));
    } catch (e) {
      // Private mode: the layout lasts until reload.
    }
  }

  /** Fold the remembered groups parsed so far (collapse.js `apply` does the same later). */
  function fold(folded) {
    var groups = document.querySelectorAll(".groups > .group");
    for (var i = 0; i < groups.length; i++) {
      if (folded.indexOf(groups[i].getAttribute("data-key")) < 0) continue;
      var toggleButton = groups[i].querySelector(".group__toggle");
      var grid = groups[i].querySelector(".grid");
      groups[i].classList.add("group--collapsed");
      if (toggleButton) toggleButton.setAttribute("aria-expanded", "false");
      if (grid) grid.hidden = true;
    }
  }

  /** Fill the Favourites section with copies of the pinned cards parsed so far, in pin order. */
  function pin(pinned, shown) {
    var section = document.getElementById("favourites");
    if (!section) return shown;
    var found = {};
    var cells = document.querySelectorAll(".groups .grid__cell");
    for (var i = 0; i < cells.length; i++) {
      var id = cells[i].getAttribute("data-id");
      // A cell is complete once its star's path is parsed (the last thing in it).
      if (pinned.indexOf(id) >= 0 && cells[i].querySelector(".pin path")) found[id] = cells[i];
    }
    var ids = pinned.filter(function (id) { return found[id]; });
    if (ids.join("\n") === shown) return shown;
    var copies = ids.map(function (id) {
      found[id].querySelector(".pin").setAttribute("aria-pressed", "true");
      return found[id].cloneNode(true);
    });
    var available = copies.filter(function (cell) { return !cell.querySelector(".card--down"); });
    var grid = section.querySelector(".grid");
    while (grid.firstChild) grid.removeChild(grid.firstChild);
    copies.forEach(function (cell) { grid.appendChild(cell); });
    section.setAttribute("data-available", String(available.length));
    section.hidden = copies.length === 0;
    return ids.join("\n");
  }

  function early() {
    var folded = readList(COLLAPSED);
    var pinned = readList(FAVOURITES);
    if ((!folded.length && !pinned.length) || !window.MutationObserver) return;
    var shown = "";
    function update() {
      fold(folded);
      shown = pin(pinned, shown);
    }
    var observer = new MutationObserver(update);
    observer.observe(document.documentElement, { childList: true, subtree: true });
    // Parsing is done (and the modules not yet run): one last pass, then the modules own it.
    document.addEventListener("readystatechange", function done() {
      document.removeEventListener("readystatechange", done);
      observer.disconnect();
      update();
    });
  }

  apply(read());
  early();
  window.startpunktLayout = {
    KEY: KEY,
    COLLAPSED: COLLAPSED,
    FAVOURITES: FAVOURITES,
    read: read,
    readList: readList,
    apply: apply,
    save: save,
  };
})();
