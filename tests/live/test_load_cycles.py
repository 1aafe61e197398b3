"""Load: twice 10,000 stream connect/disconnect cycles leave nothing behind in the worker.

Issue 12: within 1 s after the last cycle the open-stream gauge is 0 and the worker holds the
file descriptors it held before; its RSS after the second 10,000 cycles is within 10 % of after
the first (it went from 42 to 135 MB over the first 10,000 before streams were handed to one
writer). Cycles mix the ways clients leave (a clean close, a reset, a close with the response
half read, a close before any answer) and the ways in (admitted early, through Flask and handed
over with an `Origin`, served by gunicorn's greenlet for HTTP/1.0). 250 streams are open at a
time. Clients are plain non-blocking sockets read with one epoll, in this process.
"""

from __future__ import annotations

import _socket
import socket
import struct
import time
from collections.abc import Callable
from types import SimpleNamespace

import pytest
from gevent import monkey

from testkit import load, wait
from testkit.live import Server

pytestmark = pytest.mark.load

epoll = monkey.get_original("select", "epoll")
CYCLES = 10_000
BATCH = 250
LEAVES = ("close", "reset", "half_read", "hasty")
GONE_WITHIN = 1.0
RSS_GROWTH = 0.10
_RESET = struct.pack("ii", 1, 0)


def request(i: int) -> bytes:
    """Mostly plain requests (admitted early); every 10th through Flask, every 50th HTTP/1.0."""
    version, extra = "1.1", ""
    if i % 10 == 0:
        extra = "Origin: http://elsewhere.test\r\n"
    elif i % 50 == 1:
        version = "1.0"
    return f"GET /api/updates/stream HTTP/{version}\r\nHost: t\r\n{extra}\r\n".encode()


def cycle(port: int, indices: range) -> list[int]:
    """Open a stream for each index, let each leave its way; the indices answered other than 200."""
    poll = epoll()
    socks: dict[int, tuple[_socket.socket, int, bytes]] = {}
    refused = []
    try:
        for i in indices:
            sock = _socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.connect(("127.0.0.1", port))
            sock.sendall(request(i))
            if LEAVES[i % len(LEAVES)] == "hasty":  # gone before any answer
                sock.close()
                continue
            sock.setblocking(False)
            socks[sock.fileno()] = (sock, i, b"")
            poll.register(sock.fileno(), 1)  # EPOLLIN
        deadline = time.monotonic() + 60
        while socks:
            assert time.monotonic() < deadline, f"{len(socks)} streams never answered"
            for fd, _ in poll.poll(1.0):
                sock, i, seen = socks[fd]
                leave = LEAVES[i % len(LEAVES)]
                data = seen + sock.recv(16 if leave == "half_read" else 65536)
                if b" 200 " not in data[:16] and len(data) >= 16:
                    refused.append(i)
                elif leave != "half_read" and b"HEARTBEAT" not in data:
                    socks[fd] = (sock, i, data)
                    continue
                poll.unregister(fd)
                del socks[fd]
                if leave == "reset":
                    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _RESET)
                sock.close()  # half_read leaves bytes unread: the kernel resets the connection
    finally:
        for sock, _, _ in socks.values():
            sock.close()
        poll.close()
    return refused


def run(port: int) -> float:
    """`CYCLES` cycles, `BATCH` at a time; when the last client left."""
    refused = []
    for start in range(0, CYCLES, BATCH):
        refused += cycle(port, range(start, min(start + BATCH, CYCLES)))
    assert refused == []
    return time.monotonic()


def test_twice_10000_stream_cycles_leave_no_stream_fd_or_memory_behind(
    serve: Callable[..., Server], live: SimpleNamespace
) -> None:
    server = serve()
    assert server.process is not None
    worker = load.worker(server.process.pid)

    def streams() -> float:
        return live.metric(server, "startpunkt_sse_clients") or 0.0

    def gone() -> float:
        return live.metric(server, 'startpunkt_stream_disconnects_total{reason="client_gone"}') or 0

    assert streams() == 0
    gone_before = gone()
    looks = []
    for _ in range(5):  # the smallest of a few: the request just made may not be closed yet
        looks.append(load.open_files(worker))
        time.sleep(0.05)
    fds = min(looks)
    started_rss = load.rss(worker)
    figures = []
    for _ in range(2):
        began = time.monotonic()
        last = run(server.port)
        took = time.monotonic() - began
        wait.wait_for(lambda: streams() == 0, timeout=10, interval=0.02, what="no stream open")
        wait.wait_for(lambda: load.open_files(worker) <= fds, timeout=10, what="fds released")
        settled = time.monotonic() - last
        figures.append((took, settled, load.rss(worker)))
        assert settled <= GONE_WITHIN, f"streams and fds released {settled:.2f}s after the last"
        assert load.open_files(worker) == fds
    (took1, settled1, rss1), (took2, settled2, rss2) = figures
    print(
        f"\ncycles: 2 x {CYCLES} in {took1:.1f} s and {took2:.1f} s; gauge 0 and fds back "
        f"{settled1 * 1000:.0f} / {settled2 * 1000:.0f} ms after the last; worker RSS "
        f"{started_rss / 2**20:.1f} MiB at start, {rss1 / 2**20:.1f} after the first "
        f"{CYCLES}, {rss2 / 2**20:.1f} after the second ({(rss2 / rss1 - 1) * 100:+.1f} %)"
    )
    assert rss2 <= rss1 * (1 + RSS_GROWTH)
    assert gone() - gone_before == 2 * CYCLES  # every cycle was a stream, and each was noticed
