// Visible strings: the server renders the default language; the browser's language is then
// fetched from /api/i8n/<lang> and applied to every element marked data-i18n (text),
// data-i18n-placeholder, data-i18n-title or data-i18n-aria-label. Missing keys keep the text already shown.

import { url } from "./paths.js";

export function flatten(tree, prefix = "", out = {}) {
  for (const [key, value] of Object.entries(tree || {})) {
    if (value && typeof value === "object") flatten(value, `${prefix}${key}.`, out);
    else if (typeof value === "string") out[prefix + key] = value;
  }
  return out;
}

export function createI18n(initial, language) {
  let strings = { ...initial };
  let current = language;
  const listeners = [];

  function t(key, values = {}) {
    const text = strings[key] ?? key;
    return text.replace(/\{\{\s*(\w+)\s*\}\}/g,
      (all, name) => (name in values ? String(values[name]) : all));
  }

  function apply(root = document) {
    for (const node of root.querySelectorAll("[data-i18n]")) {
      const values = { version: node.getAttribute("data-i18n-version") };
      const text = t(node.getAttribute("data-i18n"), values);
      if (node.textContent !== text) node.textContent = text;
    }
    for (const node of root.querySelectorAll("[data-i18n-placeholder]")) {
      node.setAttribute("placeholder", t(node.getAttribute("data-i18n-placeholder")));
    }
    for (const node of root.querySelectorAll("[data-i18n-title]")) {
      node.setAttribute("title", t(node.getAttribute("data-i18n-title")));
    }
    for (const node of root.querySelectorAll("[data-i18n-aria-label]")) {
      node.setAttribute("aria-label", t(node.getAttribute("data-i18n-aria-label")));
    }
  }

  async function load(lang) {
    if (!lang || !/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})?$/.test(lang)) return;
    try {
      const response = await fetch(url(`/api/i8n/${encodeURIComponent(lang)}`), { cache: "no-cache" });
      if (!response.ok) return;
      const loaded = flatten(await response.json());
      if (!Object.keys(loaded).length) return;
      strings = { ...initial, ...loaded };
      current = lang;
      document.documentElement.lang = lang;
      apply();
      for (const listener of listeners) listener();
    } catch {
      // Offline or no translations: the server's language stays.
    }
  }

  return {
    t,
    apply,
    load,
    language: () => current,
    onChange(listener) { listeners.push(listener); },
  };
}
