"""EventBroadcaster: one shared event log, many streams reading it at their own pace.

Publishing serialises an event once, appends the frame to the log and schedules the `writer`,
which sends it to every handed-over stream's socket in one pass (almost every stream, under
gunicorn), and wakes the greenlets of the other streams with one hub callback; it never blocks
and never touches a client. Each stream (`subscriber`) is a cursor into the log; a woken
greenlet takes every frame it has not sent as one write. Every stream's connection is watched
for its client leaving, so a closed stream is forgotten at once, not at the next write. The
ticker greenlet sends heartbeats, ends streams at their lifetime, overflow or drain timeout and
unblocks stuck writers; the flusher greenlet publishes what the coalescer releases. Both run
only while there is work, so idle apps (and tests) hold none.
"""

from __future__ import annotations

import collections
import logging
import random
import secrets
import time
from collections.abc import Callable
from typing import Any

import gevent
import gevent.pool
import greenlet

from startpunkt import metrics, sse
from startpunkt.config import RealtimeSettings
from startpunkt.events import coalesce, parking, payloads, replay, subscriber, writer
from startpunkt.events.payloads import EventType
from startpunkt.events.subscriber import Refused, Subscriber
from startpunkt.model import Item

log = logging.getLogger(__name__)

TICK = 1.0
"""Seconds between ticker rounds: lifetime ends and stuck-writer checks are this precise."""
STUCK_AFTER = 1.0
"""A stream that must end but has been blocked writing this long gets its socket shut."""
LIFETIME_JITTER = 0.1
"""Lifetimes are shortened by up to 10 % so streams opened together do not all end together."""
RETRY_AFTER = 10
"""Seconds a refused client is asked to wait: long enough for streams to free up."""
RETRY_AFTER_SHUTDOWN = 2
"""During shutdown: come back soon, a replica or the restarted worker will answer."""


