"""Load: 2,000 slowloris connections (headers sent a few bytes, never finished) beside normal use.

Each held connection costs the gevent worker one parked greenlet and no CPU, so REST, health
and a new stream are still answered within a second. 127.0.0.1 only; bounded in count and time.
Figures: `python -m pytest -m load -s tests/live` prints a `[figures]` line (bench/README.md).
"""

from __future__ import annotations

import socket
import time
import urllib.request
from collections.abc import Callable
from types import SimpleNamespace

import pytest

from testkit.live import Server

pytestmark = pytest.mark.load

HELD = 2000
DEADLINE = 1.0


def timed_get(url: str) -> float:
    started = time.monotonic()
    with urllib.request.urlopen(url, timeout=5) as response:
        response.read()
        assert response.status == 200
    return time.monotonic() - started


def test_normal_requests_are_answered_within_a_second_beside_2000_slowloris_connections(
    serve: Callable[..., Server], live: SimpleNamespace
) -> None:
    server = serve()
    held: list[socket.socket] = []
    try:
        started = time.monotonic()
        for i in range(HELD):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
            sock.sendall(f"GET /api/apps HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow-{i}: ".encode())
            held.append(sock)
        opened = time.monotonic() - started
        for sock in held[::10]:  # a few more bytes now and then, as slowloris does
            sock.sendall(b"a")
        times = []
        for _ in range(10):
            times.append(timed_get(server.url + "/api/apps"))
            times.append(timed_get(server.url + "/q/health/ready"))
        stream = live.stream(server.port)
        before = time.monotonic()
        assert stream.head(timeout=5) == 200
        stream.until(lambda m: m.event == "HEARTBEAT", timeout=5)
        times.append(time.monotonic() - before)
        assert max(times) < DEADLINE, times
        print(
            f"[figures] slowloris: {HELD} half-sent requests held (opened in {opened:.1f}s); "
            f"21 normal requests: median {sorted(times)[10] * 1000:.0f} ms, "
            f"max {max(times) * 1000:.0f} ms"
        )
    finally:
        for sock in held:
            sock.close()
    # The held connections went with their sockets; the worker is the same and still answers.
    assert timed_get(server.url + "/q/health/live") < DEADLINE
