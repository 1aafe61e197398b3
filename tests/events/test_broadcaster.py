"""The broadcaster without HTTP: one serialisation per event, no yielding, slow clients cut."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable

import gevent
import gevent.pool
import pytest
from prometheus_client import REGISTRY

from startpunkt.config import RealtimeSettings
from startpunkt.events import EventBroadcaster, EventType, Subscriber, payloads
from testkit import items, sse, wait


class Reader:
    """A stream read in its own greenlet, as a server would; messages collected."""

    def __init__(self, broadcaster: EventBroadcaster, sub: Subscriber) -> None:
        self.sub = sub
        self.messages: list[sse.Message] = []
        self._decoder = sse.Decoder()
        self._broadcaster = broadcaster
        self.greenlet = gevent.spawn(self._run)

    def _run(self) -> None:
        try:
            while (chunk := self._broadcaster.next_chunk(self.sub)) is not None:
                self.messages += self._decoder.feed(chunk)
        finally:
            self._broadcaster.unsubscribe(self.sub)

    def events(self) -> list[str]:
        return [m.event for m in self.messages if m.event and m.event != "HEARTBEAT"]


def counter(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name + "_total", labels) or 0.0


def test_each_event_is_serialised_once_for_all_clients(
    make: Callable[..., EventBroadcaster], monkeypatch: pytest.MonkeyPatch
) -> None:
    broadcaster = make()
    readers = [
        Reader(broadcaster, broadcaster.subscribe(last_event_id=None, client=f"c{i}"))
        for i in range(50)
    ]
    wait.wait_for(lambda: all(r.messages for r in readers), timeout=5.0)
    calls: list[EventType] = []
    original = payloads.frame

    def counting(kind: EventType, *args: object, **kwargs: object) -> bytes:
        calls.append(kind)
        return original(kind, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(payloads, "frame", counting)
    broadcaster.broadcast_event(EventType.RESYNC, {"reason": "test"})
    wait.wait_for(lambda: all(r.events() == ["RESYNC"] for r in readers), timeout=5.0)
    assert calls == [EventType.RESYNC]
    for r in readers:
        r.greenlet.kill()
    assert broadcaster.client_count() == 0


def test_publishing_does_not_yield(make: Callable[..., EventBroadcaster]) -> None:
    broadcaster = make()
    readers = [
        Reader(broadcaster, broadcaster.subscribe(last_event_id=None, client="c"))
        for _ in range(10)
    ]
    wait.wait_for(lambda: all(r.messages for r in readers), timeout=5.0)
    ran: list[bool] = []
    gevent.spawn(ran.append, True)
    for i in range(100):
        broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {"i": i})
    assert ran == []  # nothing else ran while publishing
    assert all(r.events() == [] for r in readers)
    wait.wait_for(lambda: all(len(r.events()) == 100 for r in readers), timeout=5.0)
    for r in readers:
        r.greenlet.kill()


def test_ids_increase_and_carry_the_epoch(make: Callable[..., EventBroadcaster]) -> None:
    broadcaster = make()
    ids = [broadcaster.broadcast_event(EventType.RESYNC, None) for _ in range(3)]
    assert ids == [f"{broadcaster.epoch}-{i}" for i in (1, 2, 3)]
    assert broadcaster.last_event_id() == ids[-1]
    assert broadcaster.broadcast_event(EventType.HEARTBEAT) is None
    assert make().epoch != broadcaster.epoch


def test_an_event_over_max_event_bytes_goes_out_as_resync(
    make: Callable[..., EventBroadcaster], caplog: pytest.LogCaptureFixture
) -> None:
    # Issue 12, finding 9: one huge object must not be copied into every stream.
    broadcaster = make(max_event_bytes=2000, current=lambda: (WIKI, HANDBOOK))
    reader = Reader(broadcaster, broadcaster.subscribe(last_event_id=None, client="c"))
    item = {"id": "ingress/media/plex", "info": "\U0001f600" * 500}  # 6 KB as ASCII-only JSON
    huge = broadcaster.broadcast_event(EventType.APPLICATION_UPDATED, item)
    small = broadcaster.broadcast_event(EventType.APPLICATION_UPDATED, {"id": "ingress/a/b"})
    wait.wait_for(lambda: len(reader.events()) == 4, timeout=5.0)
    # Current items follow the RESYNC, so clients that ignore it (the reference's page) refetch.
    assert reader.events() == [
        "RESYNC",
        "APPLICATION_UPDATED",
        "BOOKMARK_UPDATED",
        "APPLICATION_UPDATED",
    ]
    resync, *follow_ups, last = [m for m in reader.messages if m.event not in (None, "HEARTBEAT")]
    assert resync.id == huge  # in its place: ids stay contiguous, resuming still works
    assert json.loads(resync.data or "")["data"] == {"reason": "too_large", "followedBy": 2}
    assert [json.loads(m.data or "")["data"]["id"] for m in follow_ups] == [WIKI.id, HANDBOOK.id]
    assert [m.id for m in follow_ups] == [huge, huge]
    assert last.id == small
    assert "ingress/media/plex" in caplog.text and "maxEventBytes" in caplog.text
    reader.greenlet.kill()


def test_a_slow_client_is_cut_and_never_delays_the_others(
    make: Callable[..., EventBroadcaster],
) -> None:
    broadcaster = make(client_queue_size=5)
    fast = Reader(broadcaster, broadcaster.subscribe(last_event_id=None, client="fast"))
    slow = broadcaster.subscribe(last_event_id=None, client="slow")
    assert broadcaster.next_chunk(slow)  # took its first bytes, then stops reading
    before = counter("startpunkt_stream_disconnects", reason="overflow")
    for i in range(20):
        broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {"i": i})
        gevent.sleep(0)
    wait.wait_for(lambda: len(fast.events()) == 20, timeout=5.0)
    assert broadcaster.next_chunk(slow) is None  # overflowed while it was not reading
    assert slow.ended == "overflow"
    broadcaster.unsubscribe(slow)
    assert counter("startpunkt_stream_disconnects", reason="overflow") == before + 1
    assert broadcaster.client_count() == 1
    fast.greenlet.kill()


def test_a_stuck_writer_is_marked_by_the_ticker(make: Callable[..., EventBroadcaster]) -> None:
    broadcaster = make(client_queue_size=2)
    stuck = broadcaster.subscribe(last_event_id=None, client="stuck")
    assert broadcaster.next_chunk(stuck)
    for i in range(5):
        broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {"i": i})
    wait.wait_for(lambda: stuck.ended == "overflow", timeout=5)  # without reading again
    broadcaster.unsubscribe(stuck)


def test_heartbeats_reach_idle_streams(make: Callable[..., EventBroadcaster]) -> None:
    broadcaster = make(heartbeat_interval=0.05)
    reader = Reader(broadcaster, broadcaster.subscribe(last_event_id=None, client="c"))
    wait.wait_for(lambda: sum(m.event == "HEARTBEAT" for m in reader.messages) >= 3, timeout=5.0)
    beat = next(m for m in reader.messages[2:] if m.event == "HEARTBEAT")
    assert beat.id is None and json.loads(beat.data or "")["data"] is None
    reader.greenlet.kill()


def test_background_greenlets_run_only_while_there_is_work(
    make: Callable[..., EventBroadcaster],
) -> None:
    greenlets = gevent.pool.Group()
    settings = RealtimeSettings(event_debounce_ms=10)
    broadcaster = EventBroadcaster(lambda: settings, tasks=greenlets)
    sub = broadcaster.subscribe(last_event_id=None, client="c")
    broadcaster.config_changed({"a": 1})
    assert len([g for g in greenlets if not g.dead]) == 2  # ticker and flusher
    broadcaster.unsubscribe(sub)
    wait.wait_for(lambda: all(g.dead for g in greenlets), timeout=3)
    assert broadcaster.last_event_id().endswith("-1")  # the flusher published before ending


def test_shutdown_ends_streams_and_refuses_new_ones(make: Callable[..., EventBroadcaster]) -> None:
    from startpunkt.events import Refused

    broadcaster = make()
    reader = Reader(broadcaster, broadcaster.subscribe(last_event_id=None, client="c"))
    wait.wait_for(lambda: bool(reader.messages), timeout=5.0)
    broadcaster.shutdown()
    reader.greenlet.join(timeout=5)
    assert reader.sub.ended == "shutdown" and reader.greenlet.dead
    with pytest.raises(Refused) as refused:
        broadcaster.subscribe(last_event_id=None, client="c")
    assert refused.value.reason == "shutting_down"
    assert broadcaster.opened == broadcaster.closed == 1


# -- a RESYNC for an id we cannot resume from ------------------------------------------------

WIKI = items.application("Wiki", "Docs", url="https://wiki.example")
HANDBOOK = items.bookmark("Handbook", "Links", url="https://handbook.example")


def opening(broadcaster: EventBroadcaster, last_event_id: str) -> list[sse.Message]:
    """The first bytes of a stream resuming from `last_event_id` (a handed-over one's)."""
    sub = broadcaster.subscribe(last_event_id=last_event_id, client="c")
    try:
        return sse.Decoder().feed(broadcaster.first_chunk(sub))
    finally:
        broadcaster.unsubscribe(sub)


@pytest.mark.parametrize(
    ("last_id", "reason"),
    [
        ("0badcafe-2", "epoch"),
        ("{epoch}-99", "unknown"),
        ("junk", "unknown"),
        ("{epoch}-1", "expired"),
    ],
)
def test_an_unknown_or_too_old_id_gets_resync_then_current_items(
    make: Callable[..., EventBroadcaster], last_id: str, reason: str
) -> None:
    """Clients that ignore RESYNC (the reference's page) refetch on the ordinary events after it."""
    broadcaster = make(current=lambda: (WIKI, HANDBOOK), replay_size=2)
    ids = [broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {"n": i}) for i in range(5)]
    messages = opening(broadcaster, last_id.format(epoch=broadcaster.epoch))
    assert [m.event for m in messages] == [
        None,  # retry
        "HEARTBEAT",
        "RESYNC",
        "APPLICATION_UPDATED",
        "BOOKMARK_UPDATED",
    ]
    data = [json.loads(m.data or "")["data"] for m in messages[2:]]
    assert data == [
        {"reason": reason, "followedBy": 2},
        payloads.payload(EventType.APPLICATION_UPDATED, WIKI),
        payloads.payload(EventType.BOOKMARK_UPDATED, HANDBOOK),
    ]
    assert [m.id for m in messages[1:]] == [None, ids[-1], ids[-1], ids[-1]]


