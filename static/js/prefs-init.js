// Runs before the first paint (a classic script in <head>), like theme-init.js: applies the
// reader's layout preferences, remembered in localStorage, as attributes on <html> that the
// stylesheet reads, so the page never shows another layout first. layout.js (the preferences
// panel) uses the same read/apply through window.startpunktLayout.
(function () {
  var KEY = "startpunkt.layout";
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

  apply(read());
  window.startpunktLayout = { KEY: KEY, read: read, apply: apply, save: save };
})();
