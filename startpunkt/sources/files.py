"""The manifest directory source: YAML files, watched, mapped exactly like cluster objects.

Each file is its own catalog origin (`file:<absolute path>`), so a change re-reads and replaces
only that file's items, and deleting it drops them. A file that stops parsing keeps what it last
contributed until it parses again: a half-saved edit must not blank the page. Files are
untrusted input: whatever goes wrong with one (`sources.parsing` refuses it at a cap, it is not
YAML, building it raises anything) is logged naming it and costs only that file; symlinks are
followed only inside the directory; a file being read when a worker died is skipped by the
next worker until it changes (`sources.quarantine`). Applications with
`urlFrom` read their URL from another object in the directory (`sources.resolver`, looking in
an index of every object by `ObjectId`, kept up to date file by file), and follow it: an edit
rereads exactly the objects it touched, and rewrites the files whose Applications follow them.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gevent
import yaml

from startpunkt import mappers, metrics
from startpunkt.catalog import Catalog
from startpunkt.config import Settings
from startpunkt.model import Item
from startpunkt.readiness import Readiness
from startpunkt.sources import fswatch, parsing, problems, quarantine, resolver
from startpunkt.sources.identity import ObjectId

log = logging.getLogger(__name__)

ORIGIN_PREFIX = "file:"
SUFFIXES = (".yaml", ".yml")
DEFAULT_NAMESPACE = "default"


@dataclass
class _File:
    """What one file last parsed to, and the items that maps to before `urlFrom`."""

    objects: list[dict[str, Any]]
    items: list[Item]


def is_manifest(path: str) -> bool:
    return path.endswith(SUFFIXES)


def file_origin(path: str) -> str:
    """The catalog origin of one file's items (and the key of its urlFrom followers)."""
    return ORIGIN_PREFIX + path


def with_namespace(obj: dict[str, Any]) -> dict[str, Any]:
    """`obj` with `metadata.namespace` set to `default` when the file leaves it out."""
    metadata = obj.get("metadata")
    if metadata is None:
        return {**obj, "metadata": {"namespace": DEFAULT_NAMESPACE}}
    if isinstance(metadata, dict) and not metadata.get("namespace"):
        return {**obj, "metadata": {**metadata, "namespace": DEFAULT_NAMESPACE}}
    return obj


