"""The items startpunkt shows: applications and bookmarks.

Mappers build them from cluster objects, the catalog stores them, and every client-facing answer
(REST, the page, events) serialises them through `to_json`, so the three never disagree.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from functools import cached_property
from typing import Any

DEFAULT_LOCATION = 1000
"""Sort key for items that give none (or 0, or garbage): after every item that does."""
LOCAL_CLUSTER = "local"
"""The cluster of this instance's own items unless `clusters.local.name` says otherwise."""


@dataclass(frozen=True)
class UrlFrom:
    """Where an Application reads its URL from another object (resolved by a source)."""

    api_version: str
    kind: str
    name: str
    property: str
    namespace: str | None = None
    api_group: str | None = None
    url_template: str | None = None


class _Immutable:
    """What never changes for an immutable item, computed once: a change makes a new item."""

    @cached_property
    def json(self) -> dict[str, Any]:
        """The REST/event shape (shared by every answer: never modify it)."""
        return _json(self)

    @cached_property
    def fingerprint(self) -> bytes:
        """The content as bytes, equal in every process (unlike `hash`), for content digests."""
        return repr(self).encode()


@dataclass(frozen=True)
class Link(_Immutable):
    """What applications and bookmarks share: one link, derived from one cluster object."""

    id: str
    name: str
    group: str
    namespace: str
    resource_name: str
    source: str
    url: str | None = None
    icon: str | None = None
    info: str | None = None
    target_blank: bool | None = None
    location: int = DEFAULT_LOCATION
    cluster: str = LOCAL_CLUSTER
    """The cluster the item lives in: this instance's own name, or a followed remote's."""
    stale: bool | None = None
    """True while the remote it came from is unreachable: its last known state, kept."""
    stale_since: str | None = None
    """When that remote was last heard from (UTC, ISO 8601), while `stale`."""
    remote: bool = False
    """Followed from another instance (never sent: followers ask for local items only)."""


@dataclass(frozen=True)
class Application(Link):
    """An application: a link with status, tags and presentation of its own."""

    icon_color: str | None = None
    enabled: bool | None = None
    root_path: str | None = None
    tags: str | None = None
    available: bool = True
    url_from: UrlFrom | None = None

    def tag_set(self) -> frozenset[str]:
        """The lower-cased, trimmed tags; empty for an untagged application."""
        return split_tags(self.tags)


@dataclass(frozen=True)
class Bookmark(Link):
    """A static link, from a Bookmark custom resource."""


Item = Application | Bookmark

_JSON_NAMES = {
    "icon_color": "iconColor",
    "target_blank": "targetBlank",
    "root_path": "rootPath",
    "resource_name": "resourceName",
    "stale_since": "staleSince",
}
_PRIVATE = frozenset({"url_from", "remote"})
_ALWAYS_BOOLEAN = {"target_blank": False, "enabled": True}
"""Fields always sent, with their value when unset: an item on show is enabled."""


def item_id(source: str, namespace: str, name: str) -> str:
    """Stable id of the item a cluster object maps to: kind/namespace/name."""
    return f"{source.lower()}/{namespace}/{name}"


def remote_id(cluster: str, own_id: str) -> str:
    """The id of a remote cluster's item: `<cluster>:<its id there>`.

    Local ids start with a kind, which never holds a colon, and cluster names hold none
    (`config`), so ids stay unique across clusters.
    """
    return f"{cluster}:{own_id}"


def split_tags(tags: str | None) -> frozenset[str]:
    """Split a comma list of tags: trimmed, lower-cased, empties dropped."""
    if not tags:
        return frozenset()
    return frozenset(t.strip().lower() for t in tags.split(",") if t.strip())


def to_json(item: Item) -> dict[str, Any]:
    """The REST/event shape of an item: camelCase keys, empty and null fields omitted.

    Except `targetBlank` (and an application's `enabled`): always a boolean, `false` included,
    as the reference serialised its primitive booleans; clients read them without a default.

    Built once per item and shared by every answer and event: never modify the result.
    """
    return item.json


def _json(item: _Immutable) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for field in dataclasses.fields(item):
        if field.name in _PRIVATE:
            continue
        value = getattr(item, field.name)
        if field.name in _ALWAYS_BOOLEAN:
            value = value if value is not None else _ALWAYS_BOOLEAN[field.name]
        elif value is None or value == "":
            continue
        out[_JSON_NAMES.get(field.name, field.name)] = value
    return out
