// Live updates (SPEC §4, §5): one stream of /api/updates/stream while realtime is on, shared
// with the page's other tabs (tabs.js: one tab holds the EventSource, the others follow; this
// module sees an EventSource either way). On loss we close it and reconnect ourselves with
// exponential backoff (1 s doubling to 30 s, with jitter), resuming after the last event id: at
// first the one the page was rendered at, so nothing between render and connect is lost. While
// not connected we poll the REST API with ETags. The header indicator says which state we are
// in and since when.

import { url as rooted } from "./paths.js";

const GLYPHS = { connected: "●", connecting: "○", disconnected: "◌", polling: "◌" };
const ITEM_EVENTS = [
  "APPLICATION_ADDED", "APPLICATION_UPDATED", "APPLICATION_REMOVED",
  "BOOKMARK_ADDED", "BOOKMARK_UPDATED", "BOOKMARK_REMOVED", "STATUS_CHANGED",
];
export const ALL_EVENTS = [...ITEM_EVENTS, "CONFIG_CHANGED", "HEARTBEAT", "RESYNC"];
const MIN_DELAY = 1000;
const MAX_DELAY = 30000;

function canonical(value) {
  if (!value || typeof value !== "object" || Array.isArray(value)) return value;
  return Object.fromEntries(Object.keys(value).sort().map((k) => [k, canonical(value[k])]));
}

const same = (a, b) => JSON.stringify(canonical(a)) === JSON.stringify(canonical(b));

export function backoff(attempt, random = Math.random) {
  const base = Math.min(MAX_DELAY, MIN_DELAY * 2 ** attempt);
  return Math.min(MAX_DELAY, Math.round(base * (0.8 + 0.4 * random())));
}

