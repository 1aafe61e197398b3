"""Event streams admitted before gunicorn parses the request: the lean way in, under gunicorn.

Opening a stream through gunicorn and Flask costs about 350 µs of CPU per connection here, most
of it gunicorn's pure-Python request parsing and per-request bookkeeping, and Flask's request
context, routing and response object; nginx needs about 60 µs (bench/README.md). 10,000 pages
reconnecting at once (a restart, a network blip) would wait seconds for that.

So, under gunicorn, each new connection first gets a look (`MSG_PEEK`, nothing is consumed):
if its first request is a plain `GET` of the stream's route, HTTP/1.1, complete, without a
body, an `Origin` (CORS is decided by the Flask app) or anything else unusual, and the stream
may open, it is admitted here with the same admission (`EventBroadcaster.subscribe`), headers
and first bytes as the blueprint's view, in one `send`, and handed to the broadcaster's writer.
Every other connection, and every doubt, goes to gunicorn and Flask untouched: the blueprint
(web/stream.py) stays the endpoint's definition and serves everything this does not. With
gunicorn's access log on, `access` writes each stream's line through it when the stream ends.
Installed by the `post_worker_init` hook.
"""

from __future__ import annotations

import _socket
import email.utils
import gc
import re
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask

from startpunkt import events, runtime
from startpunkt.events import writer
from startpunkt.web import access, proxies, stream

MAX_HEAD = 8192
"""Longer request heads go to gunicorn (its own limits are 4094 per line and 8190 per field)."""
MAX_FIELDS = 100
WAIT = 5.0
"""Seconds a new connection may take to send its request before gunicorn takes it over."""
_REQUEST_LINE = re.compile(rb"GET (/[!-~]*) HTTP/1\.1")
_FIELD = re.compile(rb"([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*([ -~\t]*?)[ \t]*")
_REFUSED_FIELDS = frozenset(
    {"origin", "content-length", "transfer-encoding", "expect", "upgrade", "http2-settings"}
)
"""Fields that make a request more than a plain stream request: Flask and gunicorn decide."""


@dataclass(frozen=True)
class StreamRequest:
    """What admission needs from a plain stream request."""

    size: int
    """Bytes of the request head, to consume once admitted."""
    last_event_id: str | None
    forwarded_for: str
    target: str
    """The request target as sent (path and query), for the access log."""
    fields: dict[str, str]
    """Header fields by lower-case name, for the access log."""


def parse(head: bytes, paths: frozenset[str]) -> StreamRequest | None:
    """A complete, plain `GET` of one of `paths` making up `head`; None for anything else."""
    end = head.find(b"\r\n\r\n")
    if end < 0 or end + 4 != len(head):  # incomplete, or more bytes behind it (pipelining)
        return None
    request_line, *lines = head[:end].split(b"\r\n")
    match = _REQUEST_LINE.fullmatch(request_line)
    if match is None or len(lines) > MAX_FIELDS:
        return None
    raw_target = match.group(1).decode("ascii")
    target, _, query = raw_target.partition("?")
    if target not in paths:
        return None
    if query and _query_value(query, "scope") not in (None, "all"):
        return None  # another stream (`scope=local`, for followers) or an error: the view decides
    fields: dict[str, str] = {}
    for line in lines:
        field = _FIELD.fullmatch(line)
        if field is None:  # obsolete line folding, bytes outside ASCII, no colon
            return None
        name, value = field.group(1).decode().lower(), field.group(2).decode()
        if name in _REFUSED_FIELDS or (name in fields and name != "x-forwarded-for"):
            return None
        fields[name] = f"{fields[name]},{value}" if name in fields else value
    if "host" not in fields:
        return None
    last_id = fields.get("last-event-id") or (query and _query_value(query, "lastEventId")) or None
    return StreamRequest(len(head), last_id, fields.get("x-forwarded-for", ""), raw_target, fields)


def _query_value(query: str, name: str) -> str | None:
    for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True):
        if key == name:
            return value
    return None


