// Boots the start page on top of the server's first paint: reads the state the server embedded
// (its config is current as of the render; CONFIG_CHANGED and polling bring later changes), then
// wires the parts (view, cluster filter, collapsible groups, favourites, layout, theme, search,
// live updates shared between tabs, translations). prefs-init.js already put the layout, the
// folded groups and the favourites in place before the first paint, in every browser; the page
// also loads this module with `blocking="render"`, so where that is supported (Chromium) the
// remembered cluster filter is applied before the first paint too.

import { buildCard } from "./cards.js";
import { createClusters } from "./clusters.js";
import { createCollapse } from "./collapse.js";
import { createFavourites } from "./favourites.js";
import { createI18n } from "./i18n.js";
import { initLayout } from "./layout.js";
import { ALL_EVENTS, createLive } from "./live.js";
import { ROOT, url } from "./paths.js";
import { initSearch } from "./search.js";
import { createStore } from "./store.js";
import { createTabs } from "./tabs.js";
import { initTheme, loadColors } from "./theme.js";
import { createView } from "./view.js";

function setTitle(title) {
  if (typeof title !== "string") return;
  document.title = title;
  document.getElementById("page-title").textContent = title;
}

function boot() {
  const initial = JSON.parse(document.getElementById("initial-state").textContent);
  const i18n = createI18n(initial.strings, initial.language);
  const store = createStore(initial);
  const icons = initial.icons || {};
  let config = initial.config;
  const collapse = createCollapse({ i18n });
  const clusters = createClusters({ store, i18n, config: () => config });
  const view = createView({ store, i18n, collapse, icons, cluster: clusters.current });
  clusters.onChange(view.renderAll);
  const favourites = createFavourites({ store, i18n, icons });
  initLayout({ collapse });
  initTheme({ button: document.getElementById("theme-toggle"), i18n });
  initSearch({ store, i18n, config: () => config });
  i18n.load(navigator.language);
  const tabs = createTabs({
    streamUrl: url("/api/updates/stream"),
    channelName: `startpunkt.stream:${location.origin}${ROOT}`,
    events: ALL_EVENTS,
    resumeFrom: initial.lastEventId,
  });
  const live = createLive({
    store,
    i18n,
    config,
    tabs,
    resumeFrom: initial.lastEventId,
    onConfig(next) {
      config = next;
      setTitle(next.web.title);
      clusters.render();
      view.renderAll();
      loadColors();
    },
  });
  window.startpunkt = {
    store,
    view,
    live,
    tabs,
    favourites,
    clusters,
    i18n,
    buildCard: (item, kind = "app") => buildCard(item, kind, i18n.t, icons),
  };
  document.documentElement.dataset.ready = "true";
}

boot();
