"""`GET /api/updates/stream` through Flask's test client, read incrementally and with bounds.

Each way a stream ends has a test here: client gone (close), overflow, lifetime, shutdown,
realtime switched off. Events are triggered through the catalog (the real path) and through
`broadcast_event`.
"""

from __future__ import annotations

import dataclasses
import json
import re
import time
from collections.abc import Callable, Iterator
from types import SimpleNamespace
from typing import Any

import gevent
import pytest
from flask import Flask
from flask.testing import FlaskClient
from gevent.queue import Empty, Queue
from prometheus_client import REGISTRY

from startpunkt import config, model, runtime, signals
from startpunkt.config import RealtimeSettings, Settings
from startpunkt.events import EventType
from testkit import sse, wait

URL = "/api/updates/stream"
ORIGIN = "test:items"  # the origin tests/web/conftest.py fills the catalog under
TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
_END = object()


class Stream:
    """One open stream, read in its own greenlet (as a server would) into a queue."""

    def __init__(self, client: FlaskClient, url: str = URL, **kwargs: Any) -> None:
        self.response = client.get(url, buffered=False, **kwargs)
        self.chunks: list[bytes] = []
        self._messages: Queue = Queue()
        self._greenlet = gevent.spawn(self._read) if self.response.status_code == 200 else None

    def _read(self) -> None:
        decoder = sse.Decoder()
        try:
            for chunk in self.response.response:
                self.chunks.append(chunk)
                for message in decoder.feed(chunk):
                    self._messages.put(message)
        finally:
            self._messages.put(_END)

    def next(self, timeout: float = 5.0) -> sse.Message:
        """The next message (heartbeats included); fails on timeout or end of stream."""
        try:
            message = self._messages.get(timeout=timeout)
        except Empty:
            pytest.fail(f"no message within {timeout}s")
        assert message is not _END, "the stream ended"
        return message

    def event(self, timeout: float = 5.0) -> sse.Message:
        """The next message that is not a heartbeat or the retry block."""
        deadline = time.monotonic() + timeout
        while True:
            message = self.next(max(0.01, deadline - time.monotonic()))
            if message.event not in (None, "HEARTBEAT"):
                return message

    def ends(self, timeout: float = 5.0) -> bool:
        """True when the server ends the stream within `timeout` (messages before are skipped)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if self._messages.get(timeout=deadline - time.monotonic()) is _END:
                    return True
            except Empty:
                return False
        return False

    def close(self) -> None:
        if self._greenlet is not None:
            self._greenlet.kill()
        self.response.close()


Build = Callable[..., Flask]
Open = Callable[..., Stream]


def envelope(message: sse.Message) -> dict[str, Any]:
    body = json.loads(message.data or "")
    assert set(body) == {"type", "timestamp", "data"}
    assert body["type"] == message.event
    assert TIMESTAMP.fullmatch(body["timestamp"])
    return body


def counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name + "_total", labels) or 0.0


@pytest.fixture
def build(web: SimpleNamespace) -> Iterator[Callable[..., Flask]]:
    """Apps with realtime settings; their broadcasters are stopped afterwards."""
    apps: list[Flask] = []

    def make(items: list[model.Item] | None = None, **realtime: Any) -> Flask:
        settings = Settings(realtime=RealtimeSettings(**{"event_debounce_ms": 20, **realtime}))
        app = web.make_app(items or [], settings)
        apps.append(app)
        return app

    yield make
    for app in apps:
        runtime.get(app).broadcaster.stop()


@pytest.fixture
def streams() -> Iterator[Callable[..., Stream]]:
    opened: list[Stream] = []

    def open_stream(client: FlaskClient, url: str = URL, **kwargs: Any) -> Stream:
        stream = Stream(client, url, **kwargs)
        opened.append(stream)
        return stream

    yield open_stream
    for stream in opened:
        stream.close()


def broadcaster(app: Flask) -> Any:
    return runtime.get(app).broadcaster


# -- the response -----------------------------------------------------------------------------


def test_headers(build: Build) -> None:
    app = build()
    response = app.test_client().get(URL, buffered=False, headers={"Accept-Encoding": "gzip"})
    try:
        assert response.status_code == 200
        assert response.headers["Content-Type"] == "text/event-stream; charset=utf-8"
        assert response.headers["Cache-Control"] == "no-cache"
        assert response.headers["X-Accel-Buffering"] == "no"
        assert "Content-Encoding" not in response.headers
        assert "Content-Length" not in response.headers
    finally:
        response.close()


def test_first_bytes_are_retry_and_a_heartbeat_at_once(build: Build) -> None:
    app = build(retry_ms=1500)
    response = app.test_client().get(URL, buffered=False)
    try:
        first = next(iter(response.response))  # returns at once: no event has happened
        assert first.startswith(b"retry: 1500\n\n")
        retry, heartbeat = sse.Decoder().feed(first)
        assert retry == sse.Message(retry=1500)
        assert heartbeat.event == "HEARTBEAT"
        assert heartbeat.id == f"{broadcaster(app).epoch}-0"  # the position to resume from
        assert envelope(heartbeat)["data"] is None
        assert json.loads(heartbeat.data or "")["data"] is None
    finally:
        response.close()


def test_heartbeats_keep_coming(build: Build, streams: Open) -> None:
    stream = streams(build(heartbeat_interval=0.1).test_client())
    stream.next()  # retry
    stream.next()  # the opening heartbeat
    started = time.monotonic()
    for _ in range(3):
        beat = stream.next(timeout=2)
        assert beat.event == "HEARTBEAT"
        assert beat.id is None  # only events move the client's Last-Event-ID
        assert envelope(beat)["data"] is None
    assert time.monotonic() - started < 2


def test_realtime_disabled_answers_204(build: Build) -> None:
    app = build(enabled=False)
    response = app.test_client().get(URL)
    assert response.status_code == 204
    assert response.data == b""


def test_head_request_leaves_no_subscriber(build: Build) -> None:
    app = build()
    response = app.test_client().head(URL)
    assert response.status_code == 200
    assert broadcaster(app).client_count() == 1
    response.close()  # what the WSGI server does; the body was never iterated
    assert broadcaster(app).client_count() == 0


# -- every event type -------------------------------------------------------------------------


def test_every_event_type_through_the_real_paths(
    build: Build, streams: Open, web: SimpleNamespace
) -> None:
    grafana = web.application("Grafana", "Monitoring", url="https://grafana.example.com")
    app = build([grafana])
    rt = runtime.get(app)
    stream = streams(app.test_client())
    ids: list[int] = []

    def expect(kind: EventType) -> dict[str, Any]:
        message = stream.event()
        assert message.event == kind.value
        epoch, seq = (message.id or "").rsplit("-", 1)
        assert epoch == rt.broadcaster.epoch
        ids.append(int(seq))
        return envelope(message)["data"]

    prometheus = web.application("Prometheus", "Monitoring", url="https://prom.example.com")
    rt.catalog.put(ORIGIN, prometheus)
    assert expect(EventType.APPLICATION_ADDED) == model.to_json(prometheus)

    changed = dataclasses.replace(prometheus, info="metrics")
    rt.catalog.put(ORIGIN, changed)
    assert expect(EventType.APPLICATION_UPDATED) == model.to_json(changed)

    rt.catalog.set_available("https://grafana.example.com", False)
    assert expect(EventType.STATUS_CHANGED) == {
        "id": grafana.id,
        "name": "Grafana",
        "group": "Monitoring",
        "url": "https://grafana.example.com",
        "available": False,
        "cluster": "local",
    }

    rt.catalog.discard(ORIGIN, prometheus.id)
    assert expect(EventType.APPLICATION_REMOVED) == {
        "id": prometheus.id,
        "name": "Prometheus",
        "group": "Monitoring",
        "namespace": "default",
        "cluster": "local",
    }

    docs = web.bookmark("Docs", "Links", url="https://docs.example.com")
    rt.catalog.put(ORIGIN, docs)
    assert expect(EventType.BOOKMARK_ADDED) == model.to_json(docs)
    renamed = dataclasses.replace(docs, name="Manuals")
    rt.catalog.put(ORIGIN, renamed)
    assert expect(EventType.BOOKMARK_UPDATED) == model.to_json(renamed)
    rt.catalog.discard(ORIGIN, docs.id)
    assert expect(EventType.BOOKMARK_REMOVED) == {
        "id": docs.id,
        "name": "Manuals",
        "group": "Links",
        "namespace": "default",
        "cluster": "local",
    }

    new_settings = dataclasses.replace(
        rt.settings, web=dataclasses.replace(rt.settings.web, title="Home")
    )
    signals.config_changed.send(app, config=new_settings)
    assert expect(EventType.CONFIG_CHANGED) == config.public(new_settings, rt.version)["config"]

    rt.broadcaster.broadcast_event(EventType.RESYNC, {"reason": "test"})
    assert expect(EventType.RESYNC) == {"reason": "test"}

    rt.broadcaster.broadcast_event(EventType.HEARTBEAT)
    assert stream.next().event == "HEARTBEAT"

    assert ids == list(range(1, 10))


def test_changes_inside_the_debounce_window_arrive_as_one_final_event(
    build: Build, streams: Open, web: SimpleNamespace
) -> None:
    app = build(event_debounce_ms=200)
    rt = runtime.get(app)
    stream = streams(app.test_client())
    for info in ("one", "two", "three"):
        rt.catalog.put(ORIGIN, web.application("Wiki", "Docs", info=info))
    ghost = web.application("Ghost", "Docs")
    rt.catalog.put(ORIGIN, ghost)
    rt.catalog.discard(ORIGIN, ghost.id)  # added then removed: nothing
    message = stream.event()
    assert message.event == "APPLICATION_ADDED"
    assert envelope(message)["data"]["info"] == "three"
    rt.broadcaster.broadcast_event(EventType.RESYNC, {"reason": "marker"})
    assert stream.event().event == "RESYNC"  # nothing came between


def test_a_large_burst_becomes_one_resync(
    build: Build, streams: Open, web: SimpleNamespace
) -> None:
    app = build(event_debounce_ms=0)
    rt = runtime.get(app)
    stream = streams(app.test_client())
    rt.catalog.replace("bulk", [web.application(f"App {i}", "Bulk") for i in range(1500)])
    message = stream.event()
    assert message.event == "RESYNC"
    assert envelope(message)["data"] == {"reason": "burst", "followedBy": 1}
    follow = stream.event()  # for clients that ignore RESYNC: one ordinary event to refetch on
    assert follow.event == "APPLICATION_UPDATED"
    assert envelope(follow)["data"]["group"] == "Bulk"
    rt.broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {"marker": True})
    assert stream.event().event == "CONFIG_CHANGED"


def test_catalog_receivers_never_raise(
    build: Build,
    web: SimpleNamespace,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    rt = runtime.get(build())

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(rt.broadcaster, "item_changed", broken)
    rt.catalog.put(ORIGIN, web.application("Wiki", "Docs"))  # does not raise
    assert rt.catalog.snapshot().find_application("Docs", "Wiki") is not None
    assert "could not queue the event" in caplog.text


# -- resuming ---------------------------------------------------------------------------------


def _publish(app: Flask, n: int) -> list[str]:
    return [broadcaster(app).broadcast_event(EventType.CONFIG_CHANGED, {"n": i}) for i in range(n)]


@pytest.mark.parametrize("how", ["header", "query"])
def test_resume_replays_what_was_missed_then_goes_live(
    build: Build, streams: Open, how: str
) -> None:
    app = build()
    ids = _publish(app, 5)
    if how == "header":
        stream = streams(app.test_client(), headers={"Last-Event-ID": ids[1]})
    else:
        stream = streams(app.test_client(), query_string={"lastEventId": ids[1]})
    assert [stream.event().id for _ in range(3)] == ids[2:]
    [live] = _publish(app, 1)
    assert stream.event().id == live


def test_header_wins_over_query(build: Build, streams: Open) -> None:
    app = build()
    ids = _publish(app, 3)
    stream = streams(
        app.test_client(), headers={"Last-Event-ID": ids[1]}, query_string={"lastEventId": "x"}
    )
    assert stream.event().id == ids[2]


def test_resume_at_the_head_replays_nothing(build: Build, streams: Open) -> None:
    app = build()
    ids = _publish(app, 2)
    stream = streams(app.test_client(), headers={"Last-Event-ID": ids[-1]})
    stream.next()
    assert stream.next().id == ids[-1]  # the opening heartbeat confirms the position
    [live] = _publish(app, 1)
    assert stream.event().id == live


@pytest.mark.parametrize(
    ("last_id", "reason"),
    [("0badcafe-1", "epoch"), ("{epoch}-99", "unknown"), ("{epoch}-1", "expired")],
)
def test_unknown_or_expired_ids_get_resync_first(
    build: Build, streams: Open, last_id: str, reason: str
) -> None:
    app = build(replay_size=2)
    _publish(app, 5)
    epoch = broadcaster(app).epoch
    stream = streams(app.test_client(), headers={"Last-Event-ID": last_id.format(epoch=epoch)})
    stream.next()  # retry
    opening = stream.next()
    assert opening.event == "HEARTBEAT" and opening.id is None
    resync = stream.next()
    assert resync.event == "RESYNC"
    assert resync.id == f"{epoch}-5"  # from here on the client is in step
    assert envelope(resync)["data"] == {"reason": reason, "followedBy": 0}  # the catalog is empty
    [live] = _publish(app, 1)
    assert stream.event().id == live


def test_a_resync_for_a_foreign_id_is_followed_by_current_items(
    build: Build, streams: Open, web: SimpleNamespace
) -> None:
    """After a restart (an id from another epoch) clients that ignore RESYNC must still refetch:
    the RESYNC is followed by an ordinary event about a current application and bookmark."""
    wiki, docs = web.application("Wiki", "Docs"), web.bookmark("Handbook", "Links")
    app = build([web.application("Zulip", "Team"), wiki, docs])
    [before] = _publish(app, 1)
    stream = streams(app.test_client(), query_string={"lastEventId": "0badcafe-7"})
    resync = stream.event()
    assert resync.event == "RESYNC"
    assert envelope(resync)["data"] == {"reason": "epoch", "followedBy": 2}
    follow = [stream.event(), stream.event()]
    assert [m.event for m in follow] == ["APPLICATION_UPDATED", "BOOKMARK_UPDATED"]
    assert [envelope(m)["data"]["id"] for m in follow] == [wiki.id, docs.id]  # as REST shows them
    assert (
        envelope(follow[0])["data"]
        == app.test_client().get("/api/apps").json["groups"][0]["applications"][0]
    )
    # Not in the log: they carry the RESYNC's id, so resuming from them replays nothing twice.
    assert {m.id for m in follow} == {resync.id} == {before}
    [live] = _publish(app, 1)
    assert stream.event().id == live
    again = streams(app.test_client(), headers={"Last-Event-ID": follow[-1].id})
    assert again.event().id == live


def test_only_the_reconnecting_client_gets_the_follow_ups(
    build: Build, streams: Open, web: SimpleNamespace
) -> None:
    app = build([web.application("Wiki", "Docs")])
    in_step = streams(app.test_client())
    in_step.next()  # retry
    in_step.next()  # its opening heartbeat: it is open
    foreign = streams(app.test_client(), headers={"Last-Event-ID": "0badcafe-3"})
    assert [foreign.event().event for _ in range(2)] == ["RESYNC", "APPLICATION_UPDATED"]
    [live] = _publish(app, 1)
    assert in_step.event().id == live  # nothing came before it
    assert foreign.event().id == live


def test_a_follow_up_over_max_event_bytes_is_left_out(
    build: Build, streams: Open, web: SimpleNamespace
) -> None:
    big = web.application("Wiki", "Docs", info="x" * 5000)
    app = build([big, web.bookmark("Handbook", "Links")], max_event_bytes=4096)
    stream = streams(app.test_client(), headers={"Last-Event-ID": "0badcafe-3"})
    resync = stream.event()
    assert envelope(resync)["data"] == {"reason": "epoch", "followedBy": 1}
    assert stream.event().event == "BOOKMARK_UPDATED"
    [live] = _publish(app, 1)
    assert stream.event().id == live


# -- limits -----------------------------------------------------------------------------------


def test_process_cap_answers_503_with_retry_after(build: Build, streams: Open) -> None:
    app = build(max_connections=2)
    client = app.test_client()
    first = streams(client, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    streams(client, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    before = counter("startpunkt_streams_rejected", reason="max_connections")
    refused = client.get(URL, environ_base={"REMOTE_ADDR": "10.0.0.3"})
    assert refused.status_code == 503
    assert int(refused.headers["Retry-After"]) > 0
    assert refused.get_json()["reason"] == "max_connections"
    assert counter("startpunkt_streams_rejected", reason="max_connections") == before + 1
    first.close()
    wait.wait_for(lambda: broadcaster(app).client_count() == 1, timeout=5.0)
    assert streams(client).response.status_code == 200  # a freed slot is usable again


def test_per_client_cap_by_address(build: Build, streams: Open) -> None:
    app = build(max_connections_per_client=1)
    client = app.test_client()
    streams(client, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    refused = client.get(URL, environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert refused.status_code == 503
    assert refused.headers["Retry-After"]
    assert refused.get_json()["reason"] == "max_connections_per_client"
    other = streams(client, environ_base={"REMOTE_ADDR": "10.0.0.2"})
    assert other.response.status_code == 200
    # A client that is not a trusted proxy cannot pick another address with the header.
    forged = client.get(
        URL, environ_base={"REMOTE_ADDR": "10.0.0.1"}, headers={"X-Forwarded-For": "203.0.113.9"}
    )
    assert forged.status_code == 503
    # Behind a trusted proxy every client shares its address; X-Forwarded-For tells them apart.
    for forwarded in ("203.0.113.9", "203.0.113.10"):
        proxied = streams(
            client,
            environ_base={"REMOTE_ADDR": "127.0.0.1"},
            headers={"X-Forwarded-For": forwarded},
        )
        assert proxied.response.status_code == 200


def test_several_forwarded_for_fields_are_one_list(build: Build, streams: Open) -> None:
    app = build(max_connections_per_client=1)
    client = app.test_client()
    local = {"REMOTE_ADDR": "127.0.0.1"}  # a trusted proxy (gunicorn's default)
    two = [("X-Forwarded-For", "6.6.6.6"), ("X-Forwarded-For", "198.51.100.1")]
    assert streams(client, environ_base=local, headers=two).response.status_code == 200
    # The nearest entry (the last field's) is the client: the same one again is refused.
    same = client.get(URL, environ_base=local, headers={"X-Forwarded-For": "198.51.100.1"})
    assert same.status_code == 503


# -- every way a stream ends ------------------------------------------------------------------


def test_client_gone_cleans_up(build: Build, streams: Open) -> None:
    app = build(max_connections_per_client=1)
    before = counter("startpunkt_stream_disconnects", reason="client_gone")
    stream = streams(app.test_client())
    stream.next()
    assert broadcaster(app).client_count() == 1
    stream.close()
    assert broadcaster(app).client_count() == 0
    assert counter("startpunkt_stream_disconnects", reason="client_gone") == before + 1
    assert streams(app.test_client()).response.status_code == 200  # its per-client slot is free


def test_a_client_that_falls_behind_is_disconnected(build: Build) -> None:
    app = build(client_queue_size=3)
    before = counter("startpunkt_stream_disconnects", reason="overflow")
    response = app.test_client().get(URL, buffered=False)
    chunks = iter(response.response)
    next(chunks)  # read the opening, then stop reading
    _publish(app, 10)
    with pytest.raises(StopIteration):
        next(chunks)  # the server ends it instead of sending a partial history
    response.close()
    assert counter("startpunkt_stream_disconnects", reason="overflow") == before + 1
    assert broadcaster(app).client_count() == 0


def test_streams_end_after_their_lifetime(build: Build, streams: Open) -> None:
    app = build(max_stream_lifetime=0.3)
    before = counter("startpunkt_stream_disconnects", reason="lifetime")
    stream = streams(app.test_client())
    assert stream.ends(timeout=3)
    assert counter("startpunkt_stream_disconnects", reason="lifetime") == before + 1
    assert broadcaster(app).client_count() == 0


def test_shutdown_ends_streams_and_refuses_new_ones(build: Build, streams: Open) -> None:
    app = build()
    stream = streams(app.test_client())
    stream.next()
    broadcaster(app).shutdown()
    assert stream.ends(timeout=3)
    assert broadcaster(app).client_count() == 0
    before = counter("startpunkt_streams_rejected", reason="shutting_down")
    refused = app.test_client().get(URL)
    # Not 503: an EventSource would never come back. An empty stream that says when to.
    assert refused.status_code == 200
    assert refused.mimetype == "text/event-stream"
    assert refused.data == b": shutting_down\nretry: 2000\n\n"
    assert refused.headers["Retry-After"] == "2"
    assert counter("startpunkt_streams_rejected", reason="shutting_down") == before + 1


def test_switching_realtime_off_sends_the_config_then_ends_streams(
    build: Build, streams: Open
) -> None:
    app = build()
    rt = runtime.get(app)
    stream = streams(app.test_client())
    off = dataclasses.replace(
        rt.settings, realtime=dataclasses.replace(rt.settings.realtime, enabled=False)
    )
    rt.settings = off
    signals.config_changed.send(app, config=off)
    message = stream.event()
    assert message.event == "CONFIG_CHANGED"
    assert envelope(message)["data"]["realtime"]["enabled"] is False
    assert stream.ends(timeout=3)
    assert app.test_client().get(URL).status_code == 204
