"""Load: 200 clients that never read, beside 200 healthy ones, while edits flow for 30 s.

Issue 12, finding 5: with 2 KB events no stalled client was ever cut (the queue bound never
filled while the kernel took everything into send buffers autotuned to megabytes), and 200 of
them held 563 to 752 MB of kernel TCP memory. Here, with 2 KB and with 16 KB events published
every 200 ms: every healthy client gets every event on time, every stalled one is cut (by the
drain timeout or the queue bound), and the worker's RSS and the kernel's TCP memory stay
bounded. The drain timeout is 5 s here (30 s by default), so that the stalled clients, whose
buffers take a while to fill with small events, are cut within the 30 s.

Arrival times are the kernel's receive timestamps (SO_TIMESTAMPNS), so how fast this process
reads 200 sockets does not count. Kernel TCP memory (`/proc/net/sockstat`) counts every socket
on the machine, both ends of these connections included.
"""

from __future__ import annotations

import _socket
import os
import re
import socket
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from gevent import monkey

from testkit import load, wait
from testkit.live import Server

pytestmark = pytest.mark.load

epoll = monkey.get_original("select", "epoll")
CLIENTS = 200
PERIOD = 0.2
DURATION = 30.0
DRAIN_TIMEOUT = 5.0
ON_TIME = 1.0
"""Seconds from an edit to the last healthy client (SPEC's budget is 0.5 s with debounce 0;
the other half second is headroom for a shared CI machine)."""
KERNEL_MEMORY = 100 * 2**20
"""Bound on the growth of kernel TCP memory: 400 streams with 64 KiB send buffers, and the
clients' receive buffers on this side of loopback. Before the buffers were bounded: 563 MB+."""
WORKER_MEMORY = 64 * 2**20
_REVISION = re.compile(rb' #(\d+)"')
REQUEST = b"GET /api/updates/stream HTTP/1.1\r\nHost: t\r\n\r\n"
CUT = ("stalled", "overflow")


def connect(port: int, *, timestamps: bool) -> _socket.socket:
    sock = _socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if timestamps:
        sock.setsockopt(socket.SOL_SOCKET, load.SO_TIMESTAMPNS, 1)
    sock.connect(("127.0.0.1", port))
    sock.sendall(REQUEST)
    sock.setblocking(False)
    return sock


class Healthy:
    """Streams read as fast as they come; when each saw each revision (kernel time)."""

    def __init__(self, port: int) -> None:
        self.socks = {}
        self.poll = epoll()
        self.arrived: dict[int, dict[int, float]] = {}
        self.received: dict[int, int] = {}
        """Bytes each stream received."""
        self._tails: dict[int, bytes] = {}
        for _ in range(CLIENTS):
            sock = connect(port, timestamps=True)
            self.socks[sock.fileno()] = sock
            self.arrived[sock.fileno()] = {}
            self.received[sock.fileno()] = 0
            self._tails[sock.fileno()] = b""
            self.poll.register(sock.fileno(), 1)
        self.closed: list[int] = []

    def read(self, until: float) -> None:
        """Read whatever arrives until the monotonic time `until`."""
        space = socket.CMSG_SPACE(16)
        while (left := until - time.monotonic()) > 0:
            for fd, _ in self.poll.poll(left):
                data, ancillary, _, _ = self.socks[fd].recvmsg(1 << 20, space)
                if not data:
                    self.closed.append(fd)
                    self.poll.unregister(fd)
                    continue
                self.received[fd] += len(data)
                seen = self._tails[fd] + data
                at = load.kernel_time(ancillary)
                for match in _REVISION.finditer(seen):
                    self.arrived[fd].setdefault(int(match.group(1)), at)
                self._tails[fd] = seen[-24:]

    def close(self) -> None:
        for sock in self.socks.values():
            sock.close()
        self.poll.close()


def edit(manifests: Path, revision: int, event_bytes: int) -> None:
    temporary = manifests / ".plex.yaml.tmp"
    text = load.padded_ingress_yaml("plex", revision=revision, event_bytes=event_bytes)
    temporary.write_text(text)
    os.replace(temporary, manifests / "plex.yaml")


