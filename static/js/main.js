// Boots the start page on top of the server's first paint: reads the state the server embedded
// (its config is current as of the render; CONFIG_CHANGED and polling bring later changes), then
// wires the parts (view, collapsible groups, theme, search, live updates, translations).

import { buildCard } from "./cards.js";
import { createCollapse } from "./collapse.js";
import { createI18n } from "./i18n.js";
import { createLive } from "./live.js";
import { initSearch } from "./search.js";
import { createStore } from "./store.js";
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
  const collapse = createCollapse({ i18n });
  const view = createView({ store, i18n, collapse });
  let config = initial.config;
  initTheme({ button: document.getElementById("theme-toggle"), i18n });
  initSearch({ store, i18n, config: () => config });
  i18n.load(navigator.language);
  const live = createLive({
    store,
    i18n,
    config,
    resumeFrom: initial.lastEventId,
    onConfig(next) {
      config = next;
      setTitle(next.web.title);
      loadColors();
    },
  });
  window.startpunkt = {
    store,
    view,
    live,
    i18n,
    buildCard: (item, kind = "app") => buildCard(item, kind, i18n.t),
  };
  document.documentElement.dataset.ready = "true";
}

boot();