export function createLive({ store, i18n, config, onConfig, resumeFrom, tabs }) {
  let cfg = config;
  let state = null;
  let since = new Date();
  let source = null;
  let lastEventId = resumeFrom || null;
  let attempt = 0;
  let reconnectTimer = null;
  let pollTimer = null;
  let polling = false;
  let buffered = null;
  let resyncs = 0;
  let echoes = 0; // item events after a RESYNC that only older clients need (its followedBy)
  const etags = new Map();
  const indicator = document.getElementById("connection");
  const appsUrl = rooted(store.tags.length
    ? `/api/apps/${encodeURIComponent(store.tags.join(","))}`
    : "/api/apps");

  const interval = () => Math.max(1, Number(cfg.web.refreshInterval) || 60) * 1000;
  const realtime = () => Boolean(cfg.realtime && cfg.realtime.enabled);

  function show() {
    const time = since.toLocaleTimeString(i18n.language());
    const text = `${i18n.t(`connection.${state}`, { seconds: interval() / 1000 })} ` +
      i18n.t("connection.since", { time });
    indicator.className = `connection connection--${state}`;
    indicator.dataset.state = state;
    indicator.title = text;
    indicator.querySelector(".connection__glyph").textContent = GLYPHS[state];
    indicator.querySelector(".connection__text").textContent = text;
  }

  function setState(next, { pollNow = false } = {}) {
    if (next !== state) {
      state = next;
      since = new Date();
    }
    show();
    if (state === "connected") {
      clearTimeout(pollTimer);
      pollTimer = null;
    } else if (pollNow) {
      clearTimeout(pollTimer);
      pollTimer = setTimeout(poll, 0);
    } else if (!pollTimer && !polling) {
      pollTimer = setTimeout(poll, interval());
    }
  }

  async function fetchGroups(url, conditional) {
    const headers = conditional && etags.has(url) ? { "If-None-Match": etags.get(url) } : {};
    const response = await fetch(url, { cache: "no-store", headers });
    if (response.status === 304) return null;
    if (!response.ok) throw new Error(`${url}: ${response.status}`);
    const body = await response.json();
    const groups = Array.isArray(body.groups) ? body.groups : [];
    return { url, etag: response.headers.get("ETag"), groups };
  }

  /** Load everything; a poll's answer is dropped if the stream came back meanwhile (newer). */
  async function refresh({ poll }) {
    const [apps, marks] = await Promise.all([
      fetchGroups(appsUrl, poll),
      fetchGroups(rooted("/api/bookmarks"), poll),
    ]);
    if (poll && state === "connected") return;
    for (const answer of [apps, marks]) {
      if (answer && answer.etag) etags.set(answer.url, answer.etag);
    }
    if (apps) store.replaceApplications(apps.groups.flatMap((g) => g.applications || []));
    if (marks) store.replaceBookmarks(marks.groups.flatMap((g) => g.bookmarks || []));
  }

  async function recheckConfig() {
    // No stream tells this page about config changes now (realtime may have been switched on).
    // REST wraps the config in {"config": …}; everything else here handles the config itself.
    const response = await fetch(rooted("/api/config"), { cache: "no-store" });
    const body = response.ok ? await response.json() : null;
    if (body && !same(body.config, cfg)) applyConfig(body.config);
  }

  async function poll() {
    pollTimer = null;
    polling = true;
    try {
      await refresh({ poll: true });
      await recheckConfig();
      // The server answers again: no need to wait out the backoff.
      if (realtime() && state === "disconnected" && reconnectTimer) connect();
    } catch {
      // Still unreachable; the indicator already says so.
    } finally {
      polling = false;
      if (state !== "connected" && !pollTimer) pollTimer = setTimeout(poll, interval());
    }
  }

  async function resync() {
    // Events arriving while the full state loads are applied after it, so none is lost.
    if (buffered) return;
    buffered = [];
    resyncs += 1;
    try {
      await refresh({ poll: false });
    } catch {
      // The next RESYNC or poll catches up.
    } finally {
      const events = buffered;
      buffered = null;
      for (const [type, data] of events) store.apply(type, data);
    }
  }

  /** `next` is the public config itself, as the page embeds it and CONFIG_CHANGED carries it. */
  function applyConfig(next) {
    if (!next || !next.web) return;
    const wasRealtime = realtime();
    cfg = { ...cfg, ...next };
    onConfig(cfg);
    if (!realtime()) {
      stop();
      setState("polling");
    } else if (!wasRealtime) {
      connect();
    } else {
      show();
    }
  }

  function handle(type, event) {
    if (event.lastEventId) lastEventId = event.lastEventId;
    let data = null;
    try {
      data = JSON.parse(event.data).data;
    } catch {
      return;
    }
    if (type === "RESYNC") {
      // The refetch covers the ordinary events the server adds for clients that ignore RESYNC.
      echoes = Number(data && data.followedBy) || 0;
      resync();
    } else if (type === "CONFIG_CHANGED") applyConfig(data);
    else if (ITEM_EVENTS.includes(type)) {
      if (echoes > 0) echoes -= 1;
      else if (buffered) buffered.push([type, data]);
      else store.apply(type, data);
    }
  }

  function stop() {
    clearTimeout(reconnectTimer);
    reconnectTimer = null;
    if (source) source.close();
    source = null;
  }

  function connect() {
    stop();
    setState("connecting");
    const es = tabs.open(lastEventId);
    source = es;
    es.onopen = () => {
      if (source !== es) return;
      attempt = 0;
      setState("connected");
    };
    // Another tab took over the shared stream and is reconnecting it.
    es.onconnecting = () => source === es && setState("connecting");
    for (const type of ALL_EVENTS) {
      es.addEventListener(type, (event) => source === es && handle(type, event));
    }
    es.onerror = () => {
      if (source !== es) return;
      const wasConnected = state === "connected";
      es.close();
      source = null;
      setState("disconnected", { pollNow: wasConnected });
      reconnectTimer = setTimeout(connect, backoff(attempt++));
    };
  }

  i18n.onChange(show);
  // The shared stream is back (another tab reconnected it): no need to wait out the backoff.
  tabs.onAvailable(() => {
    if (realtime() && state === "disconnected" && reconnectTimer) connect();
  });
  if (realtime()) connect();
  else setState("polling");

  return {
    state: () => state,
    lastEventId: () => lastEventId,
    resyncs: () => resyncs,
    refresh: () => refresh({ poll: false }),
  };
}