@pytest.mark.parametrize("event_bytes", [2_000, 16_000])
def test_stalled_clients_are_cut_while_healthy_ones_get_every_event_on_time(
    serve: Callable[..., Server], manifests: Path, live: SimpleNamespace, event_bytes: int
) -> None:
    server = serve(EVENTDEBOUNCEMS="0", DRAINTIMEOUT=f"{DRAIN_TIMEOUT}s")
    assert server.process is not None
    worker = load.worker(server.process.pid)
    edit(manifests, 0, event_bytes)  # so that the first measured edit is an UPDATED

    def ended(reason: str) -> float:
        return live.metric(server, f'startpunkt_stream_disconnects_total{{reason="{reason}"}}') or 0

    def cut() -> float:
        return sum(ended(reason) for reason in CUT)

    kernel_before, cut_before = load.tcp_memory(), cut()
    reasons_before = {reason: ended(reason) for reason in CUT}
    healthy = Healthy(server.port)
    stalled = [connect(server.port, timestamps=False) for _ in range(CLIENTS)]
    try:
        wait.wait_for(
            lambda: live.metric(server, "startpunkt_sse_clients") == 2 * CLIENTS,
            timeout=30,
            what="every stream open",
        )
        rss_before = load.rss(worker)
        edited: dict[int, float] = {}
        kernel_peak, rss_peak = 0, 0
        all_cut_at = None
        began = time.monotonic()
        revision = 0
        while time.monotonic() - began < DURATION:
            revision += 1
            edited[revision] = time.time()
            edit(manifests, revision, event_bytes)
            healthy.read(until=began + revision * PERIOD)
            kernel_peak = max(kernel_peak, load.tcp_memory())
            rss_peak = max(rss_peak, load.rss(worker))
            if all_cut_at is None and revision % 5 == 0 and cut() - cut_before >= CLIENTS:
                all_cut_at = time.monotonic() - began
        last_edit = time.monotonic()
        deadline = last_edit + DRAIN_TIMEOUT + 10
        while cut() - cut_before < CLIENTS and time.monotonic() < deadline:
            healthy.read(until=time.monotonic() + 0.5)
        if all_cut_at is None and cut() - cut_before >= CLIENTS:
            all_cut_at = time.monotonic() - began
        stalled_cut = cut() - cut_before
        by = ", ".join(f"{ended(reason) - reasons_before[reason]:.0f} {reason}" for reason in CUT)
        open_streams = live.metric(server, "startpunkt_sse_clients")
        kernel_cut = load.tcp_memory()
    finally:
        healthy.close()
        for sock in stalled:
            sock.close()
    kernel_after = load.tcp_memory()

    missed = {
        fd: sorted(set(edited) - set(arrived))
        for fd, arrived in healthy.arrived.items()
        if set(edited) - set(arrived)
    }
    latencies = sorted(
        at - edited[r]
        for arrived in healthy.arrived.values()
        for r, at in arrived.items()
        if r in edited  # not the edit made before they connected
    )
    size = statistics.median(healthy.received.values()) / revision
    mib = 2**20
    print(
        f"\n~{size:.0f} B events: {revision} edits to {CLIENTS} healthy clients, latency median "
        f"{statistics.median(latencies) * 1000:.0f} ms, p99 "
        f"{latencies[int(len(latencies) * 0.99)] * 1000:.0f} ms, max "
        f"{latencies[-1] * 1000:.0f} ms, {len(missed)} missed some; {stalled_cut:.0f} of "
        f"{CLIENTS} stalled cut ({by}; all by {all_cut_at or float('nan'):.0f} s); kernel TCP "
        f"memory +{(kernel_peak - kernel_before) / mib:.1f} MiB at most, "
        f"+{(kernel_cut - kernel_before) / mib:.1f} MiB once cut (the clients' unread receive "
        f"buffers), +{(kernel_after - kernel_before) / mib:.1f} MiB once they closed; worker RSS "
        f"{rss_before / mib:.1f} MiB, at most {rss_peak / mib:.1f} MiB"
    )
    assert 0.85 * event_bytes <= size <= 1.15 * event_bytes  # the events are as big as said
    assert missed == {}
    assert healthy.closed == []
    assert stalled_cut == CLIENTS
    assert open_streams == CLIENTS  # the healthy ones
    assert latencies[-1] <= ON_TIME, f"an event reached a healthy client after {latencies[-1]}s"
    assert kernel_peak - kernel_before <= KERNEL_MEMORY
    assert rss_peak - rss_before <= WORKER_MEMORY
