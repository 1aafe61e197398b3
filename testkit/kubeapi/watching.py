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
from collections.abc import Callable
from typing import Any

import gevent
import gevent.event
import gevent.socket

from testkit.kubeapi import handlers, protocol, store


def _line(event_type: str, obj: dict[str, Any]) -> bytes:
    return json.dumps({"type": event_type, "object": obj}, separators=(",", ":")).encode() + b"\n"


def _event_line(spec: handlers.WatchSpec, event: store.Event) -> bytes:
    api_version = spec.resource.api_version
    if api_version not in event.lines:
        event.lines[api_version] = _line(event.type, handlers.present(spec.resource, event.obj))
    return event.lines[api_version]


def _bookmark(spec: handlers.WatchSpec, resource_version: int) -> bytes:
    obj = {
        "kind": spec.resource.kind,
        "apiVersion": spec.resource.api_version,
        "metadata": {"resourceVersion": str(resource_version)},
    }
    return _line("BOOKMARK", obj)


def stream(
    sock: socket.socket,
    spec: handlers.WatchSpec,
    objects: store.Store,
    *,
    bookmark_interval: float,
    sent: Callable[[float], None] = lambda _when: None,
) -> None:
    """Serve the watch until it times out or the client leaves.

    `sent(when)` is told the wall-clock time right after each write that carried an event
    (not only bookmarks): benchmarks time a change's trip from there.
    """
    _Stream(sock, spec, objects, sent).serve(bookmark_interval)


class _Stream:
    """The state of one watch: events not yet sent, and what wakes the sender."""

    def __init__(
        self,
        sock: socket.socket,
        spec: handlers.WatchSpec,
        objects: store.Store,
        sent: Callable[[float], None],
    ):
        self.sock = sock
        self.sent = sent
        self.spec = spec
        self.objects = objects
        self.pending: collections.deque[store.Event] = collections.deque()
        self.wake = gevent.event.Event()  # an event arrived, or the client left
        self.left = gevent.event.Event()
        # A version from the future: like the real server, send only what comes after it.
        self.newer_than = int(spec.resource_version or 0)

    def serve(self, bookmark_interval: float) -> None:
        key, namespace = self.spec.resource.storage_key, self.spec.namespace
        try:
            if self.spec.resource_version in ("", "0"):
                history = self.objects.initial_events(key, namespace)
            else:
                history = self.objects.events_since(key, namespace, self.newer_than)
        except store.Expired as expired:
            error = _line("ERROR", protocol.status(410, str(expired)))
            self.sock.sendall(protocol.stream_head() + protocol.chunk(error) + protocol.LAST_CHUNK)
            return
        self.pending.extend(history)
        # Subscribing right after reading the history (no yield in between) loses no event.
        unsubscribe = self.objects.subscribe(key, self._follow) if not self.spec.hang else None
        watcher = gevent.spawn(self._wait_for_client_to_leave)
        try:
            self.sock.sendall(protocol.stream_head())
            if self.spec.hang:
                self.left.wait()
            else:
                self._send_until_done(bookmark_interval)
        finally:
            if unsubscribe:
                unsubscribe()
            watcher.kill()

    def _follow(self, event: store.Event) -> None:
        in_namespace = self.spec.namespace in (None, event.namespace)
        if in_namespace and event.resource_version > self.newer_than:
            self.pending.append(event)
            self.wake.set()

    def _wait_for_client_to_leave(self) -> None:
        """Readable during a watch means the client closed (it sends nothing else)."""
        gevent.socket.wait_read(self.sock.fileno())
        self.left.set()
        self.wake.set()

    def _send_until_done(self, bookmark_interval: float) -> None:
        now = time.monotonic()
        deadline = now + self.spec.timeout if self.spec.timeout else None
        next_bookmark = now + bookmark_interval if self.spec.bookmarks else None
        while True:
            if not self.pending:
                self.wake.wait(timeout=_seconds_until(deadline, next_bookmark))
            self.wake.clear()
            if self.left.is_set():
                return
            now = time.monotonic()
            # Draining and reading the bookmark version without a yield keeps versions in order.
            lines = [_event_line(self.spec, e) for e in self.pending]
            events = len(lines)
            self.pending.clear()
            if next_bookmark is not None and now >= next_bookmark:
                lines.append(_bookmark(self.spec, self.objects.resource_version))
                next_bookmark = now + bookmark_interval
            if lines:
                self.sock.sendall(b"".join(protocol.chunk(line) for line in lines))
                if events:
                    self.sent(time.time())
            if deadline is not None and now >= deadline:
                self.sock.sendall(protocol.LAST_CHUNK)
                return


def _seconds_until(*moments: float | None) -> float | None:
    due = [m for m in moments if m is not None]
    return max(0.0, min(due) - time.monotonic()) if due else None
