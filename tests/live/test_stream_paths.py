"""Every way into the stream under gunicorn serves the same stream.

Plain requests are admitted before gunicorn parses them (web/early.py); a request with an
`Origin` goes through Flask and is handed over after its first bytes (web/handover.py); HTTP/1.0
and HEAD stay with gunicorn and a greenlet. Whichever way, the same headers and events.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from testkit import wait
from testkit.live import Server

Serve = Callable[..., Server]
SAME = ("content-type", "cache-control", "x-accel-buffering")


def test_early_flask_and_http10_streams_are_the_same_stream(
    serve: Serve, manifests: Path, live: SimpleNamespace
) -> None:
    server = serve(EVENTDEBOUNCEMS="0")
    plain = live.stream(server.port)
    via_flask = live.stream(server.port, headers={"Origin": server.url})
    old = live.stream(server.port, version="1.0")
    streams = [plain, via_flask, old]
    for stream in streams:
        assert stream.head(timeout=30) == 200
        opening = stream.until(lambda m: m.event == "HEARTBEAT", timeout=30)
        if opening.id.endswith("-0"):  # the initial ADDED may still be on its way
            stream.until(lambda m: m.event == "APPLICATION_ADDED", timeout=30)
    assert {k: plain.headers[k] for k in SAME} == {k: via_flask.headers[k] for k in SAME}
    assert {k: plain.headers[k] for k in SAME} == {k: old.headers[k] for k in SAME}
    assert plain.headers["content-type"] == "text/event-stream; charset=utf-8"
    assert "server" not in plain.headers  # admitted early: gunicorn never wrote a head
    assert "server" in via_flask.headers
    assert plain.headers["transfer-encoding"] == via_flask.headers["transfer-encoding"] == "chunked"
    assert "transfer-encoding" not in old.headers  # HTTP/1.0: raw bytes until the close

    live.edit(manifests, "Plex Everywhere")
    for stream in streams:
        message = stream.until(lambda m: m.event == "APPLICATION_UPDATED", timeout=10)
        assert json.loads(message.data or "")["data"]["name"] == "Plex Everywhere"
    wait.wait_for(
        lambda: live.metric(server, "startpunkt_sse_clients") == 3,
        timeout=10,
        interval=0.05,
        what="three subscribers",
    )
    for stream in streams:
        stream.close()


def test_head_and_switched_off_realtime_are_answered_by_the_view(
    serve: Serve, live: SimpleNamespace
) -> None:
    server = serve()
    head = live.stream(server.port, method="HEAD")
    assert head.head(timeout=30) == 200
    assert head.headers["content-type"] == "text/event-stream; charset=utf-8"
    head.close()
    wait.wait_for(
        lambda: live.metric(server, "startpunkt_sse_clients") == 0,
        timeout=10,
        interval=0.05,
        what="no subscriber left by HEAD",
    )
    off = serve(ENABLED="false")
    assert live.stream(off.port).head(timeout=30) == 204
