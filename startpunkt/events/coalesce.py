"""Debounce: fold the changes to one object inside `eventDebounceMs` into one event.

A window opens at an object's first change and closes `window` seconds later; the event sent
then is what `payloads.classify` makes of what clients last heard and the final state (added
then removed: nothing; removed then added: UPDATED; only availability differs: STATUS_CHANGED).
That is a trailing-edge debounce whose maximum wait equals the window, so a steady stream of
changes to one object still yields an event per window and no final state is ever lost. When
more than `burst_limit` objects are pending (an initial sync of 10,000 Ingresses), clients get
one RESYNC instead, followed by the last changed application and bookmark as ordinary events:
clients that know only the original nine types (the reference's page) ignore RESYNC but refetch
on those. The RESYNC says how many follow (`followedBy`), so our page skips them. Pure: the
caller supplies the clock and publishes what `take_due` returns.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from startpunkt import model
from startpunkt.events import payloads

BURST_LIMIT = 1000
"""Above this many pending objects one RESYNC (a refetch) is cheaper than the events."""


@dataclass
class _Pending:
    known: model.Item | None
    """What clients were last told about the object (None: nothing, or that it was removed)."""
    latest: model.Item | None
    """The catalog's current state (None: removed)."""
    due: float


class Coalescer:
    """Pending changes by object id (in order of first change), plus one pending config."""

    def __init__(self, *, burst_limit: int = BURST_LIMIT) -> None:
        self.burst_limit = burst_limit
        self._items: OrderedDict[str, _Pending] = OrderedDict()
        self._config: tuple[Any, float] | None = None
        self._resync_due: float | None = None
        self._last: dict[type, tuple[model.Item | None, model.Item | None]] = {}
        """While a RESYNC is pending: the last change of each item type, as (old, new)."""

    def __len__(self) -> int:
        return len(self._items) + (self._config is not None) + (self._resync_due is not None)

    def change(
        self, old: model.Item | None, new: model.Item | None, *, now: float, window: float
    ) -> None:
        """Record that an object went from `old` to `new` (None: absent)."""
        item = new or old
        if item is None:
            return
        if self._resync_due is not None:
            self._last[type(item)] = (old, new)  # the RESYNC covers it; remember the latest
            return
        pending = self._items.get(item.id)
        if pending is not None:
            pending.latest = new
            return
        self._items[item.id] = _Pending(known=old, latest=new, due=now + window)
        if len(self._items) > self.burst_limit:
            self._resync_due = next(iter(self._items.values())).due
            for pending in self._items.values():  # the newest of each type wins
                latest = pending.latest or pending.known
                assert latest is not None
                self._last[type(latest)] = (pending.known, pending.latest)
            self._items.clear()

    def config(self, data: Any, *, now: float, window: float) -> None:
        """Record a new public config; only the last one inside the window is sent."""
        due = self._config[1] if self._config is not None else now + window
        self._config = (data, due)

    def next_due(self) -> float | None:
        """When `take_due` next has something to return; None when nothing is pending."""
        dues = [d for d in (self._resync_due, self._config and self._config[1]) if d is not None]
        if self._items:
            dues.append(next(iter(self._items.values())).due)
        return min(dues) if dues else None

    def take_due(self, now: float) -> list[payloads.Event]:
        """The events of every window closed by `now`, oldest first."""
        events: list[payloads.Event] = []
        if self._resync_due is not None and self._resync_due <= now:
            follow = payloads.follow_ups(self._last.values())
            events.append(payloads.resync("burst", followed_by=len(follow)))
            events.extend(follow)
            self._resync_due = None
            self._last.clear()
        while self._items:
            item_id, pending = next(iter(self._items.items()))
            if pending.due > now:
                break
            del self._items[item_id]
            for kind, item in payloads.classify(pending.known, pending.latest):
                events.append((kind, payloads.payload(kind, item)))
        if self._config is not None and self._config[1] <= now:
            events.append((payloads.EventType.CONFIG_CHANGED, self._config[0]))
            self._config = None
        return events
