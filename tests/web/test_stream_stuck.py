"""A client that stops reading: the server's write blocks forever, yet the stream still ends.

Served by gevent's WSGI server in this process over real sockets, so the write really blocks.
Three variants: the handler greenlet is killed (a server that does not expose its socket), or
the socket is shut down, where the server exposes it: gunicorn (`environ["gunicorn.socket"]`)
and the development server (`shutdown.Handler`).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import gevent
import pytest
from gevent.pywsgi import WSGIHandler, WSGIServer
from prometheus_client import REGISTRY

from startpunkt import runtime, shutdown
from startpunkt.config import RealtimeSettings, Settings
from startpunkt.events import EventType


class GunicornLikeHandler(WSGIHandler):
    """Puts the connection's socket in the environ, as gunicorn's workers do."""

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ["gunicorn.socket"] = self.socket
        return environ


HANDLERS = {"kill": WSGIHandler, "socket": GunicornLikeHandler, "dev": shutdown.Handler}


@pytest.fixture(params=sorted(HANDLERS))
def serve(
    request: pytest.FixtureRequest, web: SimpleNamespace
) -> Iterator[Callable[..., SimpleNamespace]]:
    started: list[tuple[WSGIServer, Any]] = []

    def start(**realtime: Any) -> SimpleNamespace:
        app = web.make_app([], Settings(realtime=RealtimeSettings(**realtime)))
        server = WSGIServer(("127.0.0.1", 0), app, handler_class=HANDLERS[request.param], log=None)
        server.start()
        broadcaster = runtime.get(app).broadcaster
        started.append((server, broadcaster))
        return SimpleNamespace(port=server.server_port, broadcaster=broadcaster)

    yield start
    for server, broadcaster in started:
        server.stop(timeout=1)
        broadcaster.stop()


def ended(reason: str) -> float:
    value = REGISTRY.get_sample_value("startpunkt_stream_disconnects_total", {"reason": reason})
    return value or 0.0


def stop_reading(served: SimpleNamespace, client: socket.socket, *, events: int) -> None:
    """Open a stream on `client`, read its opening, then publish `events` big events unread."""
    client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    client.connect(("127.0.0.1", served.port))
    client.sendall(b"GET /api/updates/stream HTTP/1.1\r\nHost: t\r\n\r\n")
    client.settimeout(5)
    received = b""
    while b"HEARTBEAT" not in received:
        received += client.recv(4096)
    assert served.broadcaster.client_count() == 1
    big = "x" * 50_000  # below realtime.maxEventBytes
    for i in range(events):
        served.broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {"i": i, "pad": big})
        gevent.sleep(0.001)


def stuck_until_cut(served: SimpleNamespace) -> None:
    """Stop reading a stream sent 100 big events; the server must end it within 10 s."""
    with socket.socket() as client:
        # Far more than loopback buffers hold (4 MiB send, a few KiB receive): the write blocks.
        stop_reading(served, client, events=100)
        deadline = time.monotonic() + 10
        while served.broadcaster.client_count() and time.monotonic() < deadline:
            gevent.sleep(0.05)
        assert served.broadcaster.client_count() == 0, "the stuck stream was never ended"


def test_a_stuck_writer_is_cut_loose(serve: Callable[..., SimpleNamespace]) -> None:
    served = serve(client_queue_size=4)
    before = ended("overflow")
    stuck_until_cut(served)
    assert ended("overflow") == before + 1


def test_a_writer_stuck_longer_than_the_drain_timeout_is_cut(
    serve: Callable[..., SimpleNamespace],
) -> None:
    # Issue 12, finding 5, for streams a greenlet serves: far fewer events than the queue holds.
    served = serve(drain_timeout=1.0)
    before = ended("stalled")
    stuck_until_cut(served)
    assert ended("stalled") == before + 1
