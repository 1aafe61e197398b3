// Keeps the DOM equal to the store, in place: unchanged cards keep their element (and focus),
// changed ones are rebuilt, new groups appear in order and empty ones disappear. The server's
// first paint is adopted as it is, so nothing flickers on load.

import { buildCard, buildGroup } from "./cards.js";
import { upgradeIcons } from "./icons.js";

const KIND = { apps: "app", bookmarks: "bookmark" };

export function createView({ store, i18n, collapse }) {
  const signatures = new WeakMap();
  const sections = {
    apps: document.querySelector('[data-section="apps"]'),
    bookmarks: document.querySelector('[data-section="bookmarks"]'),
  };

  function adopt(section) {
    for (const cell of sections[section].querySelectorAll(".grid__cell")) {
      const item = store.get(section, cell.dataset.id);
      if (item) signatures.set(cell, JSON.stringify(item));
    }
  }

  function place(container, node, after) {
    const want = after ? after.nextElementSibling : container.firstElementChild;
    if (want !== node) container.insertBefore(node, want);
  }

  function renderCards(grid, items, section) {
    const existing = new Map();
    for (const cell of grid.children) existing.set(cell.dataset.id, cell);
    let previous = null;
    for (const item of items) {
      const signature = JSON.stringify(item);
      let cell = existing.get(item.id);
      existing.delete(item.id);
      if (!cell || signatures.get(cell) !== signature) {
        const fresh = buildCard(item, KIND[section], i18n.t);
        signatures.set(fresh, signature);
        if (cell) {
          const hadFocus = cell.contains(document.activeElement);
          cell.replaceWith(fresh);
          if (hadFocus) fresh.querySelector(".card").focus();
        }
        cell = fresh;
      }
      place(grid, cell, previous);
      previous = cell;
    }
    for (const stale of existing.values()) stale.remove();
  }

  function render(section) {
    const container = sections[section];
    const groups = store.groups(section);
    const existing = new Map();
    for (const node of container.children) existing.set(node.dataset.key, node);
    let previous = null;
    for (const group of groups) {
      let node = existing.get(group.key);
      existing.delete(group.key);
      if (!node) {
        node = buildGroup(group.name, group.key, section);
        collapse.apply(node);
      }
      const name = node.querySelector(".group__name");
      if (name.textContent !== group.name) name.textContent = group.name;
      node.querySelector(".group__count").textContent = String(group.items.length);
      renderCards(node.querySelector(".grid"), group.items, section);
      place(container, node, previous);
      previous = node;
    }
    for (const stale of existing.values()) stale.remove();
    container.closest(".section").hidden = groups.length === 0;
    const empty = !store.applications().length && !store.bookmarks().length;
    document.getElementById("empty").hidden = !empty;
    upgradeIcons(container);
  }

  adopt("apps");
  adopt("bookmarks");
  render("apps");
  render("bookmarks");
  store.onChange(render);
  return { render };
}