def objects_of(documents: list[Any], path: str) -> list[dict[str, Any]]:
    """The objects among a file's documents; the others are named in a WARNING each."""
    objects = []
    for number, doc in enumerate(documents, start=1):
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
        guard_dir: str | None = None,
    ) -> None:
        """`guard_dir`: where to note the file being read, so the next worker can skip it if
        reading it killed this one (the server passes the temporary directory)."""
        self.directory = os.path.abspath(directory)
        self.name = f"files:{self.directory}"
        self._catalog = catalog
        self._readiness = readiness
        self._settings = settings
        self._files: dict[str, _File] = {}
        self._index: dict[ObjectId, dict[str, dict[str, Any]]] = {}
        """Every loaded object by id, then by the file holding it (a file may repeat another)."""
        self._retargeted: set[str] = set()
        """Files whose followers read a target anew, gathered while `_publish` runs."""
        self._problems = problems.ProblemLog(log)
        self._resolver = resolver.Resolver(
            self._lookup,
            settings=settings,
            on_retarget=self._retarget,
            where=lambda origin: origin.removeprefix(ORIGIN_PREFIX),
        )
        self._guard = quarantine.Quarantine(self.directory, guard_dir) if guard_dir else None
        self._said_outside: set[str] = set()
        self._watcher = fswatch.watch_tree(
            self.directory,
            self._on_change,
            match=self._wanted,
            descend=self._inside,
            polling=polling,
        )

    @property
    def watcher(self) -> fswatch.FileWatcher:
        return self._watcher

    def start(self) -> gevent.Greenlet:
        """Read everything, then follow changes, in a greenlet."""
        self._readiness.register(self.name)
        if self._guard is not None:
            self._guard.open()
        return self._watcher.start()

    def stop(self) -> None:
        """Stop watching and withdraw every item this source contributed."""
        self._watcher.stop()
        if self._guard is not None:
            self._guard.close()
        for path in list(self._files):
            self._forget(path)
        self._readiness.unregister(self.name)

    def read_once(self) -> list[str]:
        """Read every manifest once, without watching (`startpunkt check`); the files found."""
        found = set(fswatch.scan_tree(self.directory, self._wanted, self._inside).files)
        self._on_change(found)
        return sorted(found)

    def objects(self) -> dict[str, list[dict[str, Any]]]:
        """The objects each file held when last read, by path."""
        return {path: list(loaded.objects) for path, loaded in sorted(self._files.items())}

    def object_count(self) -> int:
        return sum(len(f.objects) for f in self._files.values())

    def remap(self) -> None:
        """Map every loaded object again with the current settings (after a config change)."""
        for path, loaded in self._files.items():
            loaded.items = self._map(path, loaded.objects)
        self._publish(set(self._files), touched=None)

    def _on_change(self, changed: set[str]) -> None:
        touched: set[ObjectId] = set()
        for path in sorted(changed):
            try:
                touched |= self._load(path)
            except Exception:  # a bug reading one file must cost only that file
                log.exception("%s: reading it failed; keeping its previous items", path)
        self._publish(changed, touched=touched)
        if os.path.isdir(self.directory):
            self._readiness.report(self.name, "synced", objects=self.object_count())
        else:
            self._readiness.report(
                self.name, "absent", objects=0, error=f"{self.directory} is not a directory"
            )
            log.warning(
                "manifest directory %s does not exist (yet); watching for it", self.directory
            )

    def _load(self, path: str) -> set[ObjectId]:
        """Re-read one file; when it cannot be used, keep what it contributed before.

        Returns the ids of the objects it held before and holds now (for urlFrom to reread).
        """
        if not self._inside(path):
            return self._forget(path)  # a symlink that now leads out: as if it were gone
        limits = self._settings().limits
        held = self._guard.held(path) if self._guard is not None else None
        if held is not None:
            log.warning(
                "%s: skipped: a worker (pid %d) died while reading it; it is read again once it "
                "changes",
                path,
                held,
            )
            return set()
        try:
            text = parsing.read(path, limits)
            with self._reading(path):
                loaded = parsing.load_off_loop(text, limits)
        except FileNotFoundError:
            return self._forget(path)
        except parsing.Refused as exc:
            log.warning("%s: skipped: %s; keeping its previous items", path, exc)
            return set()
        except OSError as exc:
            log.warning("%s: cannot read (%s); keeping its previous items", path, exc)
            return set()
        except yaml.YAMLError as exc:
            where = describe_yaml_error(exc)
            log.warning("%s: not valid YAML at %s; keeping its previous items", path, where)
            return set()
        except Exception as exc:  # what building a value raised: a 5,000-digit int, ...
            log.warning(
                "%s: cannot be read (%s: %s); keeping its previous items",
                path,
                type(exc).__name__,
                str(exc)[:200],
            )
            return set()
        if loaded.left_out:
            log.warning(
                "%s: %d documents past limits.maxObjectsPerFile (%d) skipped",
                path,
                loaded.left_out,
                limits.max_objects_per_file,
            )
        objects = objects_of(loaded.documents, path)
        previous = self._files.get(path)
        before = self._unindex(path, previous.objects) if previous else set()
        now = self._reindex(path, objects)
        for gone in before - now:
            self._problems.forget((path, gone))
        self._files[path] = _File(objects, self._map(path, objects))
        return before | now

    def _reading(self, path: str) -> contextlib.AbstractContextManager[None]:
        """Mark `path` as being parsed, for the next worker should this one die of it."""
        if self._guard is None:
            return contextlib.nullcontext()
        return self._guard.reading(path, quarantine.signature(path))

    def _inside(self, path: str) -> bool:
        """Whether `path` really lives inside the directory (symlinks resolved).

        A symlink leading out is logged once while it does.
        """
        root = os.path.realpath(self.directory)
        real = os.path.realpath(path)
        if real == root or real.startswith(root + os.sep):
            self._said_outside.discard(path)
            return True
        if path not in self._said_outside:
            self._said_outside.add(path)
            log.warning("%s: skipped: a symlink leading out of %s", path, self.directory)
        return False

    def _wanted(self, path: str) -> bool:
        """A manifest to read: a .yaml/.yml file inside the directory."""
        return is_manifest(path) and self._inside(path)

    def _forget(self, path: str) -> set[ObjectId]:
        """Withdraw a file that is gone; the ids of the objects it held."""
        gone = self._files.pop(path, None)
        ids = self._unindex(path, gone.objects) if gone else set()
        for key in ids:
            self._problems.forget((path, key))
        self._resolver.forget_origin(file_origin(path))
        self._catalog.drop(file_origin(path))
        return ids

    def _reindex(self, path: str, objects: list[dict[str, Any]]) -> set[ObjectId]:
        ids = set()
        for obj in objects:  # a later document of the file wins, as in the catalog
            key = ObjectId.of(obj)
            self._index.setdefault(key, {})[path] = obj
            ids.add(key)
        return ids

    def _unindex(self, path: str, objects: list[dict[str, Any]]) -> set[ObjectId]:
        ids = {ObjectId.of(obj) for obj in objects}
        for key in ids:
            holders = self._index.get(key, {})
            holders.pop(path, None)
            if not holders:
                self._index.pop(key, None)
        return ids

    def _lookup(self, target: resolver.Target) -> resolver.Read:
        """A urlFrom target: the object of that id, from the first file (by path) holding it.

        The first by path, as the catalog prefers the first origin for an item both give. Its
        version is the one its file writes: every version of a group names the same object.
        """
        holders = self._index.get(target.id)
        return resolver.Read(holders[min(holders)] if holders else None)

    def _retarget(self, origin: str, items: list[Item]) -> None:
        """A target was read anew: that file is written again (see `_publish`)."""
        self._retargeted.add(origin.removeprefix(ORIGIN_PREFIX))

    def _map(self, path: str, objects: list[dict[str, Any]]) -> list[Item]:
        """Map each object on its own, so one bad object never costs the others."""
        settings = self._settings()
        items: list[Item] = []
        for obj in objects:
            key = ObjectId.of(obj)
            try:
                mapped = mappers.map_object(obj, settings)
            except Exception:
                log.exception("%s: mapping %s failed; skipped", path, key)
                metrics.objects_skipped.labels(kind=key.kind, reason="error").inc()
                continue
            self._problems.observe((path, key), mapped.problems, where=path)
            items.extend(mapped.items)
        return items

    def _publish(self, paths: set[str], *, touched: set[ObjectId] | None) -> None:
        """Write the items of `paths`, and of every file following an object in `touched`.

        Targets are read again first (all of them when `touched` is None), so each file is
        written once, with its new items and their targets' new URLs together.
        """
        self._retargeted.clear()
        self._resolver.reread(touched)
        for path in sorted((paths | self._retargeted) & self._files.keys()):
            origin = file_origin(path)
            items = self._resolver.replace(origin, self._files[path].items)
            self._catalog.replace(origin, items)
