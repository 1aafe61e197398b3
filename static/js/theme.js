// Light, dark or auto (follows prefers-color-scheme), chosen with the header switch and
// remembered in localStorage. theme-init.js applies the remembered choice before the first paint
// and turns <html data-mode> into the scheme in effect, <html data-theme>. Colours come from
// /api/theme as CSS variables (the server already rendered the configured ones).

import { cssColor } from "./cards.js";
import { url } from "./paths.js";

const KEY = "startpunkt.theme";
const MODES = ["auto", "light", "dark"];

function kebab(name) {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

function declarations(colors) {
  return Object.entries(colors || {})
    .filter(([name, value]) => /^[a-zA-Z]+$/.test(name) && cssColor(value))
    .map(([name, value]) => `--${kebab(name)}: ${cssColor(value)};`)
    .join(" ");
}

/** Replace the theme variables with `{light: {...}, dark: {...}}` from /api/theme. */
export function applyColors(theme) {
  const light = declarations(theme && theme.light);
  const dark = declarations(theme && theme.dark);
  if (!light || !dark) return;
  document.getElementById("theme-vars").textContent =
    `:root { ${light} }\n:root[data-theme="dark"] { ${dark} }`;
}

export async function loadColors() {
  try {
    const response = await fetch(url("/api/theme"), { cache: "no-cache" });
    if (response.ok) applyColors(await response.json());
  } catch {
    // Keep the colours the server rendered.
  }
}

export function initTheme({ button, i18n }) {
  const root = document.documentElement;
  let mode = MODES.includes(root.dataset.mode) ? root.dataset.mode : "auto";

  function show() {
    root.dataset.mode = mode;
    button.dataset.mode = mode;
    const label = `${i18n.t("home.theme.toggle")}: ${i18n.t(`home.theme.${mode}`)}`;
    button.setAttribute("aria-label", label);
    button.title = label;
  }

  button.addEventListener("click", () => {
    mode = MODES[(MODES.indexOf(mode) + 1) % MODES.length];
    try {
      localStorage.setItem(KEY, mode);
    } catch {
      // Private mode: the choice lasts until reload.
    }
    show();
  });
  i18n.onChange(show);
  show();
  loadColors();
}
