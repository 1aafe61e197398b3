"""Objects, the global resourceVersion and the event history of the fake API server.

Plain data, no I/O: every change takes the next resourceVersion (one counter for all kinds, as
etcd has), is recorded in a bounded history for watches that resume, and is handed synchronously
to subscribers. Stored dicts are never mutated after stamping, so they are shared, not copied.
"""

from __future__ import annotations

import bisect
import copy
import dataclasses
import datetime
import uuid
from collections.abc import Callable, Mapping
from typing import Any

from testkit.kubeapi import registry

StorageKey = tuple[str, str]
ObjectKey = tuple[str, str]  # (namespace or "", name)


@dataclasses.dataclass(frozen=True)
class Event:
    """One change: ADDED, MODIFIED or DELETED, with the object as it was stored."""

    resource_version: int
    type: str
    storage_key: StorageKey
    namespace: str
    obj: dict[str, Any]
    # Encoded watch lines by apiVersion, so N watchers cost one json.dumps (watching.py).
    lines: dict[str, bytes] = dataclasses.field(default_factory=dict, compare=False, repr=False)


class Expired(Exception):
    """A watch asked to resume from a version older than the compaction point."""

    def __init__(self, requested: int, oldest: int) -> None:
        super().__init__(f"too old resource version: {requested} ({oldest})")
        self.requested = requested
        self.oldest = oldest


Subscriber = Callable[[Event], None]


def _now() -> str:
    return datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _without_metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status")}


class Store:
    """All objects of all types, keyed by (group, plural) so every version sees them."""

    def __init__(self, *, history_limit: int = 100_000) -> None:
        self.resource_version = 0
        self.compacted = 0  # the history holds every event newer than this version
        self._history_limit = history_limit
        self._history: list[Event] = []
        self._objects: dict[StorageKey, dict[ObjectKey, dict[str, Any]]] = {}
        self._subscribers: dict[StorageKey, list[Subscriber]] = {}

    def put(self, resource: registry.ResourceType, obj: Mapping[str, Any]) -> dict[str, Any]:
        """Create or replace; stamps metadata and returns the stored object."""
        stored = copy.deepcopy(dict(obj))
        metadata = dict(stored.get("metadata") or {})
        name = metadata.get("name")
        if not name:
            raise ValueError("metadata.name is required")
        namespace = self._namespace_of(resource, metadata)
        objects = self._objects.setdefault(resource.storage_key, {})
        previous = objects.get((namespace, name))
        self.resource_version += 1
        stored["apiVersion"] = resource.api_version
        stored["kind"] = resource.kind
        if previous is None:
            metadata.update(uid=str(uuid.uuid4()), creationTimestamp=_now(), generation=1)
        else:
            old = previous["metadata"]
            changed = _without_metadata(previous) != _without_metadata(stored)
            metadata.update(
                uid=old["uid"],
                creationTimestamp=old["creationTimestamp"],
                generation=old["generation"] + (1 if changed else 0),
            )
        metadata["resourceVersion"] = str(self.resource_version)
        stored["metadata"] = metadata
        objects[(namespace, name)] = stored
        self._record("ADDED" if previous is None else "MODIFIED", resource, namespace, stored)
        return stored

    def remove(self, resource: registry.ResourceType, namespace: str | None, name: str) -> dict:
        """Delete; the DELETED event carries the object stamped with a new version."""
        namespace = (namespace or "") if resource.namespaced else ""
        objects = self._objects.get(resource.storage_key, {})
        if (namespace, name) not in objects:
            raise KeyError(f"{resource.name} {namespace}/{name} not found")
        previous = objects.pop((namespace, name))
        self.resource_version += 1
        gone = {**previous, "metadata": {**previous["metadata"]}}
        gone["metadata"]["resourceVersion"] = str(self.resource_version)
        self._record("DELETED", resource, namespace, gone)
        return gone

    def drop(self, storage_key: StorageKey) -> None:
        """Forget every object of a type silently (its last served version went away)."""
        self._objects.pop(storage_key, None)

    def get(self, storage_key: StorageKey, namespace: str | None, name: str) -> dict | None:
        return self._objects.get(storage_key, {}).get((namespace or "", name))

    def items(self, storage_key: StorageKey, namespace: str | None = None) -> list[dict]:
        """Objects of a type (in one namespace if given), ordered by namespace and name."""
        objects = self._objects.get(storage_key, {})
        keys = sorted(k for k in objects if namespace is None or k[0] == namespace)
        return [objects[k] for k in keys]

    def initial_events(self, storage_key: StorageKey, namespace: str | None) -> list[Event]:
        """Synthetic ADDED events for the current objects, oldest change first."""
        events = [
            Event(int(o["metadata"]["resourceVersion"]), "ADDED", storage_key, ns, o)
            for (ns, _), o in self._objects.get(storage_key, {}).items()
            if namespace is None or ns == namespace
        ]
        return sorted(events, key=lambda e: e.resource_version)

    def events_since(
        self, storage_key: StorageKey, namespace: str | None, resource_version: int
    ) -> list[Event]:
        """Recorded events newer than resource_version; Expired if they were compacted."""
        if resource_version < self.compacted:
            raise Expired(resource_version, self.compacted)
        start = bisect.bisect_right(
            self._history, resource_version, key=lambda e: e.resource_version
        )
        return [
            e
            for e in self._history[start:]
            if e.storage_key == storage_key and (namespace is None or e.namespace == namespace)
        ]

    def compact(self) -> None:
        """Forget the history: resuming from any older version now answers 410."""
        self._history.clear()
        self.compacted = self.resource_version

    def subscribe(self, storage_key: StorageKey, subscriber: Subscriber) -> Callable[[], None]:
        """Call subscriber with every future event of a type; returns the unsubscribe."""
        subscribers = self._subscribers.setdefault(storage_key, [])
        subscribers.append(subscriber)
        return lambda: subscribers.remove(subscriber)

    def _namespace_of(self, resource: registry.ResourceType, metadata: dict) -> str:
        if not resource.namespaced:
            metadata.pop("namespace", None)
            return ""
        metadata["namespace"] = metadata.get("namespace") or "default"
        return metadata["namespace"]

    def _record(self, kind: str, resource: registry.ResourceType, namespace: str, obj: dict):
        event = Event(self.resource_version, kind, resource.storage_key, namespace, obj)
        self._history.append(event)
        if len(self._history) > self._history_limit:
            # Compact the older half, as etcd compaction would: resuming from there gets 410.
            cut = len(self._history) // 2
            self.compacted = self._history[cut - 1].resource_version
            del self._history[:cut]
        for subscriber in list(self._subscribers.get(resource.storage_key, ())):
            subscriber(event)
