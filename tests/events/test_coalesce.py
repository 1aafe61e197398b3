"""The debounce: per object, final state, nothing lost, bursts become one RESYNC."""

from __future__ import annotations

import dataclasses

from startpunkt import model
from startpunkt.events import payloads
from startpunkt.events.coalesce import Coalescer
from startpunkt.events.payloads import EventType
from testkit import items

W = 0.5


def app(name: str = "grafana", **fields: object) -> model.Application:
    display = fields.pop("display", name.title())
    return items.application(
        display,  # type: ignore[arg-type]
        "Monitoring",
        resource_name=name,
        source="Ingress",
        url=f"https://{name}.example.com",
        **fields,
    )


def mark(name: str = "docs") -> model.Bookmark:
    return items.bookmark(name, "Links", resource_name=name, url=f"https://{name}.example.com")


def types(events: list) -> list[EventType]:
    return [kind for kind, _ in events]


def test_nothing_before_the_window_closes() -> None:
    c = Coalescer()
    c.change(None, app(), now=0.0, window=W)
    assert c.next_due() == W
    assert c.take_due(W - 0.01) == []
    assert types(c.take_due(W)) == [EventType.APPLICATION_ADDED]
    assert c.next_due() is None
    assert len(c) == 0


def test_added_then_updated_sends_one_added_with_the_final_state() -> None:
    c = Coalescer()
    first, second = app(), app(info="v2")
    c.change(None, first, now=0.0, window=W)
    c.change(first, second, now=0.2, window=W)
    [(kind, data)] = c.take_due(1.0)
    assert kind is EventType.APPLICATION_ADDED
    assert data == model.to_json(second)


def test_added_then_removed_inside_the_window_sends_nothing() -> None:
    c = Coalescer()
    c.change(None, app(), now=0.0, window=W)
    c.change(app(), None, now=0.1, window=W)
    assert c.take_due(1.0) == []


def test_removed_then_added_sends_updated() -> None:
    c = Coalescer()
    old, new = app(), app(info="back, changed")
    c.change(old, None, now=0.0, window=W)
    c.change(None, new, now=0.1, window=W)
    assert c.take_due(1.0) == [(EventType.APPLICATION_UPDATED, model.to_json(new))]


def test_never_announced_added_removed_added_sends_added() -> None:
    c = Coalescer()
    c.change(None, app(), now=0.0, window=W)
    c.change(app(), None, now=0.1, window=W)
    c.change(None, app(info="x"), now=0.2, window=W)
    assert types(c.take_due(1.0)) == [EventType.APPLICATION_ADDED]


def test_change_and_revert_sends_nothing() -> None:
    c = Coalescer()
    c.change(app(), app(info="tmp"), now=0.0, window=W)
    c.change(app(info="tmp"), app(), now=0.1, window=W)
    assert c.take_due(1.0) == []


def test_removed_carries_what_clients_knew() -> None:
    c = Coalescer()
    c.change(app(), None, now=0.0, window=W)
    [(kind, data)] = c.take_due(1.0)
    assert kind is EventType.APPLICATION_REMOVED
    expected = {
        "id": app().id,
        "name": "Grafana",
        "group": "Monitoring",
        "namespace": "default",
        "cluster": "local",
    }
    assert data == expected


def test_status_only_sends_status_changed_and_with_an_update_sends_updated() -> None:
    up, down = app(), app(available=False)
    c = Coalescer()
    c.change(up, down, now=0.0, window=W)
    [(kind, data)] = c.take_due(1.0)
    assert kind is EventType.STATUS_CHANGED
    assert data == {
        "id": up.id,
        "name": "Grafana",
        "group": "Monitoring",
        "url": "https://grafana.example.com",
        "available": False,
        "cluster": "local",
    }
    c.change(up, down, now=2.0, window=W)
    c.change(down, dataclasses.replace(down, info="new"), now=2.1, window=W)
    [(kind, data)] = c.take_due(3.0)
    assert kind is EventType.APPLICATION_UPDATED
    assert data["available"] is False and data["info"] == "new"


def test_bookmarks_have_their_own_types() -> None:
    c = Coalescer()
    c.change(None, mark("a"), now=0.0, window=W)
    c.change(mark("b"), dataclasses.replace(mark("b"), info="i"), now=0.0, window=W)
    c.change(mark("c"), None, now=0.0, window=W)
    assert types(c.take_due(1.0)) == [
        EventType.BOOKMARK_ADDED,
        EventType.BOOKMARK_UPDATED,
        EventType.BOOKMARK_REMOVED,
    ]


