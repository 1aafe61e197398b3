"""The single in-memory truth about applications and bookmarks.

Sources write items under an *origin* (one informer, one manifest file) so that each can replace
its own share wholesale after a re-list or a re-read. Every real change, compared by content, is
announced once, as `signals.item_changed` with the item before and after; REST, the page and
the event stream all read the same immutable `Snapshot`, so they never disagree.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

from startpunkt import signals
from startpunkt.model import Application, Bookmark, Item

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Group:
    """Items of one group, in display order, under the spelling of the first of them."""

    name: str
    items: tuple[Item, ...]


def sort_key(item: Item) -> tuple[str, int, str, str]:
    """Group (case-insensitive), then location, then name (case-insensitive); id breaks ties."""
    return (item.group.lower(), item.location, item.name.lower(), item.id)


def group_items(items: Iterable[Item]) -> list[Group]:
    """Group already-sorted items; groups differing only in case are one."""
    groups: list[Group] = []
    members: list[Item] = []
    for item in items:
        if members and members[0].group.lower() != item.group.lower():
            groups.append(Group(members[0].group, tuple(members)))
            members = []
        members.append(item)
    if members:
        groups.append(Group(members[0].group, tuple(members)))
    return groups


class Snapshot:
    """An immutable view of the catalog at one version."""

    def __init__(
        self,
        version: int,
        applications: Iterable[Application],
        bookmarks: Iterable[Bookmark],
        *,
        ordered: bool = False,
    ):
        """`ordered`: the items are already in display order (a view of another snapshot)."""
        self.version = version
        order = tuple if ordered else lambda items: tuple(sorted(items, key=sort_key))
        self.applications: tuple[Application, ...] = order(applications)
        self.bookmarks: tuple[Bookmark, ...] = order(bookmarks)

    @cached_property
    def digest(self) -> str:
        """A content hash: equal across workers and replicas that hold the same items."""
        h = hashlib.blake2b(digest_size=12)
        for item in (*self.applications, *self.bookmarks):
            h.update(item.fingerprint)
        return h.hexdigest()

    def application_groups(self, tags: frozenset[str] | None = None) -> list[Group]:
        """Untagged applications, plus those carrying any of `tags` (lower-case)."""
        wanted = tags or frozenset()
        return group_items(a for a in self.applications if not (own := a.tag_set()) or own & wanted)

    def bookmark_groups(self) -> list[Group]:
        return group_items(self.bookmarks)

    def find_application(self, group: str, name: str) -> Application | None:
        """The first application matching group and name, both case-insensitively."""
        group, name = group.lower(), name.lower()
        for app in self.applications:
            if app.group.lower() == group and app.name.lower() == name:
                return app
        return None

    def get(self, item_id: str) -> Item | None:
        return self._by_id.get(item_id)

    @cached_property
    def local(self) -> Snapshot:
        """Only this instance's own items: what it serves to instances following it.

        Items followed from remotes are never passed on, so two instances that follow each
        other do not echo. Its digest changes only when a local item does.
        """
        if not any(i.remote for i in (*self.applications, *self.bookmarks)):
            return self
        return Snapshot(
            self.version,
            (a for a in self.applications if not a.remote),
            (b for b in self.bookmarks if not b.remote),
            ordered=True,
        )

    @cached_property
    def _by_id(self) -> dict[str, Item]:
        return {i.id: i for i in (*self.applications, *self.bookmarks)}


def _probed(item: Item) -> bool:
    """An application whose status this instance's prober decides."""
    return isinstance(item, Application) and bool(item.url) and not item.remote


class Catalog:
    """Current items by origin, merged into one view; sends `item_changed` per real change.

    Not thread-safe by design: everything runs in greenlets of one gevent hub, and no method
    yields, so each call is atomic with respect to the others.
    """

    def __init__(self) -> None:
        self._origins: dict[str, dict[str, Item]] = {}
        self._view: dict[str, Item] = {}
        self._available: dict[str, bool] = {}
        self._version = 0
        self._snapshot: Snapshot | None = None

    @property
    def version(self) -> int:
        """Increases with every real change."""
        return self._version

    def snapshot(self) -> Snapshot:
        """The current state; rebuilt lazily, so a burst of changes costs one rebuild."""
        if self._snapshot is None:
            apps = [i for i in self._view.values() if isinstance(i, Application)]
            marks = [i for i in self._view.values() if isinstance(i, Bookmark)]
            self._snapshot = Snapshot(self._version, apps, marks)
        return self._snapshot

    def origins(self) -> list[str]:
        return sorted(self._origins)

    def items(self, origin: str) -> dict[str, Item]:
        """A copy of what one origin contributes, by id."""
        return dict(self._origins.get(origin, {}))

    def replace(self, origin: str, items: Iterable[Item]) -> None:
        """Make `items` everything `origin` contributes (after a re-list or a file re-read)."""
        new = {i.id: i for i in items}
        old = self._origins.get(origin, {})
        if new:
            self._origins[origin] = new
        else:
            self._origins.pop(origin, None)
        changed = {k for k in old.keys() | new.keys() if old.get(k) != new.get(k)}
        self._refresh(changed)

    def put(self, origin: str, item: Item) -> None:
        """Add or replace one item of `origin`."""
        self._origins.setdefault(origin, {})[item.id] = item
        self._refresh({item.id})

    def discard(self, origin: str, item_id: str) -> None:
        """Remove one item of `origin`, if present."""
        items = self._origins.get(origin)
        if items is None or items.pop(item_id, None) is None:
            return
        if not items:
            del self._origins[origin]
        self._refresh({item_id})

    def drop(self, origin: str) -> None:
        """Forget everything `origin` contributed."""
        self.replace(origin, ())

    def application_urls(self) -> set[str]:
        """Every distinct URL of a current local application (what the prober checks).

        A remote's applications carry the status its own prober found: it can reach what it
        serves, where this instance may not.
        """
        return {i.url for i in self._view.values() if _probed(i)}

    def set_available(self, url: str, available: bool) -> None:
        """Record a probe result; the applications using `url` change status if it differs."""
        previous = self._available.get(url, True)
        self._available[url] = available
        if previous == available:
            return
        self._refresh({i.id for i in self._view.values() if _probed(i) and i.url == url})

    def forget_urls(self, keep: set[str]) -> None:
        """Drop probe results for URLs no longer in use."""
        for url in self._available.keys() - keep:
            del self._available[url]

    def _effective(self, item_id: str) -> Item | None:
        """The item for `item_id` from the first origin (by name) that has it, with status."""
        for origin in sorted(self._origins):
            item = self._origins[origin].get(item_id)
            if item is not None:
                break
        else:
            return None
        if _probed(item):
            available = self._available.get(item.url, True)
            if available != item.available:
                item = dataclasses.replace(item, available=available)
        return item

    def _refresh(self, ids: Iterable[str]) -> None:
        changes: list[tuple[Item | None, Item | None]] = []
        for item_id in ids:
            old, new = self._view.get(item_id), self._effective(item_id)
            if old == new:
                continue
            if new is None:
                del self._view[item_id]
            else:
                self._view[item_id] = new
            changes.append((old, new))
        if not changes:
            return
        self._version += 1
        self._snapshot = None
        # Sent once the view is whole again, so a receiver reading the catalog sees every change.
        for old, new in changes:
            signals.item_changed.send(self, old=old, new=new)
