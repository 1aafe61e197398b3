"""Clients that stop reading are cut, and the kernel holds little for them until then.

Issue 12, finding 5: with 2 KB events no stalled client was ever cut, because the kernel took
everything into send buffers that autotuning grew to megabytes, so the queue bound (256 events)
never filled; 200 of them held 563 to 752 MB of kernel memory. Now each stream's send buffer is
bounded (`realtime.sendBufferBytes`) and a stream that has not drained for
`realtime.drainTimeout` is cut. Measured per connection (its send queue, /proc/net/tcp), so
other processes on the machine do not disturb the figure.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gevent

from testkit import load, wait
from testkit.live import Server

STALLED = 20
EVENT_BYTES = 16_000
SEND_BUFFER = 65_536
"""realtime.sendBufferBytes' default."""
CUT = (
    'startpunkt_stream_disconnects_total{reason="stalled"}',
    'startpunkt_stream_disconnects_total{reason="overflow"}',
)


def edit(manifests: Path, revision: int) -> None:
    temporary = manifests / ".plex.yaml.tmp"
    temporary.write_text(
        load.padded_ingress_yaml("plex", revision=revision, event_bytes=EVENT_BYTES)
    )
    os.replace(temporary, manifests / "plex.yaml")


def never_reading(port: int) -> socket.socket:
    """A stream client that sends its request and never reads a byte."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(b"GET /api/updates/stream HTTP/1.1\r\nHost: t\r\n\r\n")
    return sock


def cut(server: Server, live: SimpleNamespace) -> float:
    return sum(live.metric(server, name) or 0.0 for name in CUT)


def test_stalled_readers_are_cut_and_their_send_queues_stay_small(
    serve: Callable[..., Server], manifests: Path, live: SimpleNamespace
) -> None:
    server = serve(EVENTDEBOUNCEMS="0", DRAINTIMEOUT="3s")
    healthy = live.stream(server.port)
    assert healthy.head(timeout=30) == 200
    opening = healthy.until(lambda m: m.event == "HEARTBEAT", timeout=30)
    if opening.id.endswith("-0"):
        healthy.until(lambda m: m.event == "APPLICATION_ADDED", timeout=30)
    stalled = [never_reading(server.port) for _ in range(STALLED)]
    wait.wait_for(
        lambda: live.metric(server, "startpunkt_sse_clients") == STALLED + 1,
        timeout=10,
        what="every stream open",
    )
    before = cut(server, live)
    received: list[dict[str, Any]] = []

    def read() -> None:
        while True:
            message = healthy.until(lambda m: m.event == "APPLICATION_UPDATED", timeout=30)
            received.append(json.loads(message.data or ""))

    reader = gevent.spawn(read)
    largest_queue = 0
    revision = 0
    deadline = time.monotonic() + 30
    try:
        while cut(server, live) < before + STALLED:
            assert time.monotonic() < deadline, f"only {cut(server, live) - before} cut"
            revision += 1
            edit(manifests, revision)
            gevent.sleep(0.1)
            largest_queue = max(largest_queue, *load.send_queues(server.port))
        wait.wait_for(
            lambda: len(received) and received[-1]["data"]["info"].endswith(f"#{revision}"),
            timeout=10,
            what="the healthy client got the last edit",
        )
    finally:
        reader.kill()
        for sock in stalled:
            sock.close()
    assert live.metric(server, "startpunkt_sse_clients") == 1  # the healthy one
    # Linux reserves twice the buffer asked for, and lets the last write overshoot a little;
    # left to autotuning, a stalled connection's queue grows to megabytes.
    assert largest_queue <= 3 * SEND_BUFFER, largest_queue
    infos = [body["data"]["info"] for body in received]
    assert len(infos) == len(set(infos))  # no event twice; and none lost:
    assert [int(info.rsplit("#", 1)[1]) for info in infos][-revision:] == list(
        range(1, revision + 1)
    )[-len(infos) :]
