"""Handed-over streams: one pass writes each event to every socket; a stalled one waits alone.

Each stream is a real socket pair: the server end is what `adopt` gets (non-blocking, as after
a handover), the client end is read back through chunked decoding and `testkit.sse`. A client
that "stalls" simply stops reading, with small buffers so they fill after a few events.
"""

from __future__ import annotations

import _socket
import socket
import time
from collections.abc import Iterator
from functools import partial

import gevent
import pytest
from prometheus_client import REGISTRY

from startpunkt.config import RealtimeSettings
from startpunkt.events import EventBroadcaster, EventType
from testkit import sse, wait

PAD = "x" * 2000


class Client:
    """The far end of one handed-over stream."""

    opened: list[Client] = []
    """Closed after each test (by the `close_clients` fixture)."""

    def __init__(self, broadcaster: EventBroadcaster, *, stalled: bool = False) -> None:
        server, client = socket.socketpair()
        # Plain sockets at both ends: gevent's would wait where these raise BlockingIOError.
        self.sock = _socket.socket(fileno=client.detach())
        self.sock.setblocking(False)
        Client.opened.append(self)
        if stalled:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        self.sub = broadcaster.subscribe(last_event_id=None, client="test")
        raw = _socket.socket(fileno=server.detach())
        raw.setblocking(False)
        broadcaster.adopt(self.sub, raw, chunk(broadcaster.first_chunk(self.sub)))
        self.server = raw
        if stalled:  # smaller than `adopt` makes it, so that it fills after a few events
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4096)
        self.messages: list[sse.Message] = []
        self.finished = False
        self.closed = False
        self._raw = b""
        self._decoder = sse.Decoder()

    def read(self) -> None:
        """Take whatever has arrived, without blocking."""
        while not self.closed:
            try:
                data = self.sock.recv(65536)
            except BlockingIOError:
                return
            except ConnectionResetError:
                data = b""
            if not data:
                self.closed = True
                return
            self._raw += data
            self._dechunk()

    def _dechunk(self) -> None:
        while not self.finished:
            size_line, sep, rest = self._raw.partition(b"\r\n")
            if not sep or len(rest) < int(size_line, 16) + 2:
                return
            size = int(size_line, 16)
            self.messages += self._decoder.feed(rest[:size])
            self._raw = rest[size + 2 :]
            self.finished = size == 0

    def events(self) -> list[str]:
        self.read()
        return [m.id or "" for m in self.messages if m.event not in (None, "HEARTBEAT")]


def all_received(clients: list[Client], ids: list[str]) -> bool:
    return all(c.events() == ids for c in clients)


def chunk(data: bytes) -> bytes:
    return b"%x\r\n%b\r\n" % (len(data), data)


def counter(reason: str) -> float:
    labels = {"reason": reason}
    return REGISTRY.get_sample_value("startpunkt_stream_disconnects_total", labels) or 0.0


@pytest.fixture(autouse=True)
def close_clients() -> Iterator[None]:
    """Close the far ends, after `make` has ended the streams."""
    yield
    for client in Client.opened:
        client.sock.close()
    Client.opened.clear()


def publish(broadcaster: EventBroadcaster, n: int, *, pad: str = "") -> list[str]:
    return [
        broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {"n": i, "pad": pad}) or ""
        for i in range(n)
    ]


def test_every_stream_gets_each_batch_in_one_write(make, monkeypatch) -> None:
    broadcaster = make()
    clients = [Client(broadcaster) for _ in range(20)]
    sends: list[int] = []
    for client in clients:  # count the system calls the writer makes per stream
        real = client.sub.send
        client.sub.send = lambda data, real=real: sends.append(len(data)) or real(data)
    ids = publish(broadcaster, 3)  # published together: one chunk, one send per stream
    wait.wait_for(lambda: all(c.events() == ids for c in clients), what="every event everywhere")
    assert len(sends) == len(clients)
    assert broadcaster.client_count() == 20
    assert broadcaster.draining_count() == 0


def test_a_stalled_client_waits_alone_then_catches_up_in_order(make) -> None:
    broadcaster = make()
    healthy = [Client(broadcaster) for _ in range(5)]
    stalled = Client(broadcaster, stalled=True)
    sent: list[str] = []
    for _ in range(20):  # far more than the stalled client's buffers hold
        sent += publish(broadcaster, 1, pad=PAD)
        wait.wait_for(partial(all_received, healthy, list(sent)), what="the healthy clients")
    assert broadcaster.draining_count() == 1
    assert len(stalled.events()) < len(sent)  # it really is behind
    started = time.monotonic()
    sent += publish(broadcaster, 1)
    wait.wait_for(lambda: all(c.events() == sent for c in healthy), what="no delay for others")
    assert time.monotonic() - started < 1.0
    wait.wait_for(lambda: stalled.events() == sent, timeout=5, what="the stalled one caught up")
    wait.wait_for(lambda: broadcaster.draining_count() == 0, what="back on the fast path")
    sent += publish(broadcaster, 1)
    wait.wait_for(lambda: all(c.events() == sent for c in [*healthy, stalled]), what="live again")


