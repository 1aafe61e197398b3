"""Keeping up with one resource in the cluster: list, then watch from the list's version, forever.

Three layers, one decision each. `run_forever` decides what a failure means for the next try:
410 lists again at once, an API not installed or forbidden is tried again slowly, anything
transient backs off with jitter. `_list_then_watch` lists, hands the objects over, then watches
from the list's resourceVersion, resuming from the last version seen (events and BOOKMARKs)
whenever a stream ends or breaks. `_watch_once` is one watch request with a server timeout and
a client read timeout of about the bookmark interval: the API server sends a BOOKMARK about
every minute, so a watch silent for longer hangs, and is restarted with a log line.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Iterable, Iterator
from typing import Any, NoReturn, Protocol

import gevent

from startpunkt import metrics, quoting
from startpunkt.readiness import State
from startpunkt.sources.kube import api, discovery, errors, resources
from startpunkt.sources.kube.timing import Backoff, Timing

log = logging.getLogger(__name__)

CHANGES = frozenset({"ADDED", "MODIFIED", "DELETED"})
PAGE_SIZE = 500
"""Objects per LIST page: client-go's choice; bounds the memory a large list needs."""


class Sink(Protocol):
    """Where a `ListWatch` delivers what it learns (an informer)."""

    name: str

    def listed(self, objects: Iterable[dict[str, Any]]) -> None:
        """Everything that exists now (after a list), read once as it arrives."""

    def changed(self, event_type: str, obj: dict[str, Any]) -> None:
        """One ADDED, MODIFIED or DELETED object."""

    def report(self, state: State, *, error: str | None = None) -> None:
        """The source's state changed (synced, absent, forbidden, error)."""


