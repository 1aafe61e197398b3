"""A client that stops reading: the server's write blocks forever, yet the stream still ends.

Served by gevent's WSGI server in this process over real sockets, so the write really blocks.
Two variants: the handler greenlet is killed (the development server), or the socket is shut
down when the server exposes it as gunicorn does (`environ["gunicorn.socket"]`).
"""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from types import SimpleNamespace
from typing import Any

import gevent
import pytest
from gevent.pywsgi import WSGIHandler, WSGIServer
from prometheus_client import REGISTRY

from startpunkt import runtime
from startpunkt.config import RealtimeSettings, Settings
from startpunkt.events import EventType


class GunicornLikeHandler(WSGIHandler):
    """Puts the connection's socket in the environ, as gunicorn's workers do."""

    def get_environ(self) -> dict[str, Any]:
        environ = super().get_environ()
        environ["gunicorn.socket"] = self.socket
        return environ


@pytest.fixture(params=["kill", "socket"])
def served(request: pytest.FixtureRequest, web: SimpleNamespace) -> Iterator[SimpleNamespace]:
    settings = Settings(realtime=RealtimeSettings(client_queue_size=4))
    app = web.make_app([], settings)
    handler = GunicornLikeHandler if request.param == "socket" else WSGIHandler
    server = WSGIServer(("127.0.0.1", 0), app, handler_class=handler, log=None)
    server.start()
    yield SimpleNamespace(port=server.server_port, broadcaster=runtime.get(app).broadcaster)
    server.stop(timeout=1)
    runtime.get(app).broadcaster.stop()


def overflows() -> float:
    value = REGISTRY.get_sample_value("startpunkt_stream_disconnects_total", {"reason": "overflow"})
    return value or 0.0


def test_a_stuck_writer_is_cut_loose(served: SimpleNamespace) -> None:
    before = overflows()
    with socket.socket() as client:
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        client.connect(("127.0.0.1", served.port))
        client.sendall(b"GET /api/updates/stream HTTP/1.1\r\nHost: t\r\n\r\n")
        client.settimeout(5)
        received = b""
        while b"HEARTBEAT" not in received:
            received += client.recv(4096)
        assert served.broadcaster.client_count() == 1
        # Far more than loopback buffers hold (4 MiB send, a few KiB receive): the write blocks.
        big = "x" * 50_000  # below realtime.maxEventBytes
        deadline = time.monotonic() + 10
        for i in range(100):
            served.broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {"i": i, "pad": big})
            gevent.sleep(0.001)
        while served.broadcaster.client_count() and time.monotonic() < deadline:
            gevent.sleep(0.05)
        assert served.broadcaster.client_count() == 0, "the stuck stream was never ended"
    assert overflows() == before + 1
