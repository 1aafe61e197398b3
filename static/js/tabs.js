// One event stream for all tabs of this page (SPEC §5). Over HTTP/1.1 a browser keeps at most 6
// connections per host, so seven tabs each holding a stream would starve the seventh. Here one
// tab, the leader, holds the EventSource and relays every event over a BroadcastChannel; the
// others follow. When the leader goes, another tab takes over and resumes the stream from the
// last event id it relayed, so the server replays whatever fell in between.
//
// Who leads: the holder of a Web Lock (released by the browser the moment its tab closes or
// crashes). Where Web Locks are missing (pages served over plain http to another host are not a
// secure context), tabs elect over the channel itself: the leader says it is alive every second
// and goodbye on pagehide, and a follower that hears neither for 3 s claims the lead; the latest
// claim wins. Without BroadcastChannel each tab keeps its own stream, as before.
//
// live.js does not know which case it is in: `open(lastEventId)` returns an object that behaves
// like an EventSource (addEventListener, onopen, onerror, close), plus `onconnecting` for the
// moment a new leader reconnects. A tab (re)joining the stream gets the events after its own
// last id from the leader's recent events, or a RESYNC when they are no longer known.

const RING = 256;
const ALIVE_MS = 1000;
const SILENCE_MS = 3000;
const CLAIM_MS = 150;
const HELLO_MS = 250;