def test_an_id_in_step_gets_no_follow_ups(make: Callable[..., EventBroadcaster]) -> None:
    broadcaster = make(current=lambda: (WIKI, HANDBOOK))
    [last] = [broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {})]
    assert [m.event for m in opening(broadcaster, last)] == [None, "HEARTBEAT"]


def test_an_empty_catalog_has_nothing_to_follow_with(make: Callable[..., EventBroadcaster]) -> None:
    broadcaster = make(current=tuple)
    messages = opening(broadcaster, "0badcafe-2")
    assert [m.event for m in messages] == [None, "HEARTBEAT", "RESYNC"]
    assert json.loads(messages[-1].data or "")["data"] == {"reason": "epoch", "followedBy": 0}


def test_the_follow_ups_are_current_when_the_opening_is_reused(
    make: Callable[..., EventBroadcaster],
) -> None:
    """The opening is shared by streams opened within a second, but not past a catalog change."""
    state = [WIKI]
    broadcaster = make(current=lambda: tuple(state))
    assert json.loads(opening(broadcaster, "0badcafe-2")[-1].data or "")["data"] == (
        payloads.payload(EventType.APPLICATION_UPDATED, WIKI)
    )
    state[0] = dataclasses.replace(WIKI, info="moved")
    follow = opening(broadcaster, "0badcafe-2")[-1]
    assert json.loads(follow.data or "")["data"]["info"] == "moved"


def test_follow_ups_go_to_the_reconnecting_stream_only(
    make: Callable[..., EventBroadcaster],
) -> None:
    broadcaster = make(current=lambda: (WIKI,))
    in_step = Reader(broadcaster, broadcaster.subscribe(last_event_id=None, client="a"))
    foreign = Reader(broadcaster, broadcaster.subscribe(last_event_id="0badcafe-1", client="b"))
    wait.wait_for(lambda: len(foreign.events()) == 2, timeout=5.0)
    live = broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {})
    wait.wait_for(lambda: len(in_step.events()) == 1 and len(foreign.events()) == 3, timeout=5.0)
    assert in_step.events() == ["CONFIG_CHANGED"]
    assert foreign.events() == ["RESYNC", "APPLICATION_UPDATED", "CONFIG_CHANGED"]
    assert foreign.messages[-1].id == live
