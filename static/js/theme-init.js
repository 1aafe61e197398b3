// Runs before the first paint (a classic script in <head>). On <html>, data-mode is the reader's
// choice (light, dark or auto, remembered in localStorage) and data-theme the scheme in effect,
// light or dark: the only one the stylesheets read, so the dark colours are written once. Auto
// follows the system here, live; theme.js changes the choice by setting data-mode.
(function () {
  var root = document.documentElement;
  var system = window.matchMedia("(prefers-color-scheme: dark)");

  function resolve() {
    var mode = root.getAttribute("data-mode");
    var dark = mode === "dark" || (mode !== "light" && system.matches);
    root.setAttribute("data-theme", dark ? "dark" : "light");
  }

  try {
    var mode = localStorage.getItem("startpunkt.theme");
    if (mode === "light" || mode === "dark" || mode === "auto") {
      root.setAttribute("data-mode", mode);
    }
  } catch (e) {
    // Storage blocked: auto.
  }
  resolve();
  system.addEventListener("change", resolve);
  new MutationObserver(resolve).observe(root, { attributeFilter: ["data-mode"] });
})();
