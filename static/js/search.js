// Search over applications and bookmarks of every cluster, whatever the cluster filter shows
// (name, group, info, tags, cluster). `/` or typing anywhere outside a field opens it; arrows
// move, Enter opens (new tab when the item asks for it), Esc closes. A query starting with `?` searches the web with the configured engine.

import { avatarLetter, avatarStyle, el, safeUrl } from "./cards.js";

const MAX_RESULTS = 30;

function haystack(item) {
  return [item.name, item.group, item.info || "", item.tags || "", item.cluster || ""]
    .join("\n").toLowerCase();
}

function score(item, words) {
  const name = item.name.toLowerCase();
  const tags = (item.tags || "").toLowerCase().split(",").map((t) => t.trim());
  let total = 0;
  for (const word of words) {
    if (name.startsWith(word)) total += 0;
    else if (name.includes(word)) total += 1;
    else if (tags.includes(word)) total += 2;
    else total += 3;
  }
  return total;
}

/** Items matching every word of `query`, best first. */
export function match(entries, query) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  if (!words.length) return entries.slice(0, MAX_RESULTS);
  return entries
    .filter((e) => words.every((w) => haystack(e.item).includes(w)))
    .map((e, order) => ({ e, s: score(e.item, words), order }))
    .sort((a, b) => a.s - b.s || a.order - b.order)
    .slice(0, MAX_RESULTS)
    .map((x) => x.e);
}

function typingTarget(node) {
  return node instanceof HTMLElement &&
    (node.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(node.tagName));
}

export function initSearch({ store, i18n, config }) {
  const dialog = document.getElementById("search");
  const input = document.getElementById("search-input");
  const list = document.getElementById("search-results");
  const trigger = document.getElementById("search-open");
  let results = [];
  let selected = 0;
  let returnFocus = null;

  function entries() {
    // The layout preference hiding unavailable applications hides them here too.
    const hideDown = document.documentElement.hasAttribute("data-hide-unavailable");
    const of = (section, kind) => store.groups(section).flatMap((g) => g.items
      .filter((item) => !(hideDown && item.available === false))
      .map((item) => ({ kind, item })));
    return [...of("apps", "app"), ...of("bookmarks", "bookmark")];
  }

  function webUrl(query) {
    const engine = config().web.searchEngine || "";
    return safeUrl(engine.replace("{query}", encodeURIComponent(query)));
  }

  /** `text` with the first occurrence of any query word wrapped in <mark>, as text nodes. */
  function marked(text, words) {
    const lower = text.toLowerCase();
    let at = -1;
    let length = 0;
    for (const word of words) {
      const found = lower.indexOf(word);
      if (found >= 0 && (at < 0 || found < at)) [at, length] = [found, word.length];
    }
    if (at < 0) return [document.createTextNode(text)];
    return [document.createTextNode(text.slice(0, at)), el("mark", "", text.slice(at, at + length)),
      document.createTextNode(text.slice(at + length))];
  }

  function option(id, title, detail, badge, item, words = []) {
    const li = el("li", "result");
    li.id = id;
    li.setAttribute("role", "option");
    const icon = el("span", "result__icon", item ? avatarLetter(item.name) : "?");
    icon.setAttribute("aria-hidden", "true");
    if (item) icon.setAttribute("style", avatarStyle(item));
    const text = el("span", "result__text");
    const name = el("span", "result__name");
    name.append(...marked(title, words));
    text.append(name, el("span", "result__detail", detail));
    li.append(icon, text, el("span", "result__badge", badge));
    return li;
  }

  function render() {
    const query = input.value;
    list.replaceChildren();
    if (query.startsWith("?")) {
      const terms = query.slice(1).trim();
      results = terms && webUrl(terms) ? [{ kind: "web", url: webUrl(terms), terms }] : [];
    } else {
      results = match(entries(), query.trim());
    }
    selected = Math.min(selected, Math.max(0, results.length - 1));
    results.forEach((r, i) => {
      let li;
      if (r.kind === "web") {
        const title = i18n.t("search.webSearch", { query: r.terms });
        li = option(`result-${i}`, title, r.url, "↗", null);
      } else {
        const down = r.item.available === false;
        const many = document.documentElement.dataset.clusters === "many";
        const detail = [many ? r.item.cluster : null, r.item.group, r.item.info]
          .filter(Boolean).join(" · ");
        const badge = down ? i18n.t("status.unavailable") : i18n.t(`search.resultsBadge.${r.kind}`);
        const words = query.toLowerCase().split(/\s+/).filter(Boolean);
        li = option(`result-${i}`, r.item.name, detail, badge, r.item, words);
        if (down || !safeUrl(r.item.url)) li.classList.add("result--disabled");
      }
      li.setAttribute("aria-selected", String(i === selected));
      li.addEventListener("mousemove", () => select(i));
      li.addEventListener("click", () => { select(i); openSelected(); });
      list.append(li);
    });
    if (!results.length) {
      const empty = el("li", "result result--empty", i18n.t("search.noResults"));
      empty.setAttribute("role", "presentation");
      list.append(empty);
    }
    updateActive();
  }

  function updateActive() {
    list.querySelectorAll("[role=option]").forEach((li, i) => {
      li.setAttribute("aria-selected", String(i === selected));
    });
    const current = results.length ? document.getElementById(`result-${selected}`) : null;
    if (current) {
      input.setAttribute("aria-activedescendant", current.id);
      current.scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function select(i) {
    if (!results.length) return;
    selected = (i + results.length) % results.length;
    updateActive();
  }

  function openSelected() {
    const r = results[selected];
    if (!r) return;
    if (r.kind === "web") {
      close();
      window.location.assign(r.url);
      return;
    }
    const url = safeUrl(r.item.url);
    if (!url || r.item.available === false) return;
    close();
    if (r.item.targetBlank) window.open(url, "_blank", "noopener,noreferrer");
    else window.location.assign(url);
  }

  function open(initial = "") {
    if (dialog.hidden) returnFocus = document.activeElement;
    dialog.hidden = false;
    document.body.classList.add("searching");
    input.value = initial;
    selected = 0;
    render();
    input.focus();
  }

  function close() {
    if (dialog.hidden) return;
    dialog.hidden = true;
    document.body.classList.remove("searching");
    (returnFocus && returnFocus.isConnected ? returnFocus : trigger).focus();
  }

  input.addEventListener("input", () => { selected = 0; render(); });
  input.addEventListener("keydown", (event) => {
    if (event.key === "ArrowDown") { event.preventDefault(); select(selected + 1); }
    else if (event.key === "ArrowUp") { event.preventDefault(); select(selected - 1); }
    else if (event.key === "Enter") { event.preventDefault(); openSelected(); }
    else if (event.key === "Escape") { event.preventDefault(); close(); }
    else if (event.key === "Tab") event.preventDefault();
  });
  dialog.addEventListener("click", (event) => {
    if (event.target.closest("[data-close]")) close();
  });
  trigger.addEventListener("click", () => open(""));
  document.addEventListener("keydown", (event) => {
    if (!dialog.hidden || event.defaultPrevented || typingTarget(event.target)) return;
    if (event.ctrlKey || event.metaKey || event.altKey || event.isComposing) return;
    if (event.key === "/") {
      event.preventDefault();
      open("");
    } else if (event.key.length === 1 && event.key !== " ") {
      event.preventDefault();
      open(event.key);
    }
  });
  store.onChange(() => { if (!dialog.hidden) render(); });
  i18n.onChange(() => { if (!dialog.hidden) render(); });
  return { open, close };
}
