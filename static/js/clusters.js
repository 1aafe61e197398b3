// Several clusters on one page: a filter (all clusters, or one), cluster badges on the cards and
// a notice for each cluster that is unreachable. Shown only while the items come from more than
// one cluster (<html data-clusters="many"> shows the badges). The choice is remembered per
// browser like the theme; until one is made, `web.defaultShowAllClusters` decides between all
// clusters and this instance's own. Search always covers every cluster (search.js reads the
// store, not the filter).

import { el } from "./cards.js";

const KEY = "startpunkt.cluster";
const ALL = "";

function remembered() {
  try {
    const value = localStorage.getItem(KEY);
    return typeof value === "string" ? value : null;
  } catch {
    return null;
  }
}

function remember(value) {
  try {
    localStorage.setItem(KEY, value);
  } catch {
    // Storage blocked: the choice lasts until reload.
  }
}

export function createClusters({ store, i18n, config }) {
  const nav = document.getElementById("clusters");
  const notices = document.getElementById("cluster-notices");
  const listeners = [];
  let chosen = remembered();

  const local = () => (config().clusters && config().clusters.local) || "local";

  /** Every cluster the items come from: this instance's first, then by name. */
  function names() {
    const seen = new Set();
    for (const item of [...store.applications(), ...store.bookmarks()]) {
      if (typeof item.cluster === "string" && item.cluster) seen.add(item.cluster);
    }
    const own = local();
    return [...seen].sort((a, b) =>
      (a !== own) - (b !== own) || a.toLowerCase().localeCompare(b.toLowerCase()) ||
      (a < b ? -1 : a > b ? 1 : 0));
  }

  /** The cluster shown, or "" for all of them. */
  function current() {
    const present = names();
    if (present.length < 2) return ALL;
    const wanted = chosen ?? (config().web.defaultShowAllClusters === false ? local() : ALL);
    return present.includes(wanted) ? wanted : ALL;
  }

  function choice(value, label, shown) {
    const button = el("button", "clusters__choice", label);
    button.type = "button";
    button.dataset.cluster = value;
    button.setAttribute("aria-pressed", String(value === shown));
    return button;
  }

  function renderFilter(present, shown) {
    const all = choice(ALL, i18n.t("clusters.all"), shown);
    all.setAttribute("data-i18n", "clusters.all");
    nav.replaceChildren(all, ...present.map((name) => choice(name, name, shown)));
    nav.hidden = present.length < 2;
    nav.setAttribute("aria-label", i18n.t("clusters.label"));
  }

  /** One notice per stale cluster: when it was last heard from, in the reader's time. */
  function renderNotices() {
    const since = new Map();
    for (const item of [...store.applications(), ...store.bookmarks()]) {
      if (item.stale !== true || typeof item.staleSince !== "string") continue;
      const known = since.get(item.cluster);
      if (!known || item.staleSince < known) since.set(item.cluster, item.staleSince);
    }
    const lines = [...since.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(
      ([name, at]) => {
        const moment = new Date(at);
        const time = Number.isNaN(moment.getTime()) ? at
          : moment.toLocaleString(i18n.language(), { dateStyle: "short", timeStyle: "short" });
        const line = el("li", "notice notice--stale", i18n.t("clusters.unreachable", { name, time }));
        line.dataset.cluster = name;
        return line;
      });
    notices.replaceChildren(...lines);
    notices.hidden = lines.length === 0;
  }

  let signature = null;
  function render() {
    const present = names();
    const shown = current();
    document.documentElement.dataset.clusters = present.length > 1 ? "many" : "one";
    const next = JSON.stringify([present, shown, i18n.language()]);
    if (next !== signature) {
      signature = next;
      renderFilter(present, shown);
    }
    renderNotices();
    return shown;
  }

  nav.addEventListener("click", (event) => {
    const button = event.target.closest("[data-cluster]");
    if (!button) return;
    chosen = button.dataset.cluster;
    remember(chosen);
    render();
    for (const listener of listeners) listener();
  });
  window.addEventListener("storage", (event) => {
    if (event.key !== KEY) return;
    chosen = remembered();
    render();
    for (const listener of listeners) listener();
  });
  let last = null;
  store.onChange(() => {
    const before = last;
    last = render();
    // A cluster appearing or going can change what the filter shows.
    if (before !== null && before !== last) for (const listener of listeners) listener();
  });
  i18n.onChange(() => { signature = null; render(); });
  last = render();

  return { current, names, render, onChange(listener) { listeners.push(listener); } };
}