def test_objects_flush_in_order_of_first_change_each_in_its_own_window() -> None:
    c = Coalescer()
    c.change(None, app("a"), now=0.0, window=W)
    c.change(None, app("b"), now=0.3, window=W)
    c.change(app("a"), app("a", info="later"), now=0.4, window=W)
    assert [d["name"] for _, d in c.take_due(0.6)] == ["A"]
    assert c.next_due() == 0.3 + W
    assert [d["name"] for _, d in c.take_due(0.8)] == ["B"]


def test_a_steady_stream_still_yields_an_event_every_window_with_the_latest_state() -> None:
    c = Coalescer()
    known = app(info="0")
    sent: list[tuple[float, str]] = []
    for step in range(1, 33):  # a change every 0.1 s for 3.2 s
        now = step * 0.1
        new = app(info=str(step))
        c.change(known, new, now=now, window=W)
        known = new
        sent += [(now, d["info"]) for _, d in c.take_due(now + 1e-9)]
    times = [t for t, _ in sent]
    assert len(sent) >= 5
    assert all(b - a <= W + 0.1 + 1e-6 for a, b in zip([0.1, *times], times, strict=False))
    # Each event carried the state as of its window's close.
    assert all(info == str(round(t * 10)) for t, info in sent)
    sent += [(9.9, d["info"]) for _, d in c.take_due(10.0)]
    assert sent[-1][1] == "32"  # the final state always arrives


def test_burst_becomes_one_resync_then_normal_events_again() -> None:
    c = Coalescer(burst_limit=100)
    for i in range(101):
        c.change(None, app(f"app{i}"), now=0.001 * i, window=W)
    c.change(None, app("late"), now=0.3, window=W)  # covered by the RESYNC
    assert len(c) == 1
    assert c.next_due() == W
    # RESYNC, then the last changed application as an ordinary event for clients that ignore it.
    assert c.take_due(W) == [
        (EventType.RESYNC, {"reason": "burst", "followedBy": 1}),
        (EventType.APPLICATION_UPDATED, model.to_json(app("late"))),
    ]
    c.change(None, app("after"), now=1.0, window=W)
    assert types(c.take_due(2.0)) == [EventType.APPLICATION_ADDED]


def test_a_resync_is_followed_by_the_last_application_and_bookmark() -> None:
    c = Coalescer(burst_limit=3)
    c.change(None, mark("old-docs"), now=0.0, window=W)
    for i in range(3):
        c.change(None, app(f"app{i}"), now=0.01, window=W)
    gone = app("gone")
    c.change(gone, None, now=0.1, window=W)  # the last application change is a removal
    c.change(None, mark("new-docs"), now=0.2, window=W)
    resync = (EventType.RESYNC, {"reason": "burst", "followedBy": 2})
    updated = (EventType.BOOKMARK_UPDATED, model.to_json(mark("new-docs")))
    removed = (EventType.APPLICATION_REMOVED, payloads.payload(EventType.APPLICATION_REMOVED, gone))
    assert c.take_due(W) in ([resync, updated, removed], [resync, removed, updated])
    assert c.take_due(10.0) == []


def test_a_burst_of_one_type_is_followed_by_one_event() -> None:
    c = Coalescer(burst_limit=2)
    for i in range(3):
        c.change(None, app(f"app{i}"), now=0.0, window=W)
    assert types(c.take_due(W)) == [EventType.RESYNC, EventType.APPLICATION_UPDATED]


def test_exactly_the_limit_is_not_a_burst() -> None:
    c = Coalescer(burst_limit=10)
    for i in range(10):
        c.change(None, app(f"app{i}"), now=0.0, window=W)
    assert types(c.take_due(1.0)) == [EventType.APPLICATION_ADDED] * 10


def test_config_keeps_only_the_last_inside_the_window() -> None:
    c = Coalescer()
    c.config({"v": 1}, now=0.0, window=W)
    c.config({"v": 2}, now=0.4, window=W)
    assert c.next_due() == W
    assert c.take_due(W) == [(EventType.CONFIG_CHANGED, {"v": 2})]


def test_zero_window_is_due_at_once() -> None:
    c = Coalescer()
    c.change(None, app(), now=5.0, window=0.0)
    assert c.next_due() == 5.0
    assert types(c.take_due(5.0)) == [EventType.APPLICATION_ADDED]
