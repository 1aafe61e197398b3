"""Remote startpunkt instances for tests and benchmarks of the remote source, on 127.0.0.1.

`Served` runs any WSGI app (a real startpunkt app, or a `Scripted` one) under gevent's WSGI
server in this (patched) process, and can stop and start it again on the same port. `Scripted`
is a startpunkt look-alike whose every answer a test decides: the JSON of each path, the raw
bytes of the event stream (so it can send oversize items, markup, `javascript:` URLs and broken
frames), and it records each request's path and headers.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import gevent
import gevent.pool
import gevent.queue
from gevent.pywsgi import WSGIServer

from startpunkt import sse

Environ = dict[str, Any]
StartResponse = Callable[..., Any]


class Served:
    """A WSGI app on 127.0.0.1 (an ephemeral port, kept across `stop` and `start`)."""

    def __init__(self, app: Callable[..., Any], *, port: int = 0, ssl_context: Any = None) -> None:
        self.app = app
        self.port = port
        self._ssl_context = ssl_context
        self._server: WSGIServer | None = None

    @property
    def url(self) -> str:
        scheme = "https" if self._ssl_context is not None else "http"
        return f"{scheme}://127.0.0.1:{self.port}"

    def start(self) -> Served:
        self._server = WSGIServer(
            ("127.0.0.1", self.port),
            self.app,
            log=None,
            error_log=None,
            spawn=gevent.pool.Pool(),  # tracked, so `stop` can cut open streams
            **({"ssl_context": self._ssl_context} if self._ssl_context is not None else {}),
        )
        self._server.start()
        self.port = self._server.server_port
        return self

    def stop(self) -> None:
        """Close the listening socket and every open connection (streams included)."""
        if self._server is not None:
            self._server.stop(timeout=0.1)
            self._server = None

    def __enter__(self) -> Served:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def event(kind: str, data: Any, *, event_id: str | None = None) -> bytes:
    """One event of a startpunkt stream, as the server frames it."""
    envelope = {"type": kind, "timestamp": "2026-01-01T00:00:00.000Z", "data": data}
    return sse.encode(id=event_id, event=kind, data=json.dumps(envelope))


def groups(member: str, items: Iterable[Any]) -> dict[str, Any]:
    """`{"groups": [{"name": …, member: [...]}]}`, one group per distinct `group` (anything
    that is not an object goes into the group named "")."""
    by_group: dict[str, list[Any]] = {}
    for item in items:
        name = str(item.get("group", "")) if isinstance(item, dict) else ""
        by_group.setdefault(name, []).append(item)
    return {"groups": [{"name": name, member: members} for name, members in by_group.items()]}


@dataclass
class Request:
    path: str
    query: str
    headers: dict[str, str]


@dataclass
class Scripted:
    """A startpunkt look-alike answering what the test says (a WSGI app)."""

    heartbeat: float = 30.0
    cluster: str | None = "local"
    applications: list[dict[str, Any]] = field(default_factory=list)
    bookmarks: list[dict[str, Any]] = field(default_factory=list)
    bodies: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    """Raw answers by path, instead of the JSON built from the fields above."""
    redirects: dict[str, str] = field(default_factory=dict)
    """Paths answered with a 302 to that URL."""
    stream: Callable[[Request], Iterator[bytes]] | None = None
    """The stream's body chunks; default: an opening heartbeat, then the `push` queue."""
    requests: list[Request] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.pushed: gevent.queue.Queue[bytes | None] = gevent.queue.Queue()

    def push(self, chunk: bytes | None) -> None:
        """Send `chunk` on the open default stream (None ends it)."""
        self.pushed.put(chunk)

    def paths(self) -> list[str]:
        return [r.path for r in self.requests]

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        headers = {
            k[5:].replace("_", "-").lower(): v for k, v in environ.items() if k.startswith("HTTP_")
        }
        request = Request(environ["PATH_INFO"], environ.get("QUERY_STRING", ""), headers)
        self.requests.append(request)
        if request.path in self.redirects:
            start_response("302 Found", [("Location", self.redirects[request.path])])
            return [b""]
        if request.path in self.bodies:
            status, body = self.bodies[request.path]
            start_response(f"{status} X", [("Content-Type", "application/json")])
            return [body]
        if request.path == "/api/updates/stream":
            start_response("200 OK", [("Content-Type", "text/event-stream")])
            return (self.stream or self._default_stream)(request)
        body = self._json(request.path)
        if body is None:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"error":"not found"}']
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    def _json(self, path: str) -> Any:
        if path == "/api/config":
            clusters = {} if self.cluster is None else {"clusters": {"local": self.cluster}}
            return {
                "config": {
                    "version": "test",
                    "web": {"title": "Scripted", "refreshInterval": 1},
                    "realtime": {"enabled": True, "heartbeatInterval": self.heartbeat},
                    **clusters,
                }
            }
        if path == "/api/apps":
            return groups("applications", self.applications)
        if path == "/api/bookmarks":
            return groups("bookmarks", self.bookmarks)
        return None

    def _default_stream(self, request: Request) -> Iterator[bytes]:
        yield sse.encode(retry=1000) + event("HEARTBEAT", None, event_id="s-0")
        while (chunk := self.pushed.get()) is not None:
            yield chunk
