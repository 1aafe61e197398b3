"""Fixtures for tests against the real server: a manifest directory, gunicorn, raw SSE clients.

`RawStream` is an SSE client on a plain socket (HTTP/1.1, chunked transfer decoding, then
`testkit.sse.Decoder`), so tests see exactly the bytes gunicorn sends and can drop
connections the way browsers do. Test modules reach the helpers through the `live` fixture
(conftest modules are not imported).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import deque
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest

from testkit import live as live_server
from testkit import sse
from testkit.live import Server

STREAM = "/api/updates/stream"


class StreamEnded(Exception):
    """The server finished the response (or closed the connection)."""


class RawStream:
    """One SSE stream over a plain socket."""

    def __init__(
        self,
        port: int,
        *,
        path: str = STREAM,
        headers: dict[str, str] | None = None,
        method: str = "GET",
        version: str = "1.1",
        source: str | None = None,
    ) -> None:
        # `source`: another loopback address (127.0.0.2, …), a client the server tells apart.
        bind = (source, 0) if source else None
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=30, source_address=bind)
        lines = [f"{method} {path} HTTP/{version}", "Host: 127.0.0.1", "Accept: text/event-stream"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        self.status = 0
        self.headers: dict[str, str] = {}
        self.finished = False
        """True once the terminating zero-length chunk arrived: a clean end of the response."""
        self._raw = b""
        self._chunked = False
        self._decoder = sse.Decoder()
        self._messages: deque[sse.Message] = deque()

    def _receive(self, deadline: float) -> None:
        self.sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = self.sock.recv(65536)
        except TimeoutError:
            return
        if not data:
            raise StreamEnded("connection closed")
        self._raw += data

    def head(self, timeout: float = 10.0) -> int:
        """Read the status line and headers; the status code."""
        deadline = time.monotonic() + timeout
        while b"\r\n\r\n" not in self._raw:
            assert time.monotonic() < deadline, "no response headers in time"
            self._receive(deadline)
        head, self._raw = self._raw.split(b"\r\n\r\n", 1)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        self.status = int(status_line.split()[1])
        self.headers = {
            k.strip().lower(): v.strip()
            for k, _, v in (line.partition(":") for line in header_lines)
        }
        self._chunked = self.headers.get("transfer-encoding") == "chunked"
        return self.status

    def _dechunk(self) -> None:
        while not self.finished:
            size_line, sep, rest = self._raw.partition(b"\r\n")
            if not sep:
                return
            size = int(size_line.split(b";")[0], 16)
            if len(rest) < size + 2:
                return
            self._messages.extend(self._decoder.feed(rest[:size]))
            self._raw = rest[size + 2 :]
            self.finished = size == 0

    def next(self, timeout: float = 10.0) -> sse.Message:
        """The next message; raises StreamEnded at the end, fails on timeout."""
        if not self.status:
            self.head(timeout)
        deadline = time.monotonic() + timeout
        while True:
            self._consume()
            if self._messages:
                return self._messages.popleft()
            if self.finished:
                raise StreamEnded("response finished")
            assert time.monotonic() < deadline, "no message in time"
            self._receive(deadline)

    def _consume(self) -> None:
        if self._chunked:
            self._dechunk()
        else:
            self._messages.extend(self._decoder.feed(self._raw))
            self._raw = b""

    def until(self, match: Callable[[sse.Message], bool], timeout: float = 10.0) -> sse.Message:
        """Skip messages until one matches."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(max(0.01, deadline - time.monotonic()))
            if match(message):
                return message

    def read_to_end(self, timeout: float = 10.0) -> None:
        """Read until the server ends the response; fails if it does not in time."""
        deadline = time.monotonic() + timeout
        try:
            while True:
                self.next(max(0.01, deadline - time.monotonic()))
        except StreamEnded:
            return

    def close(self, *, reset: bool = False) -> None:
        """Close; `reset` sends RST (SO_LINGER 0) as a killed browser process would. (Closing
        with unread bytes received also resets, as the kernel does for any such close.)"""
        if reset:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00" * 2)
        self.sock.close()


def metric(server: Server | str, name: str) -> float | None:
    """One sample from `/q/metrics` of a server (or base URL): `name` is the metric with its
    labels as written there, e.g. `startpunkt_stream_disconnects_total{reason="stalled"}`;
    None when absent."""
    url = server if isinstance(server, str) else server.url
    with urllib.request.urlopen(url + "/q/metrics", timeout=5) as response:
        for line in response.read().decode().splitlines():
            if line.startswith(name + " "):
                return float(line.split()[1])
    return None


def edit(manifests: Path, title: str) -> None:
    """Save plex.yaml the way editors do: write a temporary file, then rename it over."""
    temporary = manifests / ".plex.yaml.tmp"
    temporary.write_text(live_server.ingress_yaml("plex", title))
    os.replace(temporary, manifests / "plex.yaml")


@pytest.fixture
def live() -> Iterator[SimpleNamespace]:
    """The helpers: `stream(port, ...)` (a RawStream closed after the test), `StreamEnded`,
    `metric`, `edit`."""
    streams: list[RawStream] = []

    def stream(port: int, **kwargs: object) -> RawStream:
        opened = RawStream(port, **kwargs)  # type: ignore[arg-type]
        streams.append(opened)
        return opened

    yield SimpleNamespace(
        stream=stream,
        StreamEnded=StreamEnded,
        metric=metric,
        edit=edit,
    )
    for opened in streams:
        opened.close()


@pytest.fixture
def manifests(tmp_path: Path) -> Path:
    """A manifest directory holding one Ingress, Plex."""
    return live_server.manifest_dir(tmp_path / "manifests")


@pytest.fixture
def serve(tmp_path: Path, manifests: Path) -> Iterator[Callable[..., Server]]:
    """Start gunicorn on `manifests` with extra STARTPUNKT_REALTIME_* settings (and other
    variables in `env`); stopped afterwards."""
    servers: list[Server] = []

    def start(*, env: dict[str, str] | None = None, **settings: str) -> Server:
        env = {
            **live_server.files_env(manifests),
            # Every test client comes from 127.0.0.1.
            "STARTPUNKT_REALTIME_MAXCONNECTIONSPERCLIENT": "10000",
            **{f"STARTPUNKT_REALTIME_{k.upper()}": v for k, v in settings.items()},
            **(env or {}),
        }
        server = Server(env, log_path=tmp_path / f"server{len(servers)}.log")
        servers.append(server)
        return server.start(timeout=60)

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def develop(tmp_path: Path, manifests: Path) -> Iterator[Callable[..., SimpleNamespace]]:
    """Start the development server (`python app.py`) on `manifests` with extra environment;
    its `port` and `url`. Stopped with Ctrl-C (SIGINT) afterwards."""
    processes: list[subprocess.Popen[bytes]] = []

    def start(**env: str) -> SimpleNamespace:
        port = live_server.free_port()
        log = (tmp_path / f"dev{len(processes)}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)],
            cwd=live_server.ROOT,
            env={**os.environ, **live_server.files_env(manifests), **env},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        processes.append(process)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            assert process.poll() is None, "the development server exited"
            try:
                with urllib.request.urlopen(url + "/q/health/live", timeout=2):
                    return SimpleNamespace(port=port, url=url)
            except OSError:
                assert time.monotonic() < deadline, "the development server did not answer"
                time.sleep(0.1)

    yield start
    for process in processes:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
