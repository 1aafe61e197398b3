"""What an event says: its type, what a catalog change is, the data it carries, its bytes.

`classify` is the one place that decides what a change is (added, removed, updated, status
only) and which event type tells it; the coalescer and every signal receiver ask it. Clients see
`{"type", "timestamp", "data"}` as the `data:` of an SSE message named after the type. Payloads
are built from catalog items through `model.to_json`, so an event shows an item exactly as REST
does. A frame is serialised once and the same bytes go to every client.
"""

from __future__ import annotations

import dataclasses
import enum
import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from startpunkt import model, sse


class EventType(enum.StrEnum):
    """The ten event types of the stream (SPEC §4)."""

    APPLICATION_ADDED = "APPLICATION_ADDED"
    APPLICATION_REMOVED = "APPLICATION_REMOVED"
    APPLICATION_UPDATED = "APPLICATION_UPDATED"
    BOOKMARK_ADDED = "BOOKMARK_ADDED"
    BOOKMARK_REMOVED = "BOOKMARK_REMOVED"
    BOOKMARK_UPDATED = "BOOKMARK_UPDATED"
    CONFIG_CHANGED = "CONFIG_CHANGED"
    STATUS_CHANGED = "STATUS_CHANGED"
    HEARTBEAT = "HEARTBEAT"
    RESYNC = "RESYNC"
    """The client must refetch everything (burst, unknown or expired Last-Event-ID)."""


Event = tuple[EventType, Any]
"""A type and its data, before it gets an id and bytes."""

Change = tuple[EventType, model.Item]
"""One thing a client must hear about an item: the event type and the item it describes."""

_ADDED = {model.Application: EventType.APPLICATION_ADDED, model.Bookmark: EventType.BOOKMARK_ADDED}
_UPDATED = {
    model.Application: EventType.APPLICATION_UPDATED,
    model.Bookmark: EventType.BOOKMARK_UPDATED,
}
_REMOVED = {
    model.Application: EventType.APPLICATION_REMOVED,
    model.Bookmark: EventType.BOOKMARK_REMOVED,
}


def classify(old: model.Item | None, new: model.Item | None) -> list[Change]:
    """What going from `old` to `new` (None: absent) is, as the events that tell a client.

    Nothing when they are equal; ADDED or REMOVED when one is absent; STATUS_CHANGED when only an
    application's `available` differs; UPDATED otherwise. An id whose item changes type (an
    Application becomes a Bookmark) is REMOVED then ADDED, since clients keep the two apart.
    """
    if old is None:
        return [] if new is None else [(_ADDED[type(new)], new)]
    if new is None:
        return [(_REMOVED[type(old)], old)]
    if old == new:
        return []
    if type(old) is not type(new):
        return [*classify(old, None), *classify(None, new)]
    if isinstance(new, model.Application) and (
        dataclasses.replace(old, available=new.available) == new
    ):
        return [(EventType.STATUS_CHANGED, new)]
    return [(_UPDATED[type(new)], new)]


def payload(kind: EventType, item: model.Item) -> dict[str, Any]:
    """The data of a `kind` event about `item` (a type `classify` returns)."""
    if kind in _REMOVED.values():
        # Only what a client needs to find the card (and its cluster, to group or filter by).
        return {
            "id": item.id,
            "name": item.name,
            "group": item.group,
            "namespace": item.namespace,
            "cluster": item.cluster,
        }
    if kind is EventType.STATUS_CHANGED and isinstance(item, model.Application):
        data = {"id": item.id, "name": item.name, "group": item.group, "url": item.url}
        return {**data, "available": item.available, "cluster": item.cluster}
    return model.to_json(item)


def resync(reason: str, *, followed_by: int | None = None) -> Event:
    """RESYNC; `followed_by` ordinary events (`follow_ups`, maybe none) come next only to make
    older clients refetch. None: this RESYNC is never followed (nothing is said)."""
    data: dict[str, Any] = {"reason": reason}
    if followed_by is not None:
        data["followedBy"] = followed_by
    return EventType.RESYNC, data


def refetch_hint(old: model.Item | None, new: model.Item | None) -> Change | None:
    """An ordinary event about a changed item, sent after a RESYNC for clients that ignore it.

    A client that knows only the first nine types (the reference's own page) refetches on an
    item event: UPDATED with the item's state, or REMOVED when it is gone.
    """
    if new is not None:
        return _UPDATED[type(new)], new
    if old is not None:
        return _REMOVED[type(old)], old
    return None


def follow_ups(changes: Iterable[tuple[model.Item | None, model.Item | None]]) -> list[Event]:
    """The ordinary events that follow a RESYNC, one per (old, new) change (see `refetch_hint`):
    the burst's last changes, or current items for a client whose Last-Event-ID is unknown."""
    hints = (refetch_hint(old, new) for old, new in changes)
    return [(kind, payload(kind, item)) for kind, item in filter(None, hints)]


def timestamp(now: datetime | None = None) -> str:
    """UTC, ISO 8601 with milliseconds and a `Z`: `2025-10-29T12:00:00.000Z`."""
    moment = (now or datetime.now(UTC)).astimezone(UTC)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def frame(
    kind: EventType, data: Any, *, event_id: str | None, now: datetime | None = None
) -> bytes:
    """The SSE bytes of one event; ASCII-only JSON, so no payload can break a line."""
    envelope = {"type": kind.value, "timestamp": timestamp(now), "data": data}
    return sse.encode(
        id=event_id, event=kind.value, data=json.dumps(envelope, separators=(",", ":"))
    )
