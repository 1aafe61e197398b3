"""Prometheus metrics: process-wide counters plus per-app gauges read at scrape time.

Counters live in the default registry (one process, one set). Gauges describe one app's state
(catalog size, open streams, source health), so each app gets its own registry whose collector
reads the runtime when `/q/metrics` is scraped; nothing is updated on the hot path.
"""

from __future__ import annotations

from collections.abc import Iterator

from flask import Flask
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector

from startpunkt import runtime

objects_skipped = Counter(
    "startpunkt_objects_skipped",
    "Malformed objects or fields skipped or defaulted while mapping",
    ["kind", "reason"],
)
watch_events = Counter("startpunkt_watch_events", "Watch events received", ["source"])
watch_restarts = Counter(
    "startpunkt_watch_restarts", "Watch or list restarts by cause", ["source", "reason"]
)
events_published = Counter("startpunkt_events_published", "SSE events published", ["type"])
stream_disconnects = Counter(
    "startpunkt_stream_disconnects", "SSE streams ended, by cause", ["reason"]
)
streams_rejected = Counter(
    "startpunkt_streams_rejected",
    "SSE streams refused (503), or told to come back (shutting down)",
    ["reason"],
)
accept_errors = Counter(
    "startpunkt_accept_errors", "Connections not accepted for want of file descriptors", ["reason"]
)
remote_events = Counter(
    "startpunkt_remote_events", "Events received from followed instances", ["cluster", "result"]
)
remote_reconnects = Counter(
    "startpunkt_remote_reconnects", "Connections to followed instances lost or refused", ["cluster"]
)
remote_items_dropped = Counter(
    "startpunkt_remote_items_dropped",
    "Items of followed instances not kept (cap: maxItems; foreign: not the remote's own)",
    ["cluster", "reason"],
)
probes = Counter("startpunkt_probes", "Availability probes made", ["result"])
probe_failures = Counter("startpunkt_probe_failures", "Failed probes by reason", ["reason"])
probe_duration = Histogram(
    "startpunkt_probe_duration_seconds",
    "Duration of one availability probe",
    buckets=(0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)


class _AppCollector(Collector):
    """Gauges of one app, read from its runtime at scrape time."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def collect(self) -> Iterator[Metric]:
        rt = runtime.get(self._app)
        snap = rt.catalog.snapshot()
        items = GaugeMetricFamily(
            "startpunkt_catalog_items", "Items in the catalog", labels=["type"]
        )
        items.add_metric(["application"], len(snap.applications))
        items.add_metric(["bookmark"], len(snap.bookmarks))
        yield items
        yield GaugeMetricFamily("startpunkt_catalog_version", "Catalog version", value=snap.version)
        ready = GaugeMetricFamily(
            "startpunkt_source_ready",
            "1 when a source counts as ready (the rule readiness uses)",
            labels=["source", "state"],
        )
        degraded = GaugeMetricFamily(
            "startpunkt_source_degraded",
            "1 while a source fails after having listed, serving what it last listed",
            labels=["source"],
        )
        since = GaugeMetricFamily(
            "startpunkt_source_degraded_since_seconds",
            "When a degraded source started failing (Unix time); absent when it is not",
            labels=["source"],
        )
        for name, status in rt.readiness.sources().items():
            ready.add_metric([name, status.state], 1.0 if status.ready else 0.0)
            degraded.add_metric([name], 1.0 if status.degraded else 0.0)
            if status.degraded_since is not None:
                since.add_metric([name], status.degraded_since)
        yield ready
        yield degraded
        yield since
        if rt.broadcaster is not None:
            yield GaugeMetricFamily(
                "startpunkt_sse_clients", "Open SSE streams", value=rt.broadcaster.client_count()
            )
            yield GaugeMetricFamily(
                "startpunkt_sse_clients_draining",
                "Open SSE streams whose client cannot keep up (being drained on the slow path)",
                value=rt.broadcaster.draining_count(),
            )
        if rt.remotes is not None:
            yield from _remote_gauges(rt)


def _remote_gauges(rt: runtime.Runtime) -> Iterator[Metric]:
    """Per followed instance: connected, items kept, stale, and the lag of its last event."""
    assert rt.remotes is not None
    followers = list(rt.remotes.followers.values())
    gauges = {
        "connected": ("startpunkt_remote_connected", "1 while the instance's stream is open"),
        "items": ("startpunkt_remote_items", "Items kept from the instance"),
        "stale": ("startpunkt_remote_stale", "1 while its items are kept but unreachable"),
        "lag": (
            "startpunkt_remote_lag_seconds",
            "From the instance stamping its last applied event to applying it here",
        ),
    }
    families = {
        key: GaugeMetricFamily(name, text, labels=["cluster"])
        for key, (name, text) in gauges.items()
    }
    for f in followers:
        families["connected"].add_metric([f.cluster], 1.0 if f.connected else 0.0)
        families["items"].add_metric([f.cluster], float(len(f.origin)))
        families["stale"].add_metric([f.cluster], 0.0 if f.origin.stale_since is None else 1.0)
        if f.lag is not None:
            families["lag"].add_metric([f.cluster], f.lag)
    yield from families.values()


def init_app(app: Flask) -> None:
    """Give `app` its own registry of gauges, next to the process-wide counters."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_AppCollector(app))
    runtime.get(app).metrics = registry
