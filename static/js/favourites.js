// Favourites: the star on a card pins that application or bookmark to a Favourites section at
// the top, in the order pinned. Pins are item ids (kind/namespace/name) kept in localStorage,
// so they survive reloads, renames and live updates; a pinned item that disappears from the
// catalog stays remembered and shows again when it comes back. Other tabs follow at once.
// prefs-init.js showed the pinned cards before the first paint; here they are rebuilt from the
// store and kept up to date.

import { buildCard, isAvailable } from "./cards.js";
import { upgradeIcons } from "./icons.js";

export function createFavourites({ store, i18n, icons }) {
  const { FAVOURITES: KEY, readList } = window.startpunktLayout;
  const read = () => readList(KEY);
  let pinned = read();
  const section = document.getElementById("favourites");
  const grid = section.querySelector(".grid");
  const signatures = new WeakMap();

  function find(id) {
    const app = store.get("apps", id);
    if (app) return { item: app, kind: "app" };
    const mark = store.get("bookmarks", id);
    return mark ? { item: mark, kind: "bookmark" } : null;
  }

  function save() {
    try {
      localStorage.setItem(KEY, JSON.stringify(pinned));
    } catch {
      // Storage blocked: the pins last until reload.
    }
  }

  /** Every star on the page shows whether its item is pinned, labelled in the page's language. */
  function decorate() {
    for (const pin of document.querySelectorAll(".grid__cell > .pin")) {
      const id = pin.parentElement.dataset.id;
      const on = pinned.includes(id);
      if (pin.getAttribute("aria-pressed") !== String(on)) pin.setAttribute("aria-pressed", String(on));
      const found = find(id);
      if (found) {
        const label = i18n.t("favourites.pin", { name: found.item.name });
        if (pin.title !== label) {
          pin.title = label;
          pin.setAttribute("aria-label", label);
        }
      }
    }
  }

  function render() {
    const shown = pinned.map((id) => ({ id, found: find(id) })).filter((p) => p.found);
    const existing = new Map([...grid.children].map((cell) => [cell.dataset.id, cell]));
    const cells = shown.map(({ id, found }) => {
      const signature = JSON.stringify(found.item);
      const cell = existing.get(id);
      if (cell && signatures.get(cell) === signature) return cell;
      const fresh = buildCard(found.item, found.kind, i18n.t, icons);
      signatures.set(fresh, signature);
      return fresh;
    });
    const focused = grid.contains(document.activeElement) ? document.activeElement : null;
    grid.replaceChildren(...cells);
    if (focused && !focused.isConnected) focusCell(focused.closest(".grid__cell"));
    section.hidden = cells.length === 0;
    // Hidden by the stylesheet while unavailable apps are hidden and no favourite is available.
    section.dataset.available = String(shown.filter(({ found }) => isAvailable(found.item)).length);
    decorate();
    upgradeIcons(grid);
  }

  /** Keep the keyboard where it was: on the same item's star elsewhere on the page. */
  function focusCell(cell) {
    const id = cell && cell.dataset.id;
    const same = id && [...document.querySelectorAll(".grid__cell")]
      .find((c) => c.dataset.id === id && c.isConnected);
    if (same) same.querySelector(".pin").focus();
  }

  function toggle(id) {
    pinned = pinned.includes(id) ? pinned.filter((p) => p !== id) : [...pinned, id];
    save();
    render();
  }

  document.addEventListener("click", (event) => {
    const pin = event.target.closest(".grid__cell > .pin");
    if (!pin) return;
    toggle(pin.parentElement.dataset.id);
  });
  window.addEventListener("storage", (event) => {
    if (event.key !== KEY) return;
    pinned = read();
    render();
  });
  store.onChange(render);
  i18n.onChange(decorate);
  render();
  return { pinned: () => [...pinned], toggle };
}
