"""`GET /api/updates/stream`: the Server-Sent Events endpoint (SPEC §4).

The view only decides whether a stream may open and copies what the stream needs from the
request (resume id, client address, socket: the broadcaster watches it for the client leaving).
Under gunicorn most stream requests never get here: `early` admits them before gunicorn parses
them. Those that do (with an `Origin`, say) send their first bytes through gunicorn and hand the
connection to the broadcaster, which writes every later event itself (`handover`,
`events.writer`): no greenlet waits on the stream, and `access` logs it when it ends.
Elsewhere (the development server, Flask's test client, HTTP/1.0, HEAD) a generator runs
without any request context, taking chunks from the broadcaster and yielding them; its cleanup
is in its `finally`, and again on response close (a HEAD request closes the response without
ever iterating).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

from flask import Blueprint, Request, Response, request

from startpunkt import events, runtime, sse
from startpunkt.web import access, api, handover, proxies, responses

bp = Blueprint("stream", __name__)
responses.json_errors(bp)  # under `/api/`, so errors answer JSON like the rest of the API

MIMETYPE = "text/event-stream"
SOCKET_KEYS = ("gunicorn.socket", "startpunkt.socket")
"""Where servers put the connection's socket in the environ: gunicorn, the development server."""
HEADERS = {
    "Cache-Control": "no-cache",
    # nginx (and ingress-nginx) would otherwise buffer the stream and deliver it in lumps.
    "X-Accel-Buffering": "no",
}


@bp.get("/api/updates/stream")
def updates() -> Response:
    """Open a stream; 204 when realtime is off, 503 with Retry-After when a limit is reached,
    and an empty stream that says when to come back while shutting down."""
    rt = runtime.get()
    local = api.scope() == "local"
    if not rt.settings.realtime.enabled:
        return Response(status=204)  # tells EventSource not to reconnect
    # `?scope=local`: changes of this instance's own items only, for instances following it.
    broadcaster: events.EventBroadcaster = rt.local_broadcaster if local else rt.broadcaster
    try:
        sub = broadcaster.subscribe(
            last_event_id=request.headers.get("Last-Event-ID") or request.args.get("lastEventId"),
            client=client_address(request),
            socket=_connection(request.environ),
        )
    except events.Refused as refused:
        if refused.reason == "shutting_down":
            return come_back_later(refused.retry_after)
        body = {"error": "event stream refused", "reason": refused.reason}
        response = responses.json_response(body, status=503)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    return StreamResponse(broadcaster, sub, access_log=rt.access_log)


def come_back_later(seconds: int) -> Response:
    """A stream that ends at once and asks to be opened again in `seconds`.

    An EventSource gives up for good on any answer but 200, so a 503 while this process shuts
    down would leave a plain EventSource client (the reference's page) without updates; this
    way it reconnects, by then to the worker or replica that took over.
    """
    body = sse.encode(comment="shutting_down", retry=seconds * 1000)
    response = Response(body, mimetype=MIMETYPE, headers=HEADERS)
    response.headers["Retry-After"] = str(seconds)
    return response


class StreamResponse(Response):
    """An event stream: handed to the broadcaster once started, where the server allows it."""

    def __init__(
        self,
        broadcaster: events.EventBroadcaster,
        sub: events.Subscriber,
        *,
        access_log: access.AccessLog | None = None,
    ) -> None:
        super().__init__(_stream(broadcaster, sub), mimetype=MIMETYPE, headers=HEADERS)
        self.call_on_close(partial(broadcaster.unsubscribe, sub))
        self._broadcaster = broadcaster
        self._sub = sub
        self._access_log = access_log

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        if not handover.possible(environ):
            return super().__call__(environ, start_response)
        app_iter, status, headers = self.get_wsgi_response(environ)
        write = start_response(status, headers)
        if not handover.chunked(write):
            return app_iter  # served by this greenlet after all
        try:
            write(self._broadcaster.first_chunk(self._sub))  # the headers go out with it
            if self._access_log is not None:  # its line when it ends, not when gunicorn lets go
                self._access_log.handed_over(self._sub, environ, handover.response(write))
            self._broadcaster.adopt(self._sub, handover.take(environ, write))
        except BaseException:
            self._broadcaster.unsubscribe(self._sub)
            raise
        return ()  # nothing more for the server to send; it lets go of the connection


def _stream(broadcaster: events.EventBroadcaster, sub: events.Subscriber) -> Iterator[bytes]:
    try:
        while (chunk := broadcaster.next_chunk(sub)) is not None:
            yield chunk
        # The server ended the stream: close the connection after this response instead of
        # waiting for a keep-alive request that would hold a graceful shutdown back.
        _stop_reading(sub.socket)
    finally:
        broadcaster.unsubscribe(sub)


def _stop_reading(sock: Any) -> None:
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RD)


def _connection(environ: dict[str, Any]) -> Any:
    return next((environ[key] for key in SOCKET_KEYS if environ.get(key) is not None), None)


def client_address(req: Request) -> str:
    """Who the per-client cap counts: the peer, or whom a trusted proxy names (`proxies`)."""
    forwarded_for = ",".join(req.headers.getlist("X-Forwarded-For"))
    return proxies.client_address(forwarded_for, req.remote_addr, runtime.get().proxies)


def plain_response() -> Response:
    """A stream response without a body: its headers are every stream's (before app hooks)."""
    return Response(mimetype=MIMETYPE, headers=HEADERS)
