"""When each application URL is probed, and where the results go.

One greenlet keeps a small schedule per distinct URL: probed again `interval` after a good
result, sooner after a bad one (backoff from `initialDelayMs`, times `backoffMultiplier` per
failure, up to `maxDelayMs` or else `interval`), and a new URL almost at once. Probes
run in a bounded gevent pool; results go to `Catalog.set_available`, which announces changes.
Settings are read at every step, so a live reload applies without a restart.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gevent
import gevent.event
import gevent.pool
import urllib3

from startpunkt import durations, metrics, model, signals
from startpunkt.availability import probe
from startpunkt.catalog import Catalog
from startpunkt.config import AvailabilitySettings

log = logging.getLogger(__name__)

START_DELAY = 1.5
"""The first round waits this long after start, so the sources have filled the catalog."""
NEW_URL_DELAY = 0.5
"""A new URL waits this long, so a burst of new applications (a re-list) is one dispatch."""
IDLE_RECHECK = 5.0
"""The longest the loop sleeps without re-reading settings, in case no signal woke it."""
ERROR_PAUSE = 1.0
"""After an unexpected error in the loop, so a persistent one does not spin."""


@dataclass
class UrlState:
    """The schedule and last result of one URL."""

    since: float
    """When the URL appeared (monotonic seconds)."""
    checked: float | None = None
    """When its last probe ended."""
    failures: int = 0
    """Down results in a row."""
    probes: int = 0
    busy: bool = False
    last: probe.Result | None = None

    def due(
        self, settings: AvailabilitySettings, *, start: float, first_delay: float, backoff: float
    ) -> float:
        """When this URL should be probed next; `backoff` is the first retry's delay."""
        if self.checked is None:
            return max(self.since + first_delay, start)
        if not self.failures:
            return self.checked + settings.interval
        longest = (
            settings.max_delay_ms / 1000 if settings.max_delay_ms is not None else settings.interval
        )
        return self.checked + durations.backoff(
            backoff, settings.backoff_multiplier, self.failures, longest
        )