function randomId() {
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`;
}

/** An EventSource look-alike handed to live.js; the hub feeds it. */
class Stream {
  constructor(hub) {
    this.hub = hub;
    this.listeners = new Map();
    this.joined = false;
    this.closed = false;
    this.onopen = null;
    this.onerror = null;
    this.onconnecting = null;
  }

  addEventListener(type, listener) {
    if (!this.listeners.has(type)) this.listeners.set(type, []);
    this.listeners.get(type).push(listener);
  }

  dispatch(type, data, lastEventId) {
    if (this.closed) return;
    if (lastEventId) this.after = lastEventId;
    const event = { type, data, lastEventId: lastEventId || "" };
    for (const listener of this.listeners.get(type) || []) listener(event);
  }

  fire(name) {
    if (!this.closed && typeof this[name] === "function") this[name]();
  }

  close() {
    if (this.closed) return;
    this.closed = true;
    this.hub.release(this);
  }
}

export function createTabs({ streamUrl, channelName, events, resumeFrom }) {
  const me = randomId();
  const channel = typeof BroadcastChannel === "function" ? new BroadcastChannel(channelName) : null;
  const locks = channel && navigator.locks && typeof navigator.locks.request === "function"
    ? navigator.locks : null;
  let leading = !channel;
  let term = 0;
  let leaderId = null;
  let leaderSeen = 0;
  let claiming = null;
  let current = null;
  let source = null;
  let status = "closed";
  let lastId = resumeFrom || null;
  const ring = [];
  const availableListeners = [];
  let takenOverAt = 0;

  function post(message) {
    if (channel) channel.postMessage({ ...message, from: me });
  }

  function record(type, data, id) {
    if (!id) return;
    lastId = id;
    if (type === "HEARTBEAT") return;
    ring.push({ type, data, id });
    if (ring.length > RING) ring.splice(0, ring.length - RING);
  }

  /** The events after `after`, or null when `after` is not among the recent ones. */
  function since(after) {
    if (!after || after === lastId) return after === lastId ? [] : null;
    const at = ring.findIndex((e) => e.id === after);
    return at < 0 ? null : ring.slice(at + 1);
  }

  function deliver(stream, replay) {
    if (replay === null) {
      stream.dispatch("RESYNC", JSON.stringify({ type: "RESYNC", data: { reason: "tabs" } }), "");
    } else {
      for (const e of replay) stream.dispatch(e.type, e.data, e.id);
    }
  }

  function setStatus(next) {
    status = next;
    if (!leading) return;
    post({ kind: "status", status, term });
    if (current && current.joined) announce(current);
  }

  function announce(stream) {
    if (status === "open") stream.fire("onopen");
    else if (status === "error") stream.fire("onerror");
    else if (status === "connecting") stream.fire("onconnecting");
  }

  // The leader's own EventSource.
  function connect() {
    if (source) return;
    const query = lastId ? `?lastEventId=${encodeURIComponent(lastId)}` : "";
    const es = new EventSource(streamUrl + query);
    source = es;
    setStatus("connecting");
    es.onopen = () => source === es && setStatus("open");
    for (const type of events) {
      es.addEventListener(type, (event) => {
        if (source !== es) return;
        record(type, event.data, event.lastEventId);
        post({ kind: "event", type, data: event.data, id: event.lastEventId, term });
        if (current && current.joined) current.dispatch(type, event.data, event.lastEventId);
      });
    }
    es.onerror = () => {
      if (source !== es) return;
      es.close();
      source = null;
      setStatus("error");
    };
  }

  function disconnect() {
    if (source) source.close();
    source = null;
    if (leading && status !== "closed" && status !== "error") setStatus("error");
    status = "closed";
  }

  function lead() {
    if (leading) return;
    leading = true;
    leaderId = me;
    claiming = null;
    takenOverAt = Date.now();
    post({ kind: "lead", term });
    if (current) join(current);
  }

  /** Whether a message from `from` in `fromTerm` comes from the leader to follow. */
  function outranks(from, fromTerm) {
    if (locks || from === leaderId || !leaderId) return true;
    const known = leading ? me : leaderId;
    return fromTerm > term || (fromTerm === term && from > known);
  }

  function follow(leader, leaderTerm) {
    leaderSeen = Date.now();
    if (leader === leaderId) return;
    const wasLeading = leading;
    leaderId = leader;
    term = Math.max(term, leaderTerm || 0);
    if (wasLeading) {
      leading = false;
      if (source) source.close();
      source = null;
      status = "closed";
    }
    if (current) join(current);
  }

  function join(stream) {
    stream.joined = false;
    if (leading) {
      stream.joined = true;
      deliver(stream, since(stream.after));
      if (source) announce(stream);
      else connect();
    } else {
      post({ kind: "join", after: stream.after });
    }
  }

  function onMessage({ data: m }) {
    if (!m || m.from === me) return;
    switch (m.kind) {
      case "event":
        if (!outranks(m.from, m.term)) break;
        follow(m.from, m.term);
        record(m.type, m.data, m.id);
        if (current && current.joined) current.dispatch(m.type, m.data, m.id);
        break;
      case "status":
        if (!outranks(m.from, m.term)) break;
        follow(m.from, m.term);
        status = m.status;
        if (current && current.joined) announce(current);
        else if (!current && status === "open") for (const listener of availableListeners) listener();
        break;
      case "join":
        if (leading) {
          post({ kind: "welcome", to: m.from, status: source ? status : "error",
            replay: since(m.after), lastId, term });
        }
        break;
      case "welcome":
        if (m.to !== me || leading) break;
        follow(m.from, m.term);
        if (current && !current.joined) {
          current.joined = true;
          deliver(current, m.replay);
          status = m.status;
          announce(current);
        }
        break;
      case "lead":
      case "alive":
        if (outranks(m.from, m.term)) follow(m.from, m.term);
        else if (leading) post({ kind: "alive", term });
        break;
      case "hello":
        if (leading) post({ kind: "alive", term });
        break;
      case "claim":
        if (leading && m.term <= term) post({ kind: "alive", term });
        else if (claiming && (m.term > claiming.term || (m.term === claiming.term && m.from > me))) {
          claiming = null;  // the other claim wins; give it time to lead
          leaderSeen = Date.now();
        }
        break;
      case "bye":
        if (m.from === leaderId && !locks) {
          leaderId = null;
          leaderSeen = 0;
          setTimeout(claim, Math.random() * 50);
        }
        break;
      default:
    }
  }

  // Election without Web Locks: the latest claim wins; ties go to the larger tab id.
  function claim() {
    if (leading || claiming || Date.now() - leaderSeen < SILENCE_MS) return;
    const mine = { term: term + 1 };
    claiming = mine;
    post({ kind: "claim", term: mine.term });
    setTimeout(() => {
      if (claiming !== mine) return;
      term = mine.term;
      lead();
    }, CLAIM_MS);
  }

  if (channel) {
    channel.onmessage = onMessage;
    if (locks) {
      locks.request(channelName, () => new Promise(() => lead()));
    } else {
      post({ kind: "hello" });
      setTimeout(claim, HELLO_MS);
      setInterval(() => {
        if (leading) post({ kind: "alive", term });
        else claim();
      }, ALIVE_MS);
    }
    window.addEventListener("pagehide", () => {
      if (leading) post({ kind: "bye", term });
    });
  }

  return {
    /** A stream of the page's events, resuming after `after` (the caller's last event id). */
    open(after) {
      if (current) current.close();
      const stream = new Stream({ release });
      stream.after = after || null;
      current = stream;
      join(stream);
      return stream;
    },
    /** `listener()` runs in a follower when the leader's stream opens while this tab has none. */
    onAvailable(listener) { availableListeners.push(listener); },
    role: () => (!channel ? "solo" : leading ? "leader" : "follower"),
    /** When this tab became the leader (ms since the epoch), 0 if it never did. */
    takenOverAt: () => takenOverAt,
    lastEventId: () => lastId,
  };

  function release(stream) {
    if (current !== stream) return;
    current = null;
    if (leading) disconnect();
  }
}
