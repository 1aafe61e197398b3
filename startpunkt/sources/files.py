"""The manifest directory source: YAML files, watched, mapped exactly like cluster objects.

Each file is its own catalog origin (`file:<absolute path>`), so a change re-reads and replaces
only that file's items, and deleting it drops them. A file that stops parsing keeps what it last
contributed until it parses again: a half-saved edit must not blank the page. Applications with
`urlFrom` read their URL from another object in the directory, and follow it when it changes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import gevent
import yaml

from startpunkt import mappers, metrics
from startpunkt.catalog import Catalog
from startpunkt.config import Settings
from startpunkt.mappers import url_from
from startpunkt.model import Application, Item
from startpunkt.readiness import Readiness
from startpunkt.sources import fswatch, problems

log = logging.getLogger(__name__)

ORIGIN_PREFIX = "file:"
SUFFIXES = (".yaml", ".yml")
DEFAULT_NAMESPACE = "default"
MAX_FILE_BYTES = 8 * 1024 * 1024
"""Manifests are small; a stray multi-gigabyte file must not be read into memory."""

ObjectKey = tuple[str, str, str, str]
"""(API group, kind, namespace, name): how `urlFrom` names its target."""


@dataclass
class _File:
    """What one file last parsed to, and the items that maps to before `urlFrom`."""

    objects: list[dict[str, Any]]
    items: list[Item]


def is_manifest(path: str) -> bool:
    return path.endswith(SUFFIXES)


def origin(path: str) -> str:
    return ORIGIN_PREFIX + path


def object_key(obj: dict[str, Any]) -> ObjectKey:
    """The index key of a loaded object (namespace already defaulted)."""
    group, _, _version = str(obj.get("apiVersion") or "").rpartition("/")
    metadata = obj.get("metadata") if isinstance(obj.get("metadata"), dict) else {}
    return (
        group,
        str(obj.get("kind") or ""),
        str(metadata.get("namespace") or ""),
        str(metadata.get("name") or ""),
    )


def with_namespace(obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` with `metadata.namespace` set to `default` when the file leaves it out."""
    metadata = obj.get("metadata")
    if metadata is None:
        return {**obj, "metadata": {"namespace": DEFAULT_NAMESPACE}}
    if isinstance(metadata, dict) and not metadata.get("namespace"):
        return {**obj, "metadata": {**metadata, "namespace": DEFAULT_NAMESPACE}}
    return obj


def parse(text: str, path: str) -> list[dict[str, Any]]:
    """The objects of a (multi-document) YAML file; raises yaml.YAMLError."""
    objects = []
    for number, doc in enumerate(yaml.safe_load_all(text), start=1):
        if doc is None:  # an empty document, as between two `---`
            continue
        if not isinstance(doc, dict):
            log.warning(
                "%s: document %d is a %s, not a mapping; skipped", path, number, type(doc).__name__
            )
            continue
        if not doc.get("kind") or not doc.get("apiVersion"):
            log.warning("%s: document %d has no apiVersion or kind; skipped", path, number)
            continue
        objects.append(with_namespace(doc))
    return objects


def describe_yaml_error(exc: yaml.YAMLError) -> str:
    """`line 3, column 7: mapping values are not allowed here` (lines count from 1)."""
    mark = getattr(exc, "problem_mark", None)
    problem = getattr(exc, "problem", None)
    if mark is None:
        return str(exc)
    context = getattr(exc, "context", None)
    detail = f"{problem} ({context})" if context else problem
    return f"line {mark.line + 1}, column {mark.column + 1}: {detail or exc}"


