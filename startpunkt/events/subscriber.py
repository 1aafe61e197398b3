"""One open stream as the broadcaster sees it: a cursor into the shared log, and why it ends.

Decisions about a single stream (must it end now? which bytes does it send next?), what is done
to its connection (its send buffer bounded, a watch for its client leaving, a reset when it is
cut), and the last resort for a stream stuck in a write. The log, the wake-ups and the
bookkeeping of all streams stay in the broadcaster.
"""

from __future__ import annotations

import contextlib
import errno
import logging
import socket
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gevent
import greenlet

from startpunkt.events.replay import EventLog

log = logging.getLogger(__name__)

CUT = frozenset({"overflow", "stalled", "client_gone"})
"""Ends after which nothing more is sent: the client is too far behind, stopped reading, or left."""
_RESET = struct.pack("ii", 1, 0)
"""SO_LINGER on with a timeout of 0: `close` resets the connection and frees its buffers."""


class Refused(Exception):
    """No stream for this request: a limit is reached or the worker is shutting down."""

    def __init__(self, reason: str, retry_after: int) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after


@dataclass(eq=False, slots=True)
class Subscriber:
    """One open stream: where it is in the log and why (if at all) it must end."""

    client: str
    cursor: int
    """The next sequence number to send."""
    deadline: float
    preamble: bytes | None
    """The first bytes (retry, heartbeat, RESYNC), until the first read takes them."""
    socket: Any = None
    """The server's socket while a greenlet serves the stream; ours once it was handed over."""
    beat: int = 0
    """The heartbeat generation this stream last sent (or made unnecessary)."""
    ended: str | None = None
    """Why the server ends this stream (overflow, lifetime, shutdown, disabled)."""
    greenlet: greenlet.greenlet | None = None
    """The greenlet serving the stream, or draining it once it was handed over."""
    handed_over: float | None = None
    """When the last chunk went to the server to write (or a drain began); None while idle."""
    send: Callable[[bytes], int] | None = None
    """The socket's non-blocking send once the connection was handed over (`writer`)."""
    pending: bytes = b""
    """Bytes a handed-over socket could not take at once: sent before anything else."""
    finished: bool = False
    """The terminating chunk is sent or owed: nothing may follow it."""
    unblocked: bool = False
    closed: bool = False
    watcher: Any = None
    """Watches the connection for its client leaving (an event-loop watcher), while it is open."""
    sent: int = 0
    """Bytes sent on the handed-over connection (`first` included), framing and all."""
    on_close: Callable[[Subscriber], None] | None = None
    """Called once when the stream is forgotten (its access-log line, `web/access.py`)."""


def cut(sub: Subscriber) -> bool:
    """True when the stream ends without being sent anything more."""
    return sub.ended in CUT


def why_end(
    sub: Subscriber, log: EventLog, *, now: float, queue_size: int, drain_timeout: float
) -> str | None:
    """ "lifetime", "overflow" (more than `queue_size` events behind), "stalled" (its write has
    not returned for `drain_timeout`), or None."""
    if now >= sub.deadline:
        return "lifetime"
    if sub.handed_over is not None and now - sub.handed_over > drain_timeout:
        return "stalled"
    if sub.cursor < log.oldest:
        return "overflow"
    # The first read sends a whole replay at once, so only later lag counts.
    lag = log.head - sub.cursor + 1
    if sub.preamble is None and lag > queue_size:
        return "overflow"
    return None


def take(sub: Subscriber, log: EventLog, *, beat: tuple[int, bytes] | None) -> bytes:
    """Everything `sub` has not sent, as one write; the heartbeat `beat` only if nothing else."""
    parts = []
    if sub.preamble is not None:
        parts.append(sub.preamble)
        sub.preamble = None
    if sub.cursor <= log.head:
        parts.append(log.since(sub.cursor))
        sub.cursor = log.head + 1
        if beat is not None:
            sub.beat = beat[0]  # events just sent prove the stream alive
    elif beat is not None and sub.beat != beat[0]:
        parts.append(beat[1])
        sub.beat = beat[0]
    return b"".join(parts)


def watch(
    sub: Subscriber,
    sock: Any,
    *,
    send_buffer: int,
    drain_timeout: float,
    gone: Callable[[Subscriber], None],
) -> None:
    """Bound what the kernel holds for `sub`'s connection (`bound`), and call `gone(sub)` (in
    the hub) as soon as it turns readable.

    A stream's client sends nothing after its request, so readable means it left: it closed
    (EOF, also a half-close, as nginx takes it), reset the connection, or sent bytes nobody
    will answer (a pipelined request); or the kernel gave up on it (`why_gone`). Watching
    costs no system call until then.
    """
    bound(sock, send_buffer=send_buffer, drain_timeout=drain_timeout)
    watcher = gevent.get_hub().loop.io(sock.fileno(), 1, ref=False)  # 1: readable
    watcher.start(gone, sub)
    sub.watcher = watcher


def bound(sock: Any, *, send_buffer: int, drain_timeout: float) -> None:
    """The send buffer is bounded (SO_SNDBUF), and TCP_USER_TIMEOUT makes the kernel abort the
    connection once the client's window has stayed shut, or sent bytes unacknowledged, for
    `drain_timeout`: a client that stops reading is cut even while the kernel still takes every
    write, which small events would do for minutes."""
    with contextlib.suppress(OSError):  # not TCP (a test's socket pair): only the buffer
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, send_buffer)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, int(drain_timeout * 1000))


def why_gone(sub: Subscriber) -> str:
    """Why a watched connection turned readable: "stalled" when the kernel timed it out (the
    drain timeout), else "client_gone"."""
    try:
        error = sub.socket.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    except (OSError, AttributeError):
        return "client_gone"
    return "stalled" if error == errno.ETIMEDOUT else "client_gone"


def unwatch(sub: Subscriber) -> None:
    """Stop watching; always before the connection is closed (its number may be reused)."""
    if sub.watcher is not None:
        sub.watcher.close()
        sub.watcher = None


def reset(sock: Any) -> None:
    """Make `close` reset the connection: the kernel drops what it still holds for the client
    at once, instead of keeping it (and retrying) for minutes after the stream was cut."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET)


def unblock(sub: Subscriber) -> None:
    """End a stream whose write never returns (the client stopped reading or left).

    When the server exposes the socket (gunicorn, the development server) it is shut down and
    will be reset on close, so the blocked send fails and the response closes; otherwise its
    greenlet is killed. Either way the stream's `finally` runs. Once per stream.
    """
    if sub.unblocked:
        return
    sub.unblocked = True
    if not cut(sub):  # a cut stream is logged once, when it is forgotten
        log.info("event stream of %s is stuck writing; closing it (%s)", sub.client, sub.ended)
    if sub.socket is not None:
        reset(sub.socket)
        with contextlib.suppress(OSError):
            sub.socket.shutdown(socket.SHUT_RDWR)
    elif isinstance(sub.greenlet, gevent.Greenlet):
        sub.greenlet.kill(block=False)
