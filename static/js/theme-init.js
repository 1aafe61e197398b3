// Runs before the first paint (a classic script in <head>): applies the remembered theme so a
// dark-mode reader never sees a light flash. The switch itself lives in theme.js.
(function () {
  try {
    var mode = localStorage.getItem("startpunkt.theme");
    if (mode === "light" || mode === "dark" || mode === "auto") {
      document.documentElement.setAttribute("data-theme", mode);
    }
  } catch (e) {
    // Storage blocked: auto.
  }
})();