class EventBroadcaster:
    """Fan-out of catalog changes to every open stream of one app."""

    def __init__(
        self,
        realtime: Callable[[], RealtimeSettings],
        *,
        tasks: gevent.pool.Group | None = None,
        current: Callable[[], tuple[Item, ...]] = tuple,
    ) -> None:
        """`current` returns items of the current state (one application, one bookmark, or none)
        to follow the RESYNC of a client whose Last-Event-ID is unknown (see `_opening`)."""
        self.epoch = secrets.token_hex(4)
        """New per broadcaster (per process start): ids from elsewhere get RESYNC."""
        self.opened = 0
        self.closed = 0
        """Streams opened and streams whose cleanup ran; equal once all are gone."""
        self._realtime = realtime
        self._current = current
        self._tasks = tasks if tasks is not None else gevent.pool.Group()
        self._log = replay.EventLog()
        self._parking = parking.Parking()
        self._coalescer = coalesce.Coalescer()
        self._subscribers: dict[Subscriber, None] = {}
        self._bounds: tuple[int, float] | None = None
        """The send buffer and drain timeout open streams' connections were last given."""
        self._writer = writer.Writer(
            self._log,
            tasks=self._tasks,
            closed=self.unsubscribe,
            queue_size=lambda: self._realtime().client_queue_size,
        )
        self._per_client: collections.Counter[str] = collections.Counter()
        self._beat = 0
        self._beat_frame = b""
        self._preambles: tuple[Any, bytes] = (None, b"")
        self._closing = False
        self._stopped = False
        self._ticker: gevent.Greenlet | None = None
        self._flusher: gevent.Greenlet | None = None

    # -- publishing -------------------------------------------------------------------------

    def broadcast_event(self, kind: EventType, data: Any = None) -> str | None:
        """Send an event to every stream now; returns its id (HEARTBEAT has none).

        The public way for any code to push an event; catalog changes arrive through
        `item_changed` instead, which debounces them first.
        """
        if kind is EventType.HEARTBEAT:
            self._heartbeat()
            return None
        event_id = replay.format_id(self.epoch, self._log.head + 1)
        frame = payloads.frame(kind, data, event_id=event_id)
        limit = self._realtime().max_event_bytes
        if len(frame) > limit:
            frame, kind = self._too_large(kind, data, size=len(frame), limit=limit, id=event_id)
        self._log.append(frame, keep=self._retention())
        metrics.events_published.labels(kind.value).inc()
        self._wake()
        return event_id

    def _too_large(
        self, kind: EventType, data: Any, *, size: int, limit: int, id: str
    ) -> tuple[bytes, EventType]:
        """RESYNC in place of an event over `realtime.maxEventBytes`: clients refetch through
        REST, once, instead of every stream carrying it. Current items follow it as at an
        unknown id (see `_opening`), for clients that ignore RESYNC."""
        about = data.get("id") if isinstance(data, dict) else None
        log.warning(
            "a %s event%s of %d bytes is over realtime.maxEventBytes (%d); sending RESYNC instead",
            kind.value,
            f" about {str(about)[:200]}" if about else "",
            size,
            limit,
        )
        frames = self._follow_ups(self._current(), event_id=id, limit=limit)
        resync, resync_data = payloads.resync("too_large", followed_by=len(frames))
        return b"".join([payloads.frame(resync, resync_data, event_id=id), *frames]), resync

    def last_event_id(self) -> str:
        """The id of the newest event: a page rendered now can resume the stream from it."""
        return replay.format_id(self.epoch, self._log.head)

    def item_changed(self, old: Item | None, new: Item | None) -> None:
        """Queue a catalog change for the coalescer (None: absent before/after)."""
        self._coalescer.change(old, new, now=time.monotonic(), window=self._window())
        self._start_flusher()

    def config_changed(self, data: Any, *, enabled: bool = True) -> None:
        """Queue CONFIG_CHANGED; if realtime was switched off, send it now and end streams."""
        if not enabled:
            self.broadcast_event(EventType.CONFIG_CHANGED, data)
            self.end_all("disabled")
            return
        self._coalescer.config(data, now=time.monotonic(), window=self._window())
        self._start_flusher()
        self._rebound()

    def _rebound(self) -> None:
        """A changed `sendBufferBytes` or `drainTimeout` applies to open streams' connections
        too (the ticker's own drain check reads the settings each time anyway)."""
        settings = self._realtime()
        bounds = (settings.send_buffer_bytes, settings.drain_timeout)
        if bounds == self._bounds:
            return
        self._bounds = bounds
        for sub in self._subscribers:
            if sub.watcher is not None and sub.socket is not None:
                subscriber.bound(sub.socket, send_buffer=bounds[0], drain_timeout=bounds[1])

    def _heartbeat(self) -> None:
        self._beat += 1
        self._beat_frame = payloads.frame(EventType.HEARTBEAT, None, event_id=None)
        metrics.events_published.labels(EventType.HEARTBEAT.value).inc()
        self._writer.heartbeat(self._beat_frame)
        if len(self._parking):
            self._parking.wake_all()

    def _wake(self) -> None:
        """New frames in the log: the writer sends them on, parked stream greenlets take them."""
        self._writer.publish()
        if len(self._parking):
            self._parking.wake_all()

    # -- streams ----------------------------------------------------------------------------

    def client_count(self) -> int:
        return len(self._subscribers)

    def draining_count(self) -> int:
        """Handed-over streams whose client could not take everything at once (slow path)."""
        return self._writer.draining_count()

    def subscribe(
        self, *, last_event_id: str | None, client: str, socket: Any = None
    ) -> Subscriber:
        """Open a stream for `client` (its address), or raise Refused."""
        settings = self._realtime()
        refusal = self.refusal(client)
        if refusal is not None:
            raise self._refuse(*refusal)
        start = replay.resume(
            last_event_id, epoch=self.epoch, log=self._log, replay_size=settings.replay_size
        )
        lifetime = settings.max_stream_lifetime * (1 - LIFETIME_JITTER * random.random())
        sub = Subscriber(
            client=client,
            cursor=start.cursor,
            deadline=time.monotonic() + lifetime,
            preamble=self._preamble(start, settings.retry_ms),
            socket=socket,
            beat=self._beat,
        )
        if socket is not None:
            self._watch(sub, socket, settings)
        self._subscribers[sub] = None
        self._per_client[client] += 1
        self.opened += 1
        self._start_ticker()
        return sub

    def refusal(self, client: str) -> tuple[str, int] | None:
        """Why a stream for `client` would be refused now, and its Retry-After; None: it opens."""
        settings = self._realtime()
        if self._closing:
            return "shutting_down", RETRY_AFTER_SHUTDOWN
        if len(self._subscribers) >= settings.max_connections:
            return "max_connections", RETRY_AFTER
        if self._per_client[client] >= settings.max_connections_per_client:
            return "max_connections_per_client", RETRY_AFTER
        return None

    def first_chunk(self, sub: Subscriber) -> bytes:
        """The opening bytes of `sub` (retry, heartbeat, replay or RESYNC), at once."""
        return subscriber.take(sub, self._log, beat=None)

    def adopt(self, sub: Subscriber, sock: Any, first: bytes = b"") -> None:
        """Serve `sub` on `sock` from now on, without a greenlet (see `writer`).

        `sock` is the stream's connection, non-blocking, in a chunked HTTP/1.1 response that
        has sent, or whose `first` bytes send, everything up to `first_chunk`'s.
        """
        if sub.watcher is None:  # admitted early: `subscribe` had no socket yet
            self._watch(sub, sock, self._realtime())
        self._writer.adopt(sub, sock, first)

    def _watch(self, sub: Subscriber, sock: Any, settings: RealtimeSettings) -> None:
        subscriber.watch(
            sub,
            sock,
            send_buffer=settings.send_buffer_bytes,
            drain_timeout=settings.drain_timeout,
            gone=self._gone,
        )

    def _gone(self, sub: Subscriber) -> None:
        """The client left, or the kernel gave up on it (its connection turned readable): end
        its stream now (a stream already ending tries to send its rest, which fails at once).

        Called by the event loop, so it must not raise or block.
        """
        subscriber.unwatch(sub)
        if sub.closed:
            return
        if sub.ended is None:  # an end decided before (lifetime, shutdown) keeps its reason
            sub.ended = subscriber.why_gone(sub)
        if sub.send is not None:
            self._writer.end(sub)
        elif sub.greenlet is not None:
            self._parking.wake(sub.greenlet)

    def _preamble(self, start: replay.Resume, retry_ms: int) -> bytes:
        """`retry:` and the opening; the common one is reused for a second (10,000 clients may
        open within one, as after a restart), so its heartbeat's timestamp can be that much
        older."""
        follow = self._current() if start.resync is not None else ()
        key = (start, retry_ms, int(time.monotonic()), follow)
        if self._preambles[0] != key:
            self._preambles = (key, sse.encode(retry=retry_ms) + self._opening(start, follow))
        return self._preambles[1]

    def _opening(self, start: replay.Resume, follow: tuple[Item, ...]) -> bytes:
        """A HEARTBEAT at once; its id tells the client where it stands, unless it must RESYNC.

        A RESYNC here is followed, like a burst's, by ordinary events about `follow` (current
        items) so that clients which ignore RESYNC refetch too; only this client gets them.
        They are not in the log, so each carries the RESYNC's id: the position the client is
        in step with once it has them, and resuming from it replays nothing twice.
        """
        position = replay.format_id(self.epoch, start.cursor - 1)
        if start.resync is None:
            return payloads.frame(EventType.HEARTBEAT, None, event_id=position)
        frames = self._follow_ups(follow, event_id=position, limit=self._realtime().max_event_bytes)
        # No id on this heartbeat: a client cut off right after it must still see the RESYNC.
        heartbeat = payloads.frame(EventType.HEARTBEAT, None, event_id=None)
        resync = payloads.resync(start.resync, followed_by=len(frames))
        return b"".join([heartbeat, payloads.frame(*resync, event_id=position), *frames])

    @staticmethod
    def _follow_ups(items: tuple[Item, ...], *, event_id: str, limit: int) -> list[bytes]:
        """The frames of the ordinary events that follow a RESYNC about current `items`; one
        over `limit` (realtime.maxEventBytes) is left out, the other may still do."""
        return [
            frame
            for kind, data in payloads.follow_ups((None, item) for item in items)
            if len(frame := payloads.frame(kind, data, event_id=event_id)) <= limit
        ]

    def _refuse(self, reason: str, retry_after: int) -> Refused:
        metrics.streams_rejected.labels(reason).inc()
        log.debug("refused an event stream: %s", reason)
        return Refused(reason, retry_after)

    def next_chunk(self, sub: Subscriber) -> bytes | None:
        """Block until `sub` has bytes to send; None when the stream must end."""
        sub.handed_over = None
        sub.greenlet = greenlet.getcurrent()
        while True:
            if sub.ended is None:
                settings = self._realtime()
                sub.ended = subscriber.why_end(
                    sub,
                    self._log,
                    now=time.monotonic(),
                    queue_size=settings.client_queue_size,
                    drain_timeout=settings.drain_timeout,
                )
            if sub.ended is None:
                chunk = self._take(sub, heartbeat=True)
            elif not subscriber.cut(sub):
                chunk = self._take(sub, heartbeat=False)  # what was published before the end
            else:
                return None
            if chunk:
                sub.handed_over = time.monotonic()
                return chunk
            if sub.ended is not None:
                return None
            self._parking.park()

    def _take(self, sub: Subscriber, *, heartbeat: bool) -> bytes:
        beat = (self._beat, self._beat_frame) if heartbeat else None
        return subscriber.take(sub, self._log, beat=beat)

    def unsubscribe(self, sub: Subscriber) -> None:
        """Forget `sub`; safe to call twice (generator `finally` and response close both do)."""
        if sub.closed:
            return
        sub.closed = True
        subscriber.unwatch(sub)
        self._subscribers.pop(sub, None)
        self._per_client[sub.client] -= 1
        if self._per_client[sub.client] <= 0:
            del self._per_client[sub.client]
        self.closed += 1
        reason = sub.ended or "client_gone"
        metrics.stream_disconnects.labels(reason).inc()
        if reason in ("overflow", "stalled"):  # worth a line: a client that cannot keep up
            log.info("event stream of %s cut (%s); it may resume", sub.client, reason)
        else:  # the client left, or the server ended it: routine
            log.debug("event stream of %s ended: %s", sub.client, reason)
        if sub.on_close is not None:
            sub.on_close(sub)

    def end_all(self, reason: str) -> None:
        """End every open stream: served ones at once, the others at their next wake-up.

        Streams stuck writing end within ~2 s.
        """
        for sub in list(self._subscribers):
            if sub.ended is None:
                sub.ended = reason
            if sub.send is not None:
                self._writer.end(sub)
        self._parking.wake_all()

    def shutdown(self) -> None:
        """Refuse new streams and end the open ones: the worker is going away."""
        self._closing = True
        self.end_all("shutdown")

    # -- background greenlets ---------------------------------------------------------------

    def start(self) -> None:
        """Let the ticker and flusher run again (they start by themselves when work arrives)."""
        self._stopped = False
        self._start_ticker()
        self._start_flusher()

    def stop(self) -> None:
        """Kill the ticker and flusher and keep them from restarting."""
        self._stopped = True
        gevent.killall([g for g in (self._ticker, self._flusher) if g is not None])

    def _start_ticker(self) -> None:
        if self._ticker is None and self._subscribers and not self._stopped:
            self._ticker = self._tasks.spawn(self._tick_loop)

    def _start_flusher(self) -> None:
        if self._flusher is None and len(self._coalescer) and not self._stopped:
            self._flusher = self._tasks.spawn(self._flush_loop)

    def _tick_loop(self) -> None:
        """Heartbeats, lifetimes, stuck writers; ends when the last stream is gone."""
        try:
            next_beat = time.monotonic() + self._realtime().heartbeat_interval
            while self._subscribers:
                gevent.sleep(max(0.0, min(TICK, next_beat - time.monotonic())))
                now = time.monotonic()
                if now >= next_beat:
                    self._heartbeat()
                    next_beat = now + self._realtime().heartbeat_interval
                self._reap(now)
        finally:
            self._ticker = None

    def _reap(self, now: float) -> None:
        settings = self._realtime()
        queue_size, drain_timeout = settings.client_queue_size, settings.drain_timeout
        for sub in list(self._subscribers):
            if sub.send is not None:
                self._writer.reap(
                    sub, now=now, stuck_after=STUCK_AFTER, drain_timeout=drain_timeout
                )
                continue
            if sub.ended is None:
                sub.ended = subscriber.why_end(
                    sub, self._log, now=now, queue_size=queue_size, drain_timeout=drain_timeout
                )
                if sub.ended is not None and sub.greenlet is not None:
                    self._parking.wake(sub.greenlet)
            if sub.ended and sub.handed_over is not None and now - sub.handed_over > STUCK_AFTER:
                subscriber.unblock(sub)

    def _flush_loop(self) -> None:
        """Publish what the coalescer releases; ends when nothing is pending."""
        try:
            while (due := self._coalescer.next_due()) is not None:
                delay = due - time.monotonic()
                if delay > 0:
                    gevent.sleep(delay)
                for kind, data in self._coalescer.take_due(time.monotonic()):
                    try:
                        self.broadcast_event(kind, data)
                    except Exception:
                        log.exception("could not publish a %s event", kind)
        finally:
            self._flusher = None

    def _window(self) -> float:
        return self._realtime().event_debounce_ms / 1000

    def _retention(self) -> int:
        settings = self._realtime()
        return max(settings.replay_size, settings.client_queue_size) + 1
