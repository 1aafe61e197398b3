"""Direct delivery: one pass sends each new chunk to every caught-up socket, no greenlet each.

When the server hands a stream's connection over (under gunicorn: `web/early.py`,
`web/handover.py`), nobody waits on it: after a publish, one hub callback takes the new frames
from the log, encodes them once as one HTTP/1.1 chunk, and offers those bytes to every
caught-up socket with a non-blocking `send`. That is the whole per-client cost of an event: a
loop step and a system call. A socket that cannot take the chunk at once leaves the pass for the
slow path, a drainer greenlet of its own that waits until the socket is writable, sends the rest
and whatever the log gained meanwhile, and puts the stream back (or ends it on overflow). A
stalled client therefore costs the others one failed `send`, once, and nothing after that.

Ending a stream (lifetime, shutdown, realtime off) sends what it is still owed and the
terminating chunk, then closes the socket. A stream that is cut (overflow, a drain that did not
finish within `drainTimeout`, a client that left) is sent nothing more: its connection is reset,
so the kernel frees what it still held for the client at once.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable
from typing import Any

import gevent
import gevent.pool
import gevent.socket

from startpunkt.events import subscriber
from startpunkt.events.replay import EventLog
from startpunkt.events.subscriber import Subscriber

log = logging.getLogger(__name__)

LAST_CHUNK = b"0\r\n\r\n"
"""The end of a chunked response: the client sees the stream end cleanly."""


def chunk(data: bytes) -> bytes:
    """`data` as one chunk of HTTP/1.1 chunked transfer coding (the connection is mid-response)."""
    return b"%x\r\n%b\r\n" % (len(data), data)


class Writer:
    """The streams served directly, and the pass that writes new events to them."""

    def __init__(
        self,
        events: EventLog,
        *,
        tasks: gevent.pool.Group,
        closed: Callable[[Subscriber], None],
        queue_size: Callable[[], int],
    ) -> None:
        self._log = events
        self._tasks = tasks
        self._closed = closed
        self._queue_size = queue_size
        self._ready: dict[Subscriber, None] = {}
        """Streams with nothing owed: each has been sent everything before `position`."""
        self._draining: dict[Subscriber, None] = {}
        self.position = events.head + 1
        """The first sequence number the next pass sends."""
        self._scheduled = False
        self._sent_since_beat = False

    def draining_count(self) -> int:
        return len(self._draining)

    def adopt(self, sub: Subscriber, sock: Any, first: bytes = b"") -> None:
        """Serve `sub` on `sock` (non-blocking, mid-response) from now on, starting with `first`."""
        sub.socket = sock
        sub.send = sock.send
        sub.pending = first
        self._resume(sub)

    # -- the pass ---------------------------------------------------------------------------

    def publish(self) -> None:
        """New frames are in the log: write them to every ready stream when the hub runs next.

        Deferred so that events published together (a debounce window's batch) go out as one
        chunk, one `send` per client.
        """
        if not self._scheduled and self._ready:
            self._scheduled = True
            gevent.get_hub().loop.run_callback(self.flush)
        elif not self._ready:
            self.position = self._log.head + 1  # nobody to send to; draining streams catch up

    def flush(self) -> None:
        """Send every frame not yet sent to the ready streams, now."""
        self._scheduled = False
        head = self._log.head
        if self.position > head:
            return
        data = chunk(self._log.since(self.position))
        self.position = head + 1
        self._sent_since_beat = True
        self._offer(data)

    def heartbeat(self, frame: bytes) -> None:
        """Send a heartbeat to the ready streams, unless events went to them since the last."""
        if self._scheduled:
            self.flush()  # events published just before go first, and count as a sign of life
        if not self._sent_since_beat:
            self._offer(chunk(frame))
        self._sent_since_beat = False

    def _offer(self, data: bytes) -> None:
        """The loop the module exists for: one non-blocking send per ready socket."""
        size = len(data)
        behind: list[tuple[Subscriber, int]] = []
        for sub in self._ready:
            try:
                sent = sub.send(data)
            except BlockingIOError:
                sent = 0
            except OSError:
                sent = -1
            if sent != size:
                behind.append((sub, sent))
            else:
                sub.sent += size
        for sub, sent in behind:
            self._unready(sub)
            if sent < 0:
                self._close(sub)
            else:
                sub.sent += sent
                sub.pending = data[sent:]
                self._drain(sub)

    # -- one stream -------------------------------------------------------------------------

    def _resume(self, sub: Subscriber) -> None:
        """Send `sub` what it is owed without waiting; ready if that was all, else drain."""
        if subscriber.cut(sub):  # its client left before it was handed over
            self._close(sub)
            return
        owed = self._owed(sub)
        if owed:
            try:
                sent = sub.send(owed)
            except BlockingIOError:
                sent = 0
            except OSError:
                self._close(sub)
                return
            sub.sent += sent
            if sent < len(owed):
                sub.pending = owed[sent:]
                self._drain(sub)
                return
        if sub.ended is not None:
            self._close(sub)  # the terminating chunk went out with the rest
        else:
            self._ready[sub] = None

    def _owed(self, sub: Subscriber) -> bytes:
        """What `sub` must be sent before it is ready (or, once ended, before it closes)."""
        parts = [sub.pending] if sub.pending else []
        sub.pending = b""
        upto = self._log.head + 1 if sub.ended is not None else self.position
        if sub.cursor < upto:
            parts.append(chunk(self._log.since(sub.cursor, upto)))
            sub.cursor = upto
        if sub.ended is not None and not sub.finished:
            parts.append(LAST_CHUNK)
            sub.finished = True
        return b"".join(parts)

    def end(self, sub: Subscriber) -> None:
        """End `sub` (its `ended` says why): send what it is owed and the last chunk, close."""
        if sub.closed:
            return
        if sub in self._draining:
            if subscriber.cut(sub):
                self.unblock(sub)
            return  # otherwise its drainer sends the rest and the last chunk
        if subscriber.cut(sub):
            self._close(sub)
            return
        self.flush()  # what was published before the end still goes out
        if sub in self._ready:
            self._unready(sub)
        self._resume(sub)

    def reap(
        self, sub: Subscriber, *, now: float, stuck_after: float, drain_timeout: float
    ) -> None:
        """The ticker's look at one stream: lifetime; overflow or a drain taking longer than
        `drain_timeout`; a stream that must end but whose drain is stuck."""
        if sub.ended is None:
            if now >= sub.deadline:
                sub.ended = "lifetime"
            elif sub in self._draining:
                if self.lagging(sub):
                    sub.ended = "overflow"
                elif sub.handed_over is not None and now - sub.handed_over > drain_timeout:
                    sub.ended = "stalled"
            if sub.ended is not None:
                self.end(sub)
        elif sub.handed_over is not None and now - sub.handed_over > stuck_after:
            self.unblock(sub)

    def _unready(self, sub: Subscriber) -> None:
        del self._ready[sub]
        sub.cursor = self.position  # a ready stream has been sent everything before it

    def lagging(self, sub: Subscriber) -> bool:
        """True when a draining stream is further behind than its queue allows."""
        return sub.cursor < self._log.oldest or self.position - sub.cursor > self._queue_size()

    def _drain(self, sub: Subscriber) -> None:
        self._draining[sub] = None
        sub.handed_over = time.monotonic()
        sub.greenlet = self._tasks.spawn(self._drain_loop, sub)
        # Cleanup in a link, not a `finally`: it also runs for a drainer killed before it started.
        sub.greenlet.rawlink(lambda drainer: self._drained(sub, drainer))

    def _drain_loop(self, sub: Subscriber) -> None:
        """The slow path of one stream: wait until writable, send, catch up, rejoin."""
        while True:
            if sub.ended is None and self.lagging(sub):
                sub.ended = "overflow"
            if subscriber.cut(sub):
                return
            if not sub.pending:
                sub.pending = self._owed(sub)
            if not sub.pending:
                if sub.ended is None:
                    del self._draining[sub]
                    sub.handed_over = None
                    self._ready[sub] = None
                return
            gevent.socket.wait_write(sub.socket.fileno())
            try:
                sent = sub.send(sub.pending)
            except BlockingIOError:
                continue
            except OSError:
                return
            sub.sent += sent
            sub.pending = sub.pending[sent:]

    def _drained(self, sub: Subscriber, drainer: gevent.Greenlet) -> None:
        if sub.greenlet is not drainer:
            return  # it rejoined and a newer drainer owns the stream now
        sub.greenlet = None
        if sub in self._draining:  # it did not rejoin: ended, overflowed, gone or killed
            del self._draining[sub]
            self._close(sub)

    def unblock(self, sub: Subscriber) -> None:
        """Give up on a draining stream: it overflowed, or must end but its client is stuck."""
        if sub.greenlet is not None and not sub.unblocked:
            sub.unblocked = True
            if not subscriber.cut(sub):  # a cut stream is logged once, when it is forgotten
                log.info("event stream of %s takes nothing; closing it (%s)", sub.client, sub.ended)
            sub.greenlet.kill(block=False)

    def _close(self, sub: Subscriber) -> None:
        self._ready.pop(sub, None)
        subscriber.unwatch(sub)
        if sub.socket is not None:
            if sub.pending or not sub.finished:  # cut, or its last bytes never went out
                subscriber.reset(sub.socket)
            with contextlib.suppress(OSError):
                sub.socket.close()
        sub.pending = b""
        self._closed(sub)