class Admission:
    """Admits plain stream requests of one app straight from the socket."""

    def __init__(self, app: Flask) -> None:
        self._app = app
        self._runtime = runtime.get(app)
        [rule] = [r.rule for r in app.url_map.iter_rules("stream.updates")]
        self._rule = rule
        # Under `web.rootPath` the app is mounted by a middleware that keeps its `prefix`; it
        # serves the route with and without it (a proxy may strip it), and so does this.
        self.paths = frozenset({rule, getattr(app.wsgi_app, "prefix", "") + rule})
        self._fields_for: tuple[Any, bytes, list[tuple[str, str]]] = (None, b"", [])
        self._date = (0, b"")

    def admit(self, client: Any, addr: Any) -> bool:
        """Serve `client` as a stream if its request is a plain one; False leaves it untouched."""
        realtime = self._runtime.settings.realtime
        if not realtime.enabled or hasattr(client, "getpeercert") or not isinstance(addr, tuple):
            return False
        request = self._peek(client)
        if request is None:
            return False
        broadcaster: events.EventBroadcaster = self._runtime.broadcaster
        address = proxies.client_address(request.forwarded_for, addr[0], self._runtime.proxies)
        if broadcaster.refusal(address) is not None:
            return False  # the view answers it: 503, or "come back" while shutting down
        sub = broadcaster.subscribe(last_event_id=request.last_event_id, client=address)
        # From here on the connection is ours, whatever happens.
        try:
            client.recv(request.size)  # the head, already here: consumed, not parsed again
        except OSError:  # reset between the look and now: nothing left to serve
            broadcaster.unsubscribe(sub)
            client.close()
            return True
        sock = _socket.socket(fileno=client.detach())  # gunicorn's `close` now does nothing
        sock.setblocking(False)
        head = self._head()
        if self._runtime.access_log is not None:
            self._runtime.access_log.opened_early(
                sub,
                target=request.target,
                fields=request.fields,
                peer=addr,
                head_size=len(head),
                headers=self._fields_for[2],
            )
        broadcaster.adopt(sub, sock, head + writer.chunk(broadcaster.first_chunk(sub)))
        return True

    def _peek(self, client: Any) -> StreamRequest | None:
        client.settimeout(WAIT)
        try:
            head = client.recv(MAX_HEAD, _socket.MSG_PEEK)
        except OSError:  # includes the timeout: gunicorn sees the same and deals with it
            return None
        finally:
            client.settimeout(None)
        return parse(head, self.paths)

    def _head(self) -> bytes:
        """The response head, as gunicorn would write it but for `Server` (and one `send`)."""
        now = int(time.time())
        if self._date[0] != now:
            self._date = (now, email.utils.formatdate(now, usegmt=True).encode())
        return (
            b"HTTP/1.1 200 OK\r\nDate: %s\r\nConnection: close\r\n%s"
            b"Transfer-Encoding: chunked\r\n\r\n" % (self._date[1], self._fields())
        )

    def _fields(self) -> bytes:
        """The header fields the app gives a plain stream response (its `after_request` hooks
        included), worked out again whenever the settings change."""
        settings = self._runtime.settings
        if self._fields_for[0] is not settings:
            with self._app.test_request_context(self._rule, headers={"Host": "localhost"}):
                response = self._app.process_response(stream.plain_response())
            headers = response.headers.to_wsgi_list()
            fields = b"".join(
                b"%s: %s\r\n" % (name.encode("latin-1"), value.encode("latin-1"))
                for name, value in headers
            )
            self._fields_for = (settings, fields, headers)
        return self._fields_for[1]


def post_worker_init(worker: Any) -> None:
    """gunicorn hook: believe X-Forwarded-For from the proxies gunicorn trusts, write every
    stream's line to gunicorn's access log (when on), admit streams early in this worker, and
    freeze the start-up heap.

    `gc.freeze()` moves every object that exists now (imports, the app, about 200,000 objects)
    out of the collector's sight, so a full collection during a 10,000-client broadcast
    scans what was made since, not everything.
    """
    from gunicorn.workers import ggevent  # only ever called inside gunicorn

    app = getattr(worker, "wsgi", None)
    # Only gunicorn's gevent worker hands each connection to `handle` in a greenlet of the hub
    # the writer runs in (its pywsgi variant has a server class of its own instead).
    gevent_worker = isinstance(worker, ggevent.GeventWorker) and worker.server_class is None
    if isinstance(app, Flask) and "startpunkt" in app.extensions:
        runtime.get(app).proxies = proxies.Proxies(worker.cfg.forwarded_allow_ips)
        runtime.get(app).access_log = access.for_worker(worker)
        if gevent_worker:
            install(worker, app)
    gc.freeze()


def install(worker: Any, app: Flask) -> None:
    """Put `Admission` in front of the gunicorn worker's per-connection handler."""
    admission = Admission(app)
    original: Callable[..., None] = worker.handle

    def handle(listener: Any, client: Any, addr: Any) -> None:
        if not admission.admit(client, addr):
            original(listener, client, addr)

    worker.handle = handle  # read by the worker's run(), which has not started yet