class FileSource:
    """Keeps the catalog equal to the manifests under one directory."""

    def __init__(
        self,
        directory: str,
        *,
        catalog: Catalog,
        readiness: Readiness,
        settings: Callable[[], Settings],
        polling: bool = False,
    ) -> None:
        self.directory = os.path.abspath(directory)
        self.name = f"files:{self.directory}"
        self._catalog = catalog
        self._readiness = readiness
        self._settings = settings
        self._files: dict[str, _File] = {}
        self._problems = problems.ProblemLog(log)
        self._watcher = fswatch.watch_tree(
            self.directory, self._on_change, match=is_manifest, polling=polling
        )

    @property
    def watcher(self) -> fswatch.Watcher:
        return self._watcher

    def start(self) -> gevent.Greenlet:
        """Read everything, then follow changes, in a greenlet."""
        self._readiness.register(self.name)
        return self._watcher.start()

    def stop(self) -> None:
        """Stop watching and withdraw every item this source contributed."""
        self._watcher.stop()
        for path in list(self._files):
            self._forget(path)
        self._readiness.unregister(self.name)

    def object_count(self) -> int:
        return sum(len(f.objects) for f in self._files.values())

    def remap(self) -> None:
        """Map every loaded object again with the current settings (after a config change)."""
        for path, loaded in self._files.items():
            loaded.items = self._map(path, loaded.objects)
        self._publish(set(self._files))

    def _on_change(self, changed: set[str]) -> None:
        for path in sorted(changed):
            self._load(path)
        self._publish(changed)
        if os.path.isdir(self.directory):
            self._readiness.report(self.name, "synced", objects=self.object_count())
        else:
            self._readiness.report(
                self.name, "absent", objects=0, error=f"{self.directory} is not a directory"
            )
            log.warning(
                "manifest directory %s does not exist (yet); watching for it", self.directory
            )

    def _load(self, path: str) -> None:
        """Re-read one file; on a parse error keep what it contributed before."""
        try:
            if os.path.getsize(path) > MAX_FILE_BYTES:
                log.warning("%s: larger than %d bytes; skipped", path, MAX_FILE_BYTES)
                return
            with open(path, encoding="utf-8") as stream:
                text = stream.read()
        except FileNotFoundError:
            self._forget(path)
            return
        except (OSError, UnicodeDecodeError) as exc:
            log.warning("%s: cannot read (%s); keeping its previous items", path, exc)
            return
        try:
            objects = parse(text, path)
        except yaml.YAMLError as exc:
            log.warning(
                "%s: not valid YAML at %s; keeping its previous items",
                path,
                describe_yaml_error(exc),
            )
            return
        previous = self._files.get(path)
        for key in self._keys(previous.objects if previous else ()) - self._keys(objects):
            self._problems.forget((path, *key))
        self._files[path] = _File(objects, self._map(path, objects))

    def _forget(self, path: str) -> None:
        gone = self._files.pop(path, None)
        if gone is not None:
            for key in self._keys(gone.objects):
                self._problems.forget((path, *key))
            for item in gone.items:
                self._problems.forget((path, "urlFrom", item.id))
        self._catalog.drop(origin(path))

    def _map(self, path: str, objects: list[dict[str, Any]]) -> list[Item]:
        """Map each object on its own, so one bad object never costs the others."""
        settings = self._settings()
        items: list[Item] = []
        for obj in objects:
            key = object_key(obj)
            try:
                mapped = mappers.map_object(obj, settings)
            except Exception:
                log.exception("%s: mapping %s %s/%s failed; skipped", path, key[1], key[2], key[3])
                metrics.objects_skipped.labels(kind=key[1], reason="error").inc()
                continue
            self._problems.observe((path, *key), mapped.problems, where=path)
            items.extend(mapped.items)
        return items

    def _publish(self, changed: set[str]) -> None:
        """Write changed files' items, and re-resolve every file whose urlFrom may have moved."""
        index = {object_key(obj): obj for f in self._files.values() for obj in f.objects}
        following = {p for p, f in self._files.items() if any(_follows(i) for i in f.items)}
        for path in sorted((changed | following) & self._files.keys()):
            items = [self._resolve(path, item, index) for item in self._files[path].items]
            self._catalog.replace(origin(path), items)

    def _resolve(self, path: str, item: Item, index: dict[ObjectKey, dict[str, Any]]) -> Item:
        """`item` with the URL its urlFrom target gives, or its own url (and a problem)."""
        if not _follows(item):
            return item
        assert isinstance(item, Application) and item.url_from is not None
        ref = item.url_from
        target = None
        if ref.kind in self._settings().url_from.allowed_kinds:
            target = index.get(
                (ref.api_group or "", ref.kind, ref.namespace or item.namespace, ref.name)
            )
        mapped = url_from.apply(item, target)
        self._problems.observe((path, "urlFrom", item.id), mapped.problems, where=path)
        return mapped.items[0] if mapped.items else item

    @staticmethod
    def _keys(objects: Iterable[dict[str, Any]]) -> set[ObjectKey]:
        return {object_key(obj) for obj in objects}


def _follows(item: Item) -> bool:
    return isinstance(item, Application) and item.url_from is not None