class Prober:
    """Probes every distinct application URL of one app's catalog, forever."""

    def __init__(
        self,
        catalog: Catalog,
        *,
        settings: Callable[[], AvailabilitySettings],
        user_agent: str,
        start_delay: float = START_DELAY,
        new_url_delay: float = NEW_URL_DELAY,
        backoff: float | None = None,
    ) -> None:
        """`backoff` overrides `availability.initialDelayMs` (tests use short ones)."""
        self._catalog = catalog
        self._settings = settings
        self._user_agent = user_agent
        self._start_delay = start_delay
        self._new_url_delay = new_url_delay
        self._backoff = backoff
        self._start = 0.0
        self._urls: dict[str, UrlState] = {}
        self._wake = gevent.event.Event()
        self._pool: gevent.pool.Pool | None = None
        self._http: urllib3.PoolManager | None = None
        self._http_key: tuple[bool, int] | None = None

    def urls(self) -> dict[str, UrlState]:
        """A copy of the schedule, by URL (for tests and health)."""
        return {url: dataclasses.replace(state) for url, state in self._urls.items()}

    def run(self) -> None:
        """The prober's greenlet: dispatch due probes until killed."""
        self._start = time.monotonic() + self._start_delay
        signals.item_changed.connect(self._on_item, sender=self._catalog)
        try:
            while True:
                try:
                    self._step()
                except Exception:
                    log.exception("availability prober step failed; retrying")
                    gevent.sleep(ERROR_PAUSE)
        finally:
            signals.item_changed.disconnect(self._on_item, sender=self._catalog)
            # Probes in flight end by their deadline; with no schedule their results are dropped.
            # (Killing them could interrupt a connect(), whose socket urllib3 would then leak.)
            self._urls.clear()
            if self._http is not None:
                self._http.clear()

    def _step(self) -> None:
        """Dispatch what is due, then sleep until the next due time or a wake-up."""
        self._wake.clear()
        settings = self._settings()
        if not settings.enabled:
            self._stand_down()
            self._wake.wait(IDLE_RECHECK)
            return
        if time.monotonic() < self._start:
            self._wake.wait(max(0.0, self._start - time.monotonic()))
            return
        self._sync()
        now = time.monotonic()
        later = now + IDLE_RECHECK
        for when, url in sorted(self._schedule(settings)):
            if when <= now:
                self._dispatch(url, settings)
            else:
                later = min(later, when)
        self._wake.wait(max(0.0, later - time.monotonic()))

    def _schedule(self, settings: AvailabilitySettings) -> list[tuple[float, str]]:
        """(due time, URL) of every URL not being probed right now."""
        return [
            (
                state.due(
                    settings,
                    start=self._start,
                    first_delay=self._new_url_delay,
                    backoff=self._backoff
                    if self._backoff is not None
                    else settings.initial_delay_ms / 1000,
                ),
                url,
            )
            for url, state in self._urls.items()
            if not state.busy
        ]

    def _sync(self) -> None:
        """Track the catalog's URLs: new ones get a schedule, unused ones are forgotten."""
        urls = self._catalog.application_urls()
        now = time.monotonic()
        for url in urls - self._urls.keys():
            self._urls[url] = UrlState(since=now)
        for url in self._urls.keys() - urls:
            del self._urls[url]
        self._catalog.forget_urls(urls)

    def _dispatch(self, url: str, settings: AvailabilitySettings) -> None:
        """Start one probe; waits for a free slot when `concurrency` probes are running."""
        if self._pool is None or self._pool.size != settings.concurrency:
            self._pool = gevent.pool.Pool(settings.concurrency)
        http = self._http_pool(settings)
        self._urls[url].busy = True
        self._pool.spawn(self._probe, url, settings, http)

    def _probe(self, url: str, settings: AvailabilitySettings, http: urllib3.PoolManager) -> None:
        """Probe `url` once and record the result."""
        started = time.monotonic()
        try:
            result = probe.check(
                url,
                http=http,
                timeout=settings.timeout,
                up_statuses=frozenset(settings.up_statuses),
                user_agent=self._user_agent,
            )
        except Exception as exc:
            log.exception("probe of %s failed unexpectedly", url)
            result = probe.Result(up=False, reason="error", detail=repr(exc))
        metrics.probe_duration.observe(time.monotonic() - started)
        metrics.probes.labels(result="up" if result.up else "down").inc()
        if not result.up:
            metrics.probe_failures.labels(reason=result.reason or "error").inc()
        self._record(url, result)

    def _record(self, url: str, result: probe.Result) -> None:
        """Update the schedule and the catalog (which announces a change of status)."""
        state = self._urls.get(url)
        # Forgotten while probing (no app uses it now), or probing was switched off.
        if state is None or not self._settings().enabled:
            return
        previous = state.last
        state.busy = False
        state.checked = time.monotonic()
        state.probes += 1
        state.failures = 0 if result.up else state.failures + 1
        state.last = result
        if previous is None and result.up:
            log.debug("%s is up (%s)", url, result.detail)
        elif previous is None or previous.up != result.up:
            log.info("%s is %s (%s)", url, "up" if result.up else "down", result.detail)
        limit = self._settings().max_retries
        if not result.up and limit > 0 and state.failures == limit:
            log.warning("%s is still down after %d probes in a row (%s)", url, limit, result.detail)
        self._catalog.set_available(url, result.up)
        self._wake.set()

    def _stand_down(self) -> None:
        """Probing is off: report every app available and forget all results."""
        if not self._urls:
            return
        for url, state in self._urls.items():
            if state.last is not None and not state.last.up:
                self._catalog.set_available(url, True)
        self._urls.clear()
        self._catalog.forget_urls(set())
        log.info("availability probing is off; every application counts as available")

    def _http_pool(self, settings: AvailabilitySettings) -> urllib3.PoolManager:
        """The connection manager for the current settings, rebuilt when they change."""
        key = (settings.ignore_certificates, settings.concurrency)
        if self._http is None or key != self._http_key:
            if self._http is not None:
                self._http.clear()
            if settings.ignore_certificates:
                log.info("availability probes do not verify TLS certificates (ignoreCertificates)")
            self._http = probe.http_pool(
                verify=not settings.ignore_certificates, size=settings.concurrency
            )
            self._http_key = key
        return self._http

    def wake(self) -> None:
        """Look at the settings and the schedule now (the settings changed)."""
        self._wake.set()

    def _on_item(self, sender: Any, *, new: model.Item | None, **_: Any) -> None:
        """A new or changed application may bring a new URL: look soon, not next interval."""
        if isinstance(new, model.Application) and new.url and new.url not in self._urls:
            self._wake.set()
