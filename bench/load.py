"""Raw-socket SSE clients timed by the kernel, and the process helpers, for bench/fanout.py.

`Clients` opens streams in batches and reads them all with one `epoll` loop; each arrival time
is the kernel's receive timestamp (SO_TIMESTAMPNS), not the moment this process got round to
reading, so 10,000 sockets read by Python still time the server. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import contextlib
import os
import resource
import select
import socket
import time
from collections.abc import Callable
from pathlib import Path

from testkit import load as measures

CONNECT_BATCH = 500
"""Below the listen backlogs (gunicorn 2048, nginx 511), so connects never wait for a SYN retry."""
PINNING = True
"""Off with fanout.py's --no-pin, or on a machine with one CPU."""


# -- the client ----------------------------------------------------------------------------------


class Clients:
    """SSE streams on raw sockets, read by one epoll loop, timed by the kernel."""

    def __init__(self, port: int, path: str, *, extra: str = "") -> None:
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: bench\r\nAccept: text/event-stream\r\n{extra}\r\n"
        )
        self.address = ("127.0.0.1", port)
        self.socks: dict[int, socket.socket] = {}
        self.order: list[int] = []
        """File descriptors in the order the streams were opened."""
        self.stalled: set[int] = set()
        self.tails: dict[int, bytes] = {}
        self.poll = select.epoll()

    def open(self, n: int, *, marker: bytes, stalled: bool = False, timeout: float = 300) -> float:
        """Open `n` streams, each until `marker` arrived; seconds it took."""
        started = time.perf_counter()
        deadline = time.monotonic() + timeout
        goal = len(self.socks) + n
        while len(self.socks) < goal:
            batch = set()
            for _ in range(min(CONNECT_BATCH, goal - len(self.socks))):
                batch.add(self._connect(stalled=stalled))
            got = self.wait_for(marker, batch, deadline=deadline)
            if len(got) < len(batch):
                raise RuntimeError(f"only {len(got)} of {len(batch)} streams opened")
        return time.perf_counter() - started

    def _connect(self, *, stalled: bool) -> int:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, measures.SO_TIMESTAMPNS, 1)
        if stalled:
            # A small window and segments: the server's buffers for it fill with little data.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
            s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
        s.connect(self.address)
        s.sendall(self.request.encode())
        s.setblocking(False)
        fd = s.fileno()
        self.socks[fd] = s
        self.order.append(fd)
        self.tails[fd] = b""
        self.poll.register(fd, select.EPOLLIN)
        if stalled:
            self.stalled.add(fd)
        return fd

    def stall(self) -> None:
        """Stop reading the stalled streams (after their opening bytes)."""
        for fd in self.stalled:
            self.poll.unregister(fd)

    def healthy(self) -> set[int]:
        return set(self.socks) - self.stalled

    def close(self, fds: list[int]) -> None:
        for fd in fds:
            with contextlib.suppress(OSError, FileNotFoundError):
                self.poll.unregister(fd)
            self.socks.pop(fd).close()
            self.order.remove(fd)
            self.stalled.discard(fd)
            del self.tails[fd]

    def wait_for(self, marker: bytes, fds: set[int], *, deadline: float) -> dict[int, float]:
        """Read until every fd in `fds` has received `marker`; the kernel's arrival time each."""
        arrived: dict[int, float] = {}
        space = socket.CMSG_SPACE(16)
        while len(arrived) < len(fds) and time.monotonic() < deadline:
            for fd, _ in self.poll.poll(min(1.0, max(0.0, deadline - time.monotonic()))):
                try:
                    data, ancillary, _flags, _address = self.socks[fd].recvmsg(262144, space)
                except BlockingIOError:
                    continue
                if not data:
                    self.poll.unregister(fd)
                    continue
                seen = self.tails[fd] + data
                self.tails[fd] = seen[-len(marker) :]
                if fd in fds and fd not in arrived and marker in seen:
                    arrived[fd] = measures.kernel_time(ancillary)
        return arrived

    def shutdown(self) -> None:
        for s in self.socks.values():
            s.close()
        self.poll.close()


# -- processes -----------------------------------------------------------------------------------


def pin(pid: int, cpu: int) -> None:
    """Every thread of `pid` onto `cpu` (what `taskset -a -p` does)."""
    if not PINNING:
        return
    for task in Path(f"/proc/{pid}/task").iterdir():
        with contextlib.suppress(OSError):
            os.sched_setaffinity(int(task.name), {cpu})


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(c) for c in (task / "children").read_text().split()]
    return found


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_times(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of `pid`."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def wait_until(condition: Callable[[], object], *, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"not within {timeout}s: {what}")
        time.sleep(0.05)


def raise_file_limit() -> int:
    """Soft RLIMIT_NOFILE up to the hard limit (servers started from here inherit it)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard
