"""Following one remote startpunkt instance, live, forever: its own items, then its events.

Three layers, one decision each, like the Kubernetes informers (`kube/watching.py`).
`run_forever` decides what a failure means for the next try: a stream the server ended is
resumed at once, anything else backs off with jitter and marks the remote's items stale.
`_session` is one connection: the remote's config (its heartbeat interval, its own cluster's
name), then its event stream `?scope=local`, resuming with `Last-Event-ID`; the state is read
(ETag-aware) when there is no position to resume from or the remote answers RESYNC, and then
reconciled, so only real differences reach the catalog. `_apply` is one event.

The stream is opened before the state is read, so no change between the two is lost: events
after the stream's position are applied over the state (each carries the item's whole state,
so applying one the state already holds changes nothing). A stream silent for twice the
remote's heartbeat interval is dead.
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NoReturn

import gevent

from startpunkt import metrics, sse
from startpunkt.catalog import Catalog
from startpunkt.config import RemoteClusterSettings
from startpunkt.mappers import remote as mapping
from startpunkt.model import Application, Bookmark
from startpunkt.readiness import Readiness
from startpunkt.sources.backoff import Backoff
from startpunkt.sources.remote import errors, http, origin

log = logging.getLogger(__name__)

LOCAL = "?scope=local"
"""Followers ask for the remote's own items only: it never re-exports what it follows."""
APPS = "/api/apps" + LOCAL
BOOKMARKS = "/api/bookmarks" + LOCAL
STREAM = "/api/updates/stream" + LOCAL
CONFIG = "/api/config"
_RESUMABLE = re.compile(r"[\x21-\x7e]{1,256}")
"""An event id that can travel back in a `Last-Event-ID` header."""


@dataclass(frozen=True)
class Timing:
    """Timeouts and retry delays; tests pass shorter ones."""

    connect_timeout: float = 5.0
    request_timeout: float = 30.0
    """Read timeout of a JSON request (a remote with 10,000 items answers in well under 1 s)."""
    backoff_initial: float = 1.0
    backoff_cap: float = 30.0
    """A remote that stays down is asked again every 30 s (as pages retry their stream): its
    outage costs little, and its return shows within half a minute."""
    heartbeat: float = 30.0
    """The remote's heartbeat interval until its config says otherwise (startpunkt's default)."""
    silence_floor: float = 2.0
    silence_cap: float = 1200.0
    """A dead stream is noticed after twice the remote's heartbeat, within these bounds: a
    remote announcing a heartbeat of a year must not make its death invisible."""
    short_session: float = 1.0
    """A stream the server ends sooner than this was not a success: back off before the next."""


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class Follower:
    """Keeps the catalog origin `remote:<name>` equal to what one remote instance serves."""

    def __init__(
        self,
        settings: RemoteClusterSettings,
        *,
        catalog: Catalog,
        readiness: Readiness,
        timing: Timing,
        user_agent: str,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings
        self.cluster = settings.name
        self.name = origin.remote_origin(settings.name)
        """Its readiness name, equal to its catalog origin."""
        self.origin = origin.RemoteOrigin(
            settings.name, catalog=catalog, max_items=settings.max_items
        )
        self.client = http.Client(
            settings,
            connect_timeout=timing.connect_timeout,
            request_timeout=timing.request_timeout,
            user_agent=user_agent,
            **({"environ": environ} if environ is not None else {}),
        )
        self.timing = timing
        self.greenlet: gevent.Greenlet | None = None
        self.connected = False
        """A stream from the remote is open now."""
        self.last_event_id: str | None = None
        """Where the stream resumes; None: read the state first."""
        self.last_heard: float | None = None
        self.lag: float | None = None
        """Seconds between the remote publishing the last applied event and us applying it."""
        self.heartbeat = timing.heartbeat
        self._poll_interval = 60.0
        self._realtime = True
        """What the remote's config says of its stream (polled while off)."""
        self._ignored = 0
        """Events ignored on the current connection (only the first is logged as a WARNING)."""
        self._readiness = readiness
        self._etags: dict[str, str] = {}
        self._said_insecure = False
        self._events = {
            result: metrics.remote_events.labels(cluster=self.cluster, result=result)
            for result in ("applied", "ignored")
        }

    # -- lifecycle -------------------------------------------------------------------------

    def start(self) -> gevent.Greenlet:
        self._readiness.register(self.name, optional=True)
        if self.settings.ignore_certificates and not self._said_insecure:
            log.warning(
                "cluster %s: TLS certificates are not verified (ignoreCertificates)", self.cluster
            )
            self._said_insecure = True
        self.greenlet = gevent.spawn(self.run_forever)
        self.greenlet.name = self.name
        return self.greenlet

    def stop(self) -> None:
        """Stop following and withdraw the remote's items."""
        self.client.kill([self.greenlet])
        self.connected = False
        self.origin.forget()
        self._readiness.unregister(self.name)
        self.client.close()

    def silence(self) -> float:
        """Seconds of silence after which the stream is dead: twice the heartbeat, bounded."""
        return min(max(2 * self.heartbeat, self.timing.silence_floor), self.timing.silence_cap)

    # -- the loop --------------------------------------------------------------------------

    def run_forever(self) -> NoReturn:
        """Follow until killed; every failure decides only how long to wait."""
        backoff = Backoff(initial=self.timing.backoff_initial, cap=self.timing.backoff_cap)
        while True:
            began = time.monotonic()
            try:
                self._session()
            except errors.RemoteError as exc:
                self._failed(exc, backoff)
                continue
            except Exception as exc:
                log.exception("cluster %s: unexpected failure", self.cluster)
                self._failed(errors.RemoteError(f"{type(exc).__name__}: {exc}"), backoff)
                continue
            # The server ended the stream (its lifetime, a restart): resume at once, unless
            # it keeps doing so right away.
            if time.monotonic() - began < self.timing.short_session:
                gevent.sleep(backoff.next())
            else:
                backoff.reset()

    def _failed(self, exc: errors.RemoteError, backoff: Backoff) -> None:
        """Unreachable or unusable: keep its items, marked stale; say so; back off."""
        self.connected = False
        delay = backoff.next()
        metrics.remote_reconnects.labels(cluster=self.cluster).inc()
        if self.last_heard is not None and len(self.origin):
            since = _iso(self.last_heard)
            self.origin.mark_stale(since)
            state, error = "stale", f"unreachable since {since}: {exc}"
        else:
            state, error = "error", str(exc)
        self._readiness.report(self.name, state, objects=len(self.origin), error=error)
        log.warning(
            "cluster %s: %s (attempt %d); retrying in %.1fs",
            self.cluster,
            exc,
            backoff.attempts,
            delay,
        )
        gevent.sleep(delay)

    def _session(self) -> None:
        """One connection: config, stream, the state when needed; returns when the stream ends."""
        self._learn(self.client.get_json(CONFIG).body)
        position, silence = self.last_event_id, self.silence()
        stream = self.client.events(STREAM, last_event_id=position, silence=silence)
        try:
            opened = False
            for message in stream:
                self.last_heard = time.time()
                if not opened:
                    opened = True
                    self._opened(message)
                self._handle(message)
        except http.NoStream:
            self._poll()
        finally:
            stream.close()  # now, not when a traceback holding it is collected
            self.connected = False

    def _opened(self, first: sse.Message) -> None:
        """The stream answers: read the state unless it resumes from a known position.

        A startpunkt stream opens with a HEARTBEAT carrying the position it resumes from; one
        without an id announces a RESYNC, whose re-read makes the items current.
        """
        self.connected = True
        self._ignored = 0
        if self.last_event_id is None:
            self._read_state()
        elif first.id:
            self.origin.fresh()
            self._synced()

    def _poll(self) -> None:
        """The remote has no stream (realtime off there): read its state each refreshInterval,
        until its config says its stream is on again."""
        self._realtime = False
        while not self._realtime:
            self._read_state()
            self.last_heard = time.time()
            gevent.sleep(self._poll_interval)
            self._learn(self.client.get_json(CONFIG).body)

    def _read_state(self) -> None:
        """Re-read apps and bookmarks (ETag-aware) and reconcile: only differences signal."""
        lists: dict[str, list[Any] | None] = {}
        etags: dict[str, str | None] = {}
        for path, member in ((APPS, "applications"), (BOOKMARKS, "bookmarks")):
            answer = self.client.get_json(path, etag=self._etags.get(path))
            etags[path] = answer.etag
            where = self.client.base + path
            lists[member] = None if answer.status == 304 else _members(answer.body, member, where)
        self.origin.replace(applications=lists["applications"], bookmarks=lists["bookmarks"])
        self._etags = {path: etag for path, etag in etags.items() if etag}
        self._synced()

    def _synced(self) -> None:
        self._readiness.report(self.name, "synced", objects=len(self.origin))

    def _learn(self, body: Any) -> None:
        """From the remote's public config: its heartbeat interval, its own cluster's name."""
        config = body.get("config") if isinstance(body, dict) else None
        if not isinstance(config, dict):
            raise errors.BadAnswer(f"{self.client.base}{CONFIG}: not a startpunkt config")
        self._take_config(config)

    def _take_config(self, config: dict[str, Any]) -> None:
        realtime = config.get("realtime") if isinstance(config.get("realtime"), dict) else {}
        self._realtime = realtime.get("enabled") is not False
        interval = realtime.get("heartbeatInterval")
        if isinstance(interval, int | float) and not isinstance(interval, bool) and interval > 0:
            self.heartbeat = float(interval)
        web = config.get("web") if isinstance(config.get("web"), dict) else {}
        refresh = web.get("refreshInterval")
        valid = isinstance(refresh, int | float) and not isinstance(refresh, bool)
        self._poll_interval = min(max(float(refresh), 1.0), 3600.0) if valid else 60.0
        clusters = config.get("clusters") if isinstance(config.get("clusters"), dict) else {}
        local = clusters.get("local")
        self.origin.announced = local if isinstance(local, str) else None

    # -- events ----------------------------------------------------------------------------

    def _handle(self, message: sse.Message) -> None:
        """Apply one event, then (only then) move the resume position past it."""
        if message.oversize:
            self._ignore(message, "larger than the cap")
        elif message.event != "HEARTBEAT":
            self._apply(message)
        if message.id:
            # An id we could not send back (a header is visible ASCII) cannot resume: read
            # the state on the next connection instead.
            self.last_event_id = message.id if _RESUMABLE.fullmatch(message.id) else None

    def _ignore(self, message: sse.Message, why: str) -> None:
        """Count an event we cannot use; the first of each connection is a WARNING."""
        self._events["ignored"].inc()
        self._ignored += 1
        level = logging.WARNING if self._ignored == 1 else logging.DEBUG
        kind = message.event
        log.log(level, "cluster %s: a %.40r event was ignored: %s", self.cluster, kind, why)

    def _apply(self, message: sse.Message) -> None:
        try:
            envelope = json.loads(message.data or "")
        except (ValueError, RecursionError):
            envelope = None
        if not isinstance(envelope, dict) or "data" not in envelope:
            self._ignore(message, "not a startpunkt event (JSON with data)")
            return
        data, kind = envelope["data"], message.event
        if kind != "RESYNC" and self.origin.stale_since is not None:
            self.origin.fresh()  # resumed where the position was unknown, without a RESYNC
        if kind == "RESYNC":
            self._read_state()
        elif kind in ("APPLICATION_ADDED", "APPLICATION_UPDATED"):
            self.origin.put(mapping.application, data)
        elif kind in ("BOOKMARK_ADDED", "BOOKMARK_UPDATED"):
            self.origin.put(mapping.bookmark, data)
        elif kind == "APPLICATION_REMOVED":
            self.origin.remove(Application, data)
        elif kind == "BOOKMARK_REMOVED":
            self.origin.remove(Bookmark, data)
        elif kind == "STATUS_CHANGED":
            self.origin.status(data)
        elif kind == "CONFIG_CHANGED" and isinstance(data, dict):
            self._take_config(data)
        else:
            self._ignore(message, "unknown type")
            return
        self._events["applied"].inc()
        self.lag = _lag(envelope.get("timestamp"))
        if kind != "RESYNC":
            self._readiness.report(self.name, "synced", objects=len(self.origin))


def _members(body: Any, member: str, path: str) -> list[Any]:
    """Every item of a `{"groups": [{"name", member: [...]}]}` answer."""
    groups = body.get("groups") if isinstance(body, dict) else None
    if not isinstance(groups, list):
        raise errors.BadAnswer(f"{path}: no groups in the answer")
    items: list[Any] = []
    for group in groups:
        members = group.get(member) if isinstance(group, dict) else None
        if isinstance(members, list):
            items.extend(members)
    return items


def _lag(timestamp: Any) -> float | None:
    """Seconds since the remote stamped an event (clocks of the two hosts permitting)."""
    if not isinstance(timestamp, str):
        return None
    try:
        moment = datetime.fromisoformat(timestamp.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        return None
    return max(0.0, time.time() - moment.timestamp())
