// Keeps the DOM equal to the store (the chosen cluster's items, or all), in place: unchanged
// cards keep their element (and focus), changed ones are rebuilt, new groups appear in order and
// empty ones disappear. The server's first paint is adopted as it is, so nothing flickers on load.
// Groups and sections carry two counts, all items and the available ones (data-available): the
// stylesheet shows the one the layout preference asks for and hides what has nothing to show.

import { buildCard, buildGroup, isAvailable } from "./cards.js";
import { upgradeIcons } from "./icons.js";

const KIND = { apps: "app", bookmarks: "bookmark" };

export function createView({ store, i18n, collapse, icons, cluster = () => "" }) {
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

  /** Make `container`'s children one node per entry, in order, keyed by `data-<key>`:
   * `nodeFor(entry, current)` returns the node to show (`current`, or a new one); the rest go. */
  function reconcile(container, entries, key, nodeFor) {
    const existing = new Map();
    for (const node of container.children) existing.set(node.dataset[key], node);
    let previous = null;
    for (const entry of entries) {
      const node = nodeFor(entry, existing.get(entry[key]));
      existing.delete(entry[key]);
      const want = previous ? previous.nextElementSibling : container.firstElementChild;
      if (want !== node) container.insertBefore(node, want);
      previous = node;
    }
    for (const stale of existing.values()) stale.remove();
  }

  function cardFor(item, cell, section) {
    const signature = JSON.stringify(item);
    if (cell && signatures.get(cell) === signature) return cell;
    const fresh = buildCard(item, KIND[section], i18n.t, icons);
    signatures.set(fresh, signature);
    if (cell) {
      const hadFocus = cell.contains(document.activeElement);
      cell.replaceWith(fresh);
      if (hadFocus) fresh.querySelector(".card").focus();
    }
    return fresh;
  }

  function groupFor(group, node, section) {
    if (!node) {
      node = buildGroup(group.name, group.key, section);
      collapse.apply(node);
    }
    const name = node.querySelector(".group__name");
    if (name.textContent !== group.name) name.textContent = group.name;
    const available = String(group.items.filter(isAvailable).length);
    if (node.dataset.available !== available) node.dataset.available = available;
    node.querySelector(".group__total").textContent = String(group.items.length);
    node.querySelector(".group__available").textContent = available;
    reconcile(node.querySelector(".grid"), group.items, "id",
      (item, cell) => cardFor(item, cell, section));
    return node;
  }

  function render(section) {
    const container = sections[section];
    const groups = store.groups(section, cluster());
    reconcile(container, groups, "key", (group, node) => groupFor(group, node, section));
    const box = container.closest(".section");
    box.hidden = groups.length === 0;
    box.dataset.available = String(groups.flatMap((g) => g.items).filter(isAvailable).length);
    const empty = !store.applications().length && !store.bookmarks().length;
    document.getElementById("empty").hidden = !empty;
    upgradeIcons(container);
  }

  adopt("apps");
  adopt("bookmarks");
  render("apps");
  render("bookmarks");
  store.onChange(render);
  return { render, renderAll() { render("apps"); render("bookmarks"); } };
}
