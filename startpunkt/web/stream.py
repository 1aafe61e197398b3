"""`GET /api/updates/stream`: the Server-Sent Events endpoint (SPEC §4).

The view only decides whether a stream may open and copies what the stream needs from the
request (resume id, client address, socket); the generator then runs without any request
context, taking chunks from the broadcaster and yielding them. Cleanup is in its `finally`,
and again on response close (a HEAD request closes the response without ever iterating).
"""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator
from functools import partial
from typing import Any

from flask import Blueprint, Request, Response, request

from startpunkt import events, runtime
from startpunkt.web import api, responses

bp = Blueprint("stream", __name__)
responses.json_errors(bp)  # under `/api/`, so errors answer JSON like the rest of the API

HEADERS = {
    "Cache-Control": "no-cache",
    # nginx (and ingress-nginx) would otherwise buffer the stream and deliver it in lumps.
    "X-Accel-Buffering": "no",
}


@bp.get("/api/updates/stream")
def updates() -> Response:
    """Open a stream; 204 when realtime is off, 503 with Retry-After when a limit is reached."""
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
            socket=request.environ.get("gunicorn.socket"),
        )
    except events.Refused as refused:
        body = {"error": "event stream refused", "reason": refused.reason}
        response = responses.json_response(body, status=503)
        response.headers["Retry-After"] = str(refused.retry_after)
        return response
    response = Response(_stream(broadcaster, sub), mimetype="text/event-stream", headers=HEADERS)
    response.call_on_close(partial(broadcaster.unsubscribe, sub))
    return response


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


def client_address(req: Request) -> str:
    """Who the per-client cap counts: the address the nearest proxy saw, else the peer's.

    The last X-Forwarded-For entry is the one a proxy in front of us appended; without a proxy a
    client can forge it, but then it only dodges the per-client cap, never the per-process one.
    """
    forwarded = req.headers.get("X-Forwarded-For", "")
    nearest = forwarded.rsplit(",", 1)[-1].strip()
    return nearest or req.remote_addr or "unknown"
