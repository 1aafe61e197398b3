// The layout preferences panel: column count, compact cards, unavailable applications, the
// bookmarks section, and expanding or collapsing every group. prefs-init.js applied the saved
// choice before the first paint; here the panel changes it, saves it, and follows other tabs.

export function initLayout({ collapse }) {
  const layout = window.startpunktLayout;
  const dialog = document.getElementById("prefs");
  const form = document.getElementById("prefs-form");
  const trigger = document.getElementById("prefs-open");
  let prefs = layout.read();

  function fill() {
    form.elements.columns.value = prefs.columns;
    form.elements.density.value = prefs.density;
    form.elements.unavailable.checked = prefs.unavailable;
    form.elements.bookmarks.checked = prefs.bookmarks;
  }

  function open() {
    fill();
    dialog.hidden = false;
    trigger.setAttribute("aria-expanded", "true");
    form.elements.columns.focus();
  }

  function close({ focus = true } = {}) {
    if (dialog.hidden) return;
    dialog.hidden = true;
    trigger.setAttribute("aria-expanded", "false");
    if (focus) trigger.focus();
  }

  form.addEventListener("change", () => {
    prefs = {
      columns: form.elements.columns.value,
      density: form.elements.density.value,
      unavailable: form.elements.unavailable.checked,
      bookmarks: form.elements.bookmarks.checked,
    };
    layout.save(prefs);
    layout.apply(prefs);
  });
  form.addEventListener("submit", (event) => event.preventDefault());
  form.addEventListener("click", (event) => {
    const button = event.target.closest("[data-groups]");
    if (button) collapse.setAll(button.dataset.groups === "collapse");
    if (event.target.closest("[data-close]")) close();
  });
  trigger.addEventListener("click", () => (dialog.hidden ? open() : close()));
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    }
  });
  document.addEventListener("click", (event) => {
    if (!dialog.hidden && !dialog.contains(event.target) && !trigger.contains(event.target)) {
      close({ focus: false });
    }
  });
  window.addEventListener("storage", (event) => {
    if (event.key !== layout.KEY) return;
    prefs = layout.read();
    layout.apply(prefs);
    fill();
  });
  return { open, close };
}
