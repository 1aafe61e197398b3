"""Sources: where objects come from (Kubernetes watches, manifest files, other instances).

A source turns raw objects into items with `startpunkt.mappers` and writes them to the catalog
under its own origin names, which nothing else writes; it reports progress to
`startpunkt.readiness`. The local two name objects by `identity.ObjectId` and follow urlFrom
targets with a `resolver.Resolver` of their own. The cluster is used when one is configured; the
manifest directory when asked for, or when there is no cluster (so a newcomer sees the bundled
example at once). Both can run together, and beside them `remote` follows other startpunkt
instances (`clusters.remote`). With `clusters.local.enabled: false` the instance shows only the
instances it follows (manifests only when `manifests.enabled: true` asks for them).
"""

from __future__ import annotations

import logging
import os
import tempfile
from typing import Any

from flask import Flask

from startpunkt import runtime, signals
from startpunkt.config import Settings
from startpunkt.sources import files, kube, remote

log = logging.getLogger(__name__)


def init_app(app: Flask) -> None:
    """Start the cluster source (if a cluster is used), the manifest files (if wanted) and the
    followers of remote instances (if any)."""
    rt = runtime.get(app)
    if rt.settings.clusters.local.enabled:
        rt.cluster_configured = kube.init_app(app)
    if files_wanted(rt.settings, cluster_configured=rt.cluster_configured):
        start_files(app)
    remote.init_app(app)
    signals.config_changed.connect(_follow_files, sender=app)


def files_wanted(settings: Settings, *, cluster_configured: bool) -> bool:
    """`manifests.enabled`, where None means: only when no cluster is used (and the local
    cluster is shown at all)."""
    enabled = settings.manifests.enabled
    if enabled is None:
        return settings.clusters.local.enabled and not cluster_configured
    return enabled


def start_files(app: Flask, *, polling: bool = False) -> files.FileSource:
    """Serve the configured manifest directory, watched, from a background greenlet."""
    rt = runtime.get(app)
    source = files.FileSource(
        rt.settings.manifests.directory,
        catalog=rt.catalog,
        readiness=rt.readiness,
        settings=lambda: runtime.get(app).settings,
        polling=polling,
        guard_dir=tempfile.gettempdir(),
    )
    rt.tasks.add(source.start())
    rt.files = source
    log.info("serving manifests from %s (%s)", source.directory, source.watcher.mode)
    return source


def stop_files(app: Flask) -> None:
    """Stop the manifest source, if running, and withdraw its items."""
    rt = runtime.get(app)
    if rt.files is not None:
        rt.files.stop()
        rt.files = None


def _follow_files(app: Flask, *, config: Settings, **_: Any) -> None:
    """Follow a live settings change in the file source (the cluster source follows its own).

    The file source restarts for a new directory or a change of `manifests.enabled`; anything
    else may change how objects map (kind switches, onlyAnnotated, namespaces, urlFrom kinds),
    so every file is mapped again, which costs no I/O and changes the catalog only where an
    item really differs.
    """
    rt = runtime.get(app)
    source = rt.files
    wanted = files_wanted(config, cluster_configured=rt.cluster_configured)
    moved = source is not None and os.path.abspath(config.manifests.directory) != source.directory
    if source is not None and (not wanted or moved):
        stop_files(app)
        source = None
    if wanted and source is None:
        start_files(app)
    elif source is not None:
        source.remap()