def test_a_stalled_client_too_far_behind_is_cut_off(make) -> None:
    broadcaster = make(client_queue_size=5)
    before = counter("overflow")
    healthy, stalled = Client(broadcaster), Client(broadcaster, stalled=True)
    sent = []
    for _ in range(15):
        sent += publish(broadcaster, 1, pad=PAD)
        gevent.sleep(0.01)
    wait.wait_for(lambda: healthy.events() == sent, what="the healthy client")
    wait.wait_for(lambda: broadcaster.client_count() == 1, timeout=5, what="the stalled cut off")
    assert counter("overflow") == before + 1
    wait.wait_for(lambda: (stalled.read(), stalled.closed)[1], what="its connection closed")
    assert not stalled.finished  # cut, not ended: it resumes with Last-Event-ID


@pytest.mark.parametrize("reason", ["shutdown", "lifetime"])
def test_a_stream_the_server_ends_gets_the_rest_and_the_last_chunk(make, reason) -> None:
    broadcaster = make(max_stream_lifetime=0.5 if reason == "lifetime" else 3600.0)
    before = counter(reason)
    client = Client(broadcaster)
    ids = publish(broadcaster, 2)
    if reason == "shutdown":
        broadcaster.shutdown()
    wait.wait_for(lambda: (client.read(), client.closed)[1], timeout=5, what="closed")
    assert client.events() == ids
    assert client.finished
    assert broadcaster.client_count() == 0
    assert counter(reason) == before + 1


@pytest.mark.parametrize("how", ["close", "reset", "send"])
def test_a_client_that_left_is_forgotten_without_a_write(make, how) -> None:
    # Issue 12, finding 3: it used to count as open until the next write (a heartbeat, 30 s).
    broadcaster = make()
    before = counter("client_gone")
    leaving, staying = Client(broadcaster), Client(broadcaster)
    if how == "send":  # a stream's client says nothing after its request: a new request is an end
        leaving.sock.send(b"GET / HTTP/1.1\r\n\r\n")
    else:
        if how == "reset":
            leaving.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00" * 2)
        leaving.sock.close()
    wait.wait_for(lambda: broadcaster.client_count() == 1, timeout=1, what="the leaver forgotten")
    assert counter("client_gone") == before + 1
    ids = publish(broadcaster, 1)
    wait.wait_for(lambda: staying.events() == ids, what="the other one served")


def test_a_draining_client_that_left_is_forgotten_at_once(make) -> None:
    broadcaster = make()
    before = counter("client_gone")
    stalled = Client(broadcaster, stalled=True)
    for _ in range(10):
        publish(broadcaster, 1, pad=PAD)
    wait.wait_for(lambda: broadcaster.draining_count() == 1, what="the stalled one draining")
    stalled.sock.close()
    wait.wait_for(lambda: broadcaster.client_count() == 0, timeout=1, what="forgotten")
    assert broadcaster.draining_count() == 0
    assert counter("client_gone") == before + 1


def test_a_stream_that_does_not_drain_in_time_is_cut(make) -> None:
    # Issue 12, finding 5: with small events the queue bound (256) takes hours to fill, while
    # the kernel holds what the client does not read. The drain timeout cuts it instead.
    broadcaster = make(drain_timeout=1.0)
    before = counter("stalled")
    healthy, stalled = Client(broadcaster), Client(broadcaster, stalled=True)
    sent = []
    for _ in range(10):
        sent += publish(broadcaster, 1, pad=PAD)
    wait.wait_for(lambda: broadcaster.draining_count() == 1, what="the stalled one draining")
    began = time.monotonic()
    wait.wait_for(lambda: broadcaster.client_count() == 1, timeout=5, what="the stalled cut")
    took = time.monotonic() - began
    assert 0.8 < took < 4.0, took  # the timeout (1 s), checked every second
    assert counter("stalled") == before + 1
    wait.wait_for(lambda: healthy.events() == sent, what="the healthy one served all along")
    wait.wait_for(lambda: (stalled.read(), stalled.closed)[1], what="its connection closed")
    assert not stalled.finished  # cut: it resumes with Last-Event-ID when it reads again


