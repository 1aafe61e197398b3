"""What a manifest directory would show, worked out offline: the core of `startpunkt check`.

The directory is read once by the server's own manifest source (`sources.files`: the same file
discovery, size limit, YAML parser, mappers, urlFrom resolution and catalog), only without
watching. Everything the server would log as a WARNING about the directory is an error here, in
the server's words; objects that map to nothing by design (a kind startpunkt does not read or
that is switched off, another namespace, not opted in) are listed as skipped, with the reason
the mappers give. GitOps repositories run it in their CI: the exit status says whether anything
is wrong.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from startpunkt import catalog, mappers, model
from startpunkt.config import Settings
from startpunkt.readiness import Readiness
from startpunkt.sources import files
from startpunkt.sources.identity import ObjectId


@dataclass(frozen=True)
class Shown:
    """An item the page would show, and the file it comes from."""

    item: model.Item
    path: str


@dataclass(frozen=True)
class Skipped:
    """An object that gives no item, though nothing is wrong with it."""

    path: str
    subject: str
    """`Ingress media/plex`"""
    reason: str


@dataclass
class Report:
    """The outcome for one directory; paths are shown as the user wrote the directory."""

    directory: str
    files: int = 0
    objects: int = 0
    shown: list[Shown] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def applications(self) -> list[Shown]:
        return [s for s in self.shown if isinstance(s.item, model.Application)]

    @property
    def bookmarks(self) -> list[Shown]:
        return [s for s in self.shown if isinstance(s.item, model.Bookmark)]


def check_directory(directory: str, settings: Settings) -> Report:
    """Read `directory` as the server would, and report what it shows, skips and warns about."""
    report = Report(directory)
    if not os.path.isdir(directory):
        report.errors.append(f"{directory}: not a directory")
        return report
    store = catalog.Catalog()
    source = files.FileSource(
        directory, catalog=store, readiness=Readiness(), settings=lambda: settings
    )
    with _warnings() as warnings:
        report.files = len(source.read_once())
    prefix = source.directory + os.sep
    shown_as = directory.rstrip(os.sep) + os.sep
    report.errors = [message.replace(prefix, shown_as) for message in warnings]
    for path, objects in source.objects().items():
        report.objects += len(objects)
        for obj in objects:
            mapped = mappers.map_object(obj, settings)
            if mapped.skipped is not None:
                report.skipped.append(
                    Skipped(path.replace(prefix, shown_as), _subject(obj), mapped.skipped)
                )
    _collect_shown(report, store, prefix=prefix, shown_as=shown_as)
    return report


def _collect_shown(report: Report, store: catalog.Catalog, *, prefix: str, shown_as: str) -> None:
    """The catalog's items in page order; an item two files give is shown from the first."""
    first: dict[str, str] = {}
    found: list[Shown] = []
    for origin in store.origins():  # sorted, as the catalog picks the first origin
        path = origin.removeprefix(files.ORIGIN_PREFIX).replace(prefix, shown_as)
        for item_id, item in sorted(store.items(origin).items()):
            if item_id in first:
                report.skipped.append(
                    Skipped(path, _item_subject(item), f"the same item is in {first[item_id]}")
                )
                continue
            first[item_id] = path
            found.append(Shown(item, path))
    report.shown = sorted(found, key=lambda s: catalog.sort_key(s.item))


def _subject(obj: dict) -> str:
    key = ObjectId.of(obj)
    return f"{key.kind or '?'} {key.namespace}/{key.name or '?'}"


def _item_subject(item: model.Item) -> str:
    return f"{item.source} {item.namespace}/{item.resource_name}"


@contextmanager
def _warnings() -> Iterator[list[str]]:
    """Collect what startpunkt's loggers say at WARNING and above, instead of printing it."""
    collected: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            collected.append(record.getMessage())

    logger = logging.getLogger("startpunkt")
    handler = Collect(logging.WARNING)
    propagate = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield collected
    finally:
        logger.removeHandler(handler)
        logger.propagate = propagate


def render(report: Report) -> list[str]:
    """The report as lines for a terminal or a CI log."""
    apps, marks = report.applications, report.bookmarks
    lines = [
        f"{report.directory}: {report.files} files, {report.objects} objects: "
        f"{len(apps)} applications and {len(marks)} bookmarks shown, "
        f"{len(report.skipped)} skipped, {len(report.errors)} errors"
    ]
    for title, entries in (("applications", apps), ("bookmarks", marks)):
        if entries:
            lines.append(f"  {title}:")
            lines += [f"    {_describe(s)}" for s in entries]
    if report.skipped:
        lines.append("  skipped:")
        lines += [f"    {s.path}: {s.subject}: {s.reason}" for s in report.skipped]
    if report.errors:
        lines.append("  errors:")
        lines += [f"    {message}" for message in report.errors]
    return lines


def _describe(shown: Shown) -> str:
    item = shown.item
    link = item.url or "(no link)"
    tags = f" [tags: {item.tags}]" if isinstance(item, model.Application) and item.tags else ""
    return f"{item.group} / {item.name} -> {link}{tags}  ({_item_subject(item)}, {shown.path})"
