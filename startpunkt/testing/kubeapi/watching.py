"""One watch stream: headers at once, then newline-delimited JSON events in HTTP chunks.

The stream starts with the replayed history (or synthetic ADDED events), follows the store's
changes, interleaves BOOKMARKs, and ends cleanly at timeoutSeconds, or when the client leaves.
A version older than the compaction point gets an ERROR event with a 410 Status, like the real
server. Runs in the connection's greenlet; killing that greenlet cuts the stream abruptly.
"""

from __future__ import annotations

import collections
import json
import socket
import time
from typing import Any

import gevent
import gevent.event
import gevent.socket

from startpunkt.testing.kubeapi import handlers, protocol, store


def _line(event_type: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"


def _bookmark(spec: handlers.WatchSpec, resource_version: int) -> bytes:
    obj = {
        "kind": spec.resource.kind,
        "apiVersion": spec.resource.api_version,
        "metadata": {"resourceVersion": str(resource_version)},
    }
    return _line("BOOKMARK", obj)


def _wait_for_client_to_leave(sock: socket.socket, left: gevent.event.Event) -> None:
    """Readable during a watch means the client closed (it sends nothing else)."""
    gevent.socket.wait_read(sock.fileno())
    left.set()


def stream(
    sock: socket.socket,
    spec: handlers.WatchSpec,
    objects: store.Store,
    *,
    bookmark_interval: float,
) -> None:
    """Serve the watch until it times out or the client leaves."""
    pending: collections.deque[store.Event] = collections.deque()
    wake = gevent.event.Event()
    # A version from the future: like the real server, send only what comes after it.
    newer_than = int(spec.resource_version or 0)

    def follow(event: store.Event) -> None:
        in_namespace = spec.namespace is None or event.namespace == spec.namespace
        if in_namespace and event.resource_version > newer_than:
            pending.append(event)
            wake.set()

    key = spec.resource.storage_key
    try:
        if spec.resource_version in ("", "0"):
            pending.extend(objects.initial_events(key, spec.namespace))
        else:
            pending.extend(objects.events_since(key, spec.namespace, int(spec.resource_version)))
    except store.Expired as expired:
        error = protocol.status(410, str(expired))
        sock.sendall(protocol.stream_head() + protocol.chunk(_line("ERROR", error)))
        sock.sendall(protocol.LAST_CHUNK)
        return
    # Subscribing right after reading the history (no yield in between) loses no event.
    unsubscribe = objects.subscribe(key, follow) if not spec.hang else (lambda: None)
    watcher = gevent.spawn(_wait_for_client_to_leave, sock, wake)
    try:
        sock.sendall(protocol.stream_head())
        if spec.hang:
            watcher.join()
            return
        _follow(sock, spec, objects, pending, wake, watcher, bookmark_interval)
    finally:
        unsubscribe()
        watcher.kill()


def _follow(
    sock: socket.socket,
    spec: handlers.WatchSpec,
    objects: store.Store,
    pending: collections.deque[store.Event],
    wake: gevent.event.Event,
    watcher: gevent.Greenlet,
    bookmark_interval: float,
) -> None:
    now = time.monotonic()
    deadline = now + spec.timeout if spec.timeout else None
    next_bookmark = now + bookmark_interval if spec.bookmarks else None
    while True:
        if not pending:
            wake.wait(timeout=_seconds_until(deadline, next_bookmark))
        wake.clear()
        if watcher.dead:
            return  # the client left
        now = time.monotonic()
        # Draining and reading the bookmark version without yielding keeps versions in order.
        lines = [_line(e.type, handlers.present(spec.resource, e.obj)) for e in pending]
        pending.clear()
        if next_bookmark is not None and now >= next_bookmark:
            lines.append(_bookmark(spec, objects.resource_version))
            next_bookmark = now + bookmark_interval
        if lines:
            sock.sendall(b"".join(protocol.chunk(line) for line in lines))
        if deadline is not None and now >= deadline:
            sock.sendall(protocol.LAST_CHUNK)
            return


def _seconds_until(*moments: float | None) -> float | None:
    due = [m for m in moments if m is not None]
    return max(0.0, min(due) - time.monotonic()) if due else None