def test_a_client_that_stops_reading_is_cut_while_its_buffers_still_take_everything(make) -> None:
    # Issue 12, finding 5, the case the queue bound never caught: small events that the kernel
    # keeps taking (no write ever blocks), while the client reads nothing. Over TCP, the kernel
    # gives up once the client's window has stayed shut for the drain timeout.
    broadcaster = make(drain_timeout=1.0)
    before = counter("stalled")
    with socket.create_server(("127.0.0.1", 0)) as listener:
        client = socket.create_connection(listener.getsockname())
        client.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        server, _ = listener.accept()
    raw = _socket.socket(fileno=server.detach())
    raw.setblocking(False)
    sub = broadcaster.subscribe(last_event_id=None, client="test")
    broadcaster.adopt(sub, raw, chunk(broadcaster.first_chunk(sub)))
    try:
        publish(broadcaster, 20, pad=PAD)  # 40 KB: more than the client takes, less than ours
        gevent.sleep(0.2)
        assert (broadcaster.client_count(), broadcaster.draining_count()) == (1, 0)  # all sent
        wait.wait_for(lambda: broadcaster.client_count() == 0, timeout=10, what="cut")
        assert counter("stalled") == before + 1
    finally:
        client.close()


def test_a_slow_client_that_keeps_draining_is_not_cut(make) -> None:
    broadcaster = make(drain_timeout=1.0)
    slow = Client(broadcaster, stalled=True)
    sent: list[str] = []
    deadline = time.monotonic() + 3.0  # three drain timeouts
    while time.monotonic() < deadline:
        sent += publish(broadcaster, 1, pad=PAD)
        gevent.sleep(0.05)
        slow.read()  # it falls behind now and then, and always catches up
    wait.wait_for(lambda: slow.events() == sent, what="everything, in order")
    assert broadcaster.client_count() == 1


def test_each_stream_gets_a_bounded_send_buffer(make) -> None:
    broadcaster = make(send_buffer_bytes=16_384)
    client = Client(broadcaster)
    # Linux reserves twice the size asked for; autotuning would let it grow to megabytes.
    assert client.server.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF) == 2 * 16_384


def test_a_live_reload_bounds_open_streams_anew() -> None:
    """A changed sendBufferBytes or drainTimeout reaches streams already open, not only new ones."""
    settings = [RealtimeSettings(send_buffer_bytes=16_384, drain_timeout=30.0)]
    broadcaster = EventBroadcaster(lambda: settings[0])
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    client = socket.create_connection(listener.getsockname())
    server, _ = listener.accept()
    try:
        broadcaster.subscribe(last_event_id=None, client="c", socket=server)

        def bounds() -> tuple[int, int]:
            return (
                server.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF),
                server.getsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT),
            )

        assert bounds() == (2 * 16_384, 30_000)
        settings[0] = RealtimeSettings(send_buffer_bytes=32_768, drain_timeout=5.0)
        broadcaster.config_changed({})
        assert bounds() == (2 * 32_768, 5_000)
    finally:
        broadcaster.shutdown()
        broadcaster.stop()
        for sock in (client, server, listener):
            sock.close()


def test_heartbeats_only_go_to_quiet_streams(make) -> None:
    broadcaster = make(heartbeat_interval=3600.0)
    client = Client(broadcaster)

    def heartbeats() -> int:
        client.read()
        return sum(m.event == "HEARTBEAT" for m in client.messages)

    wait.wait_for(lambda: heartbeats() == 1, what="the opening heartbeat")
    broadcaster.broadcast_event(EventType.HEARTBEAT)
    wait.wait_for(lambda: heartbeats() == 2, what="a heartbeat to a quiet stream")
    publish(broadcaster, 1)
    broadcaster.broadcast_event(EventType.HEARTBEAT)  # an event went out since the last one
    broadcaster.broadcast_event(EventType.HEARTBEAT)
    wait.wait_for(lambda: heartbeats() == 3, what="the next quiet period's heartbeat")
    gevent.sleep(0.05)
    assert heartbeats() == 3


def test_a_stream_that_must_end_but_takes_nothing_is_closed(make) -> None:
    broadcaster = make()
    before = counter("shutdown")
    healthy, stalled = Client(broadcaster), Client(broadcaster, stalled=True)
    for _ in range(10):
        publish(broadcaster, 1, pad=PAD)
    wait.wait_for(lambda: broadcaster.draining_count() == 1, what="the stalled one draining")
    broadcaster.shutdown()
    wait.wait_for(lambda: (healthy.read(), healthy.finished)[1], what="the healthy one ended")
    assert broadcaster.client_count() == 1  # the stalled one is still owed its last chunk
    wait.wait_for(lambda: broadcaster.client_count() == 0, timeout=5, what="given up on")
    assert counter("shutdown") == before + 2
    assert not stalled.finished
