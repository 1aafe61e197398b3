"""Reading manifest YAML that may be hostile: LibYAML, with caps, off the event loop.

A manifest directory is written by people and tools startpunkt does not control, and one file
used to take the worker down: a 684-byte alias bomb (a small structure that expands to
billions of nodes), an 8 MB list that pure-Python PyYAML parsed for 30 s on the gevent hub, or
5,000 nested brackets (a RecursionError; LibYAML's C composer would crash the process outright,
and its scanner slows quadratically with depth). So a file is first read as a stream of
events, counting nodes (aliases expanded), aliases and nesting as they arrive, and refused at
the first cap it passes; only a file within every cap is built into objects, by the C loader.
`load` runs in gevent's thread pool, so even a big file leaves streams and REST answering, with
the garbage collector paused meanwhile: a full collection triggered by the parser's hundreds of
thousands of new objects holds the interpreter for the whole process (a 1.2 MB file stalled the
hub for 0.45 s with it, 0.035 s without, and parsed in a third of the time).
"""

from __future__ import annotations

import contextlib
import gc
import os
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import gevent
import yaml

from startpunkt.config import LimitSettings

Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""LibYAML's loader: about nine times faster than PyYAML's own, which is the fallback."""
_OPEN = (yaml.SequenceStartEvent, yaml.MappingStartEvent)
_CLOSE = (yaml.SequenceEndEvent, yaml.MappingEndEvent)


class Refused(ValueError):
    """A file past one of the caps; the message says which, and by how much."""


@dataclass(frozen=True)
class Loaded:
    """The documents of a file (None for empty ones), and how many past the cap were left out."""

    documents: list[Any]
    left_out: int = 0


def check(text: str, limits: LimitSettings) -> int:
    """Scan `text` as events and refuse it at the first cap it passes; its document count.

    Stops at the cap, so a hostile file costs no more than a file exactly at the caps. An alias
    counts as the nodes it stands for, so a bomb is refused after `max_yaml_nodes` nodes,
    however few bytes it is; an alias to a collection still open (a cycle) is refused.
    """
    nodes = aliases = depth = documents = 0
    sizes: dict[str, int] = {}
    """Anchor → nodes it stands for (once its node is complete)."""
    opened: list[tuple[str | None, int]] = []
    """The collections open now: their anchor and the node count when they opened."""
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.ScalarEvent):
            nodes += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, _OPEN):
            nodes += 1
            depth += 1
            if depth > limits.max_yaml_depth:
                raise Refused(f"nested deeper than {limits.max_yaml_depth} levels")
            opened.append((event.anchor, nodes))
        elif isinstance(event, _CLOSE):
            depth -= 1
            anchor, start = opened.pop()
            if anchor:
                sizes[anchor] = nodes - start + 1
        elif isinstance(event, yaml.AliasEvent):
            aliases += 1
            if aliases > limits.max_yaml_aliases:
                raise Refused(f"more than {limits.max_yaml_aliases:,} aliases")
            if event.anchor not in sizes and any(a == event.anchor for a, _ in opened):
                raise Refused(f"alias *{event.anchor[:40]} refers to itself")
            nodes += sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.DocumentStartEvent):
            documents += 1
        if nodes > limits.max_yaml_nodes:
            raise Refused(f"more than {limits.max_yaml_nodes:,} YAML nodes (aliases expanded)")
    return documents


def load(text: str, limits: LimitSettings) -> Loaded:
    """The documents of a (multi-document) YAML text within the caps.

    Raises Refused past a cap, `yaml.YAMLError` for what is not YAML, and whatever the
    constructor raises for a value it cannot build (a ValueError for an int of 5,000 digits):
    callers contain every exception to the file.
    """
    documents = check(text, limits)
    out: list[Any] = []
    loader = Loader(text)
    try:
        while len(out) < limits.max_objects_per_file and loader.check_data():
            out.append(loader.get_data())
    finally:
        loader.dispose()
    return Loaded(out, max(0, documents - len(out)))


def read(path: str, limits: LimitSettings) -> str:
    """The text of a manifest file: a regular file, at most `max_file_bytes`, UTF-8.

    Raises Refused saying why not, FileNotFoundError when it is gone, OSError when unreadable.
    A FIFO named `x.yaml` is refused before it is opened (opening it would block).
    """
    st = os.stat(path)
    if not stat.S_ISREG(st.st_mode):
        raise Refused("not a regular file")
    if st.st_size > limits.max_file_bytes:
        raise Refused(f"{st.st_size:,} bytes, more than {limits.max_file_bytes:,}")
    with open(path, "rb") as stream:
        data = stream.read(limits.max_file_bytes + 1)  # it may have grown since the stat
    if len(data) > limits.max_file_bytes:
        raise Refused(f"more than {limits.max_file_bytes:,} bytes")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise Refused(
            f"not UTF-8 text (byte 0x{data[exc.start]:02x} at offset {exc.start:,})"
        ) from None


def load_off_loop(text: str, limits: LimitSettings) -> Loaded:
    """`load` in gevent's thread pool: the hub keeps serving while LibYAML works.

    What `load` raises is raised here, in the caller's greenlet (the pool would print a
    traceback for an exception left in its thread).
    """
    with _collection_paused():
        loaded, error = gevent.get_hub().threadpool.apply(_outcome, (text, limits))
    if error is not None:
        raise error
    return loaded


_pausing = 0
"""Parses in flight that paused the collector (several sources may parse at once)."""
_paused_by_us = False


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while a parse runs; collection resumes after the last one.

    Parses are bounded by the caps (about a second at most), and reference counting still
    frees everything that is not in a cycle meanwhile.
    """
    global _pausing, _paused_by_us
    if _pausing == 0 and gc.isenabled():
        gc.disable()
        _paused_by_us = True
    _pausing += 1
    try:
        yield
    finally:
        _pausing -= 1
        if _pausing == 0 and _paused_by_us:
            _paused_by_us = False
            gc.enable()


def _outcome(text: str, limits: LimitSettings) -> tuple[Loaded | None, BaseException | None]:
    try:
        return load(text, limits), None
    except Exception as exc:  # handed to the caller's greenlet, which contains it to the file
        return None, exc
