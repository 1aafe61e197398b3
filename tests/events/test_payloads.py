"""What a change is, what each event carries, and its bytes: one decision for the whole stream."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest

from startpunkt import model
from startpunkt.events import payloads
from startpunkt.events.payloads import EventType
from testkit import items

APP = items.application("Grafana", "Monitoring", source="Ingress", url="https://grafana.example")
MARK = items.bookmark("Docs", "Links", url="https://docs.example")
NEWER = dataclasses.replace(APP, info="new")
DOWN = dataclasses.replace(APP, available=False)
MARK_NEWER = dataclasses.replace(MARK, info="new")


def types(changes: list) -> list[EventType]:
    return [kind for kind, _ in changes]


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        pytest.param(None, None, [], id="absent"),
        pytest.param(APP, APP, [], id="equal"),
        pytest.param(None, APP, [EventType.APPLICATION_ADDED], id="app-added"),
        pytest.param(APP, None, [EventType.APPLICATION_REMOVED], id="app-removed"),
        pytest.param(APP, NEWER, [EventType.APPLICATION_UPDATED], id="app-updated"),
        pytest.param(APP, DOWN, [EventType.STATUS_CHANGED], id="status-only"),
        pytest.param(DOWN, NEWER, [EventType.APPLICATION_UPDATED], id="status-and-more"),
        pytest.param(None, MARK, [EventType.BOOKMARK_ADDED], id="bookmark-added"),
        pytest.param(MARK, None, [EventType.BOOKMARK_REMOVED], id="bookmark-removed"),
        pytest.param(MARK, MARK_NEWER, [EventType.BOOKMARK_UPDATED], id="bookmark-updated"),
    ],
)
def test_classify_names_each_change(old, new, expected) -> None:
    assert types(payloads.classify(old, new)) == expected


def test_classify_describes_the_item_clients_must_see() -> None:
    assert payloads.classify(APP, NEWER) == [(EventType.APPLICATION_UPDATED, NEWER)]
    assert payloads.classify(APP, None) == [(EventType.APPLICATION_REMOVED, APP)]


def test_classify_of_kind_change_is_removed_then_added() -> None:
    assert types(payloads.classify(APP, MARK)) == [
        EventType.APPLICATION_REMOVED,
        EventType.BOOKMARK_ADDED,
    ]


def test_added_and_updated_carry_the_object_as_rest_shows_it() -> None:
    assert payloads.payload(EventType.APPLICATION_ADDED, APP) is model.to_json(APP)
    assert payloads.payload(EventType.BOOKMARK_UPDATED, MARK) is model.to_json(MARK)


def test_removed_carries_only_what_finds_the_card() -> None:
    assert payloads.payload(EventType.BOOKMARK_REMOVED, MARK) == {
        "id": MARK.id,
        "name": "Docs",
        "group": "Links",
        "namespace": "default",
        "cluster": "local",
    }


def test_status_changed_carries_the_url_and_availability() -> None:
    assert payloads.payload(EventType.STATUS_CHANGED, DOWN) == {
        "id": APP.id,
        "name": "Grafana",
        "group": "Monitoring",
        "url": "https://grafana.example",
        "available": False,
        "cluster": "local",
    }


def test_frame_is_one_sse_message_with_a_compact_ascii_envelope() -> None:
    now = datetime(2025, 10, 29, 12, 0, tzinfo=UTC)
    frame = payloads.frame(EventType.RESYNC, {"reason": "ö"}, event_id="e-1", now=now)
    assert frame == (
        b"id: e-1\nevent: RESYNC\n"
        b'data: {"type":"RESYNC","timestamp":"2025-10-29T12:00:00.000Z",'
        b'"data":{"reason":"\\u00f6"}}\n\n'
    )


def test_follow_ups_are_an_ordinary_event_per_change() -> None:
    """After a RESYNC, for clients that ignore it: UPDATED with the state, REMOVED when gone."""
    app = items.application("Wiki", "Docs")
    mark = items.bookmark("Handbook", "Links")
    assert payloads.follow_ups([(None, app), (mark, None), (None, None)]) == [
        (EventType.APPLICATION_UPDATED, model.to_json(app)),
        (EventType.BOOKMARK_REMOVED, payloads.payload(EventType.BOOKMARK_REMOVED, mark)),
    ]


def test_resync_says_how_many_follow_only_when_any_may() -> None:
    assert payloads.resync("too_large") == (EventType.RESYNC, {"reason": "too_large"})
    assert payloads.resync("epoch", followed_by=0)[1] == {"reason": "epoch", "followedBy": 0}
    assert payloads.resync("burst", followed_by=2)[1] == {"reason": "burst", "followedBy": 2}