class ListWatch:
    """Lists and watches one resource (in one namespace, or all) for one sink.

    (`fswatch.FileWatcher` is its counterpart for manifest files.)
    """

    def __init__(
        self,
        client: api.Api,
        resource: resources.Resource,
        *,
        namespace: str | None,
        sink: Sink,
        timing: Timing,
    ) -> None:
        self.client = client
        self.resource = resource
        self.namespace = namespace
        self.sink = sink
        self.timing = timing
        self.api_version: str | None = None
        """The version being read, once discovery chose one."""
        self.resource_version: str | None = None
        self._said_absent = False
        self._said_forbidden = False
        self._said_silent = False
        self._events_seen = 0
        self._events = metrics.watch_events.labels(source=sink.name)

    def run_forever(self) -> NoReturn:
        """List and watch until killed; every failure decides only how long to wait."""
        backoff = Backoff(initial=self.timing.backoff_initial, cap=self.timing.backoff_cap)
        gone_in_a_row = 0
        while True:
            try:
                self._list_then_watch(backoff)
            except errors.Gone as exc:
                gone_in_a_row += 1
                log.debug("%s: %s; listing again", self.sink.name, exc)
                self._restarted("gone")
                # A 410 right after a list would loop; the second in a row waits first.
                if gone_in_a_row > 1:
                    gevent.sleep(backoff.next())
                continue
            except errors.NotInstalled as exc:
                self._absent(exc)
            except errors.Forbidden as exc:
                self._forbidden(exc)
            except errors.KubeError as exc:
                self._failed(exc, backoff)
            except Exception as exc:
                delay = backoff.next()
                log.exception("%s: unexpected failure; retrying in %.1fs", self.sink.name, delay)
                self._restarted("error")
                self.sink.report("error", error=f"{type(exc).__name__}: {exc}")
                gevent.sleep(delay)
            gone_in_a_row = 0

    def _absent(self, exc: errors.KubeError) -> None:
        """Not installed: nothing of the kind exists; said once at INFO, looked for again slowly.

        (Deleting a CRD deletes its objects, so items listed before are withdrawn.)
        """
        retry = self.timing.absent_retry
        self.sink.listed([])
        self.sink.report("absent", error=f"{self.resource.name} is not served: {exc}")
        if not self._said_absent:
            log.info(
                "%s: %s is not served by this cluster; looking again every %gs",
                self.sink.name,
                self.resource.name,
                retry,
            )
            self._said_absent = True
        self._restarted("absent")
        gevent.sleep(retry)

    def _forbidden(self, exc: errors.KubeError) -> None:
        """Forbidden: one WARNING with the missing RBAC rule, then tried again slowly."""
        rule = missing_rule(self.resource, self.namespace)
        self.sink.report("forbidden", error=f"{exc}; needs {rule}")
        if not self._said_forbidden:
            log.warning(
                "%s: forbidden (%s); the service account needs %s", self.sink.name, exc, rule
            )
            self._said_forbidden = True
        self._restarted("forbidden")
        gevent.sleep(self.timing.forbidden_retry)

    def _failed(self, exc: errors.KubeError, backoff: Backoff) -> None:
        """Transient (or unexplained) API failure: WARNING with the attempt, then back off."""
        delay = backoff.next()
        log.warning(
            "%s: %s (attempt %d); retrying in %.1fs", self.sink.name, exc, backoff.attempts, delay
        )
        self._restarted("error")
        self.sink.report("error", error=str(exc))
        gevent.sleep(delay)

    def _list_then_watch(self, backoff: Backoff) -> NoReturn:
        """List, hand over, then watch from the list's version until something fails."""
        path = self._list()
        self.sink.report("synced")
        backoff.reset()
        self._said_absent = self._said_forbidden = False
        interrupted = 0
        while True:
            seen = self._events_seen
            try:
                self._watch_once(path)
                interrupted = 0
                self._restarted("timeout")
            except errors.Silent as exc:
                interrupted = 1 if self._events_seen != seen else interrupted + 1
                self._silent(exc)
                if interrupted >= self.timing.interruptions_before_error:
                    raise
            except errors.Interrupted as exc:
                interrupted = 1 if self._events_seen != seen else interrupted + 1
                if interrupted >= self.timing.interruptions_before_error:
                    raise
                log.debug("%s: watch broke off (%s); resuming", self.sink.name, exc)
                self._restarted("interrupted")
                gevent.sleep(self.timing.backoff_initial * random.uniform(0.5, 1.0))

    def _silent(self, exc: errors.Silent) -> None:
        """A hung watch: one WARNING per silence (until something arrives again), then resume."""
        level = logging.DEBUG if self._said_silent else logging.WARNING
        log.log(
            level,
            "%s: no event or bookmark (%s): the watch is restarted from version %s",
            self.sink.name,
            exc,
            self.resource_version or "(none)",
        )
        self._said_silent = True
        self._restarted("silent")

    def _list(self) -> str:
        """Discover the version, list page by page into the sink; the collection's path."""
        self.api_version = discovery.served_version(
            self.client, self.resource, read_timeout=self.timing.request_timeout
        )
        path = api.collection_path(
            self.resource.group, self.api_version, self.resource.plural, self.namespace
        )
        self.sink.listed(self._typed(o) for o in self._pages(path))
        return path

    def _pages(self, path: str) -> Iterator[dict[str, Any]]:
        """The listed objects, read `PAGE_SIZE` at a time (as client-go does).

        Only one page is in memory at a time: one LIST of 10,000 Ingresses parses to about
        35 MiB of dicts, most of which the process would keep as heap after it is freed. Every
        page carries the version of the list's snapshot, which the watch then resumes from;
        an expired continue token is a 410, so the list starts over.
        """
        token = ""
        while True:
            query: list[tuple[str, str | int | bool]] = [("limit", PAGE_SIZE)]
            if token:
                query.append(("continue", token))
            document = self.client.get(
                path, query=query, read_timeout=self.timing.request_timeout, listing=True
            )
            metadata = document.get("metadata") or {}
            self.resource_version = str(metadata.get("resourceVersion") or "")
            yield from (o for o in document.get("items") or () if isinstance(o, dict))
            token = str(metadata.get("continue") or "")
            if not token:
                return

    def _watch_once(self, path: str) -> None:
        """One watch request from the last version seen, until the server ends it."""
        query = [
            ("allowWatchBookmarks", True),
            ("resourceVersion", self.resource_version or ""),
            ("timeoutSeconds", self.timing.watch_timeout),
        ]
        for event in self.client.watch(
            path, query=query, read_timeout=self.timing.watch_read_timeout
        ):
            self._handle(event)

    def _handle(self, event: dict[str, Any]) -> None:
        """Pass a change on; take the resourceVersion of every event, BOOKMARKs included."""
        event_type, obj = event.get("type"), event.get("object")
        self._said_silent = False  # the connection is alive
        if event_type == "ERROR":
            raise errors.status_event(obj)
        if not isinstance(obj, dict):
            shown = quoting.quote(event_type)
            log.warning("%s: %s event without an object; ignored", self.sink.name, shown)
            return
        if event_type in CHANGES:
            self._events_seen += 1
            self._events.inc()
            self.sink.changed(event_type, self._typed(obj))
        elif event_type != "BOOKMARK":
            shown = quoting.quote(event_type)
            log.debug("%s: unknown event type %s ignored", self.sink.name, shown)
        version = (obj.get("metadata") or {}).get("resourceVersion")
        if isinstance(version, str) and version:
            self.resource_version = version

    def _typed(self, obj: dict[str, Any]) -> dict[str, Any]:
        """Built-in lists leave apiVersion and kind out of their items; mappers dispatch on them."""
        obj.setdefault("apiVersion", f"{self.resource.group}/{self.api_version}")
        obj.setdefault("kind", self.resource.kind)
        return obj

    def _restarted(self, reason: str) -> None:
        metrics.watch_restarts.labels(source=self.sink.name, reason=reason).inc()


def missing_rule(resource: resources.Resource, namespace: str | None) -> str:
    """The RBAC rule that would allow this watch, as an operator would write it."""
    holder = f"a Role in namespace {namespace}" if namespace else "a ClusterRole"
    return (
        f"{holder} rule {{apiGroups: [{resource.group}], resources: [{resource.plural}], "
        f"verbs: [get, list, watch]}}"
    )
