"""The Kubernetes source: the cluster as a live source of the catalog (SPEC 2, 8).

Layers, from the wire up: `client` (which cluster, a private ApiClient), `api` (GETs answered
as plain dicts), `errors` (what a failure means), `discovery` (versions and plurals),
`resources` (what is watched), `watching` (`ListWatch`: list, then watch, forever), `informer`
(objects → catalog items under `kube:<resource>[/<ns>]`), `targets` (urlFrom targets read with
a GET, for `sources.resolver`), `cluster` (the informers the settings ask for). Only `client`
and `timing` load at import: the rest imports the kubernetes package, which is only worth its
second when a cluster is used.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from flask import Flask

from startpunkt import config, runtime, signals
from startpunkt.sources.kube import client
from startpunkt.sources.kube.timing import Timing

if TYPE_CHECKING:
    from startpunkt.sources.kube import api

log = logging.getLogger(__name__)

UNUSABLE = "kubernetes"
"""Readiness name reported (as an error) when a cluster is required but cannot be used."""


def init_app(app: Flask, *, timing: Timing | None = None) -> bool:
    """Start watching the cluster if one is configured; True when a cluster is used.

    With `kubernetes.enabled: true` and no usable credentials the answer is still True (the
    operator asked for a cluster, so the example is not served instead); readiness then says
    why nothing is listed, and the credentials are looked for again every
    `timing.credentials_retry` seconds (a kubeconfig mounted late, a token not yet projected).
    """
    rt = runtime.get(app)
    timing = timing or Timing()
    required = rt.settings.kubernetes.enabled is True
    try:
        chosen = client.plan(rt.settings.kubernetes)
        if chosen is None:
            log.debug("no Kubernetes cluster configured")
            return False
        api_client = _build(chosen, rt.settings, timing)
    except client.NoCluster as exc:
        if not required:
            log.warning("%s; not using a cluster", exc)
            return False
        log.error("%s; looking again every %gs", exc, timing.credentials_retry)
        rt.readiness.report(UNUSABLE, "error", objects=0, error=str(exc))
        rt.tasks.spawn(_look_for_credentials, app, timing)
        return True
    _start(app, api_client, chosen, timing)
    return True


def _look_for_credentials(app: Flask, timing: Timing) -> None:
    """Retry `plan` and `build` until the credentials work, then start watching."""
    import gevent

    while True:
        gevent.sleep(timing.credentials_retry)
        rt = runtime.get(app)
        try:
            chosen = client.plan(rt.settings.kubernetes)
            if chosen is None:
                return
            api_client = _build(chosen, rt.settings, timing)
        except client.NoCluster as exc:
            rt.readiness.report(UNUSABLE, "error", objects=0, error=str(exc))
            continue
        rt.readiness.unregister(UNUSABLE)
        _start(app, api_client, chosen, timing)
        return


def _start(app: Flask, api_client: api.Api, chosen: client.Plan, timing: Timing) -> None:
    """Run the informers the settings ask for, following live settings changes."""
    from startpunkt.sources.kube import cluster  # imports kubernetes: only with a cluster

    rt = runtime.get(app)
    running = cluster.Cluster(
        api_client,
        catalog=rt.catalog,
        readiness=rt.readiness,
        settings=lambda: runtime.get(app).settings,
        timing=timing,
        tasks=rt.tasks,
    )
    rt.cluster = running
    running.start()
    signals.config_changed.connect(reconfigure, sender=app)
    log.info(
        "watching the cluster at %s (%s): %d informers",
        api_client.host,
        chosen.describe(),
        len(running.informers),
    )


def reconfigure(app: Flask, **_: Any) -> None:
    """Follow a live settings change (kind switches, namespaces, mapping options)."""
    running = runtime.get(app).cluster
    if running is not None:
        running.reconfigure()


def stop(app: Flask) -> None:
    """Stop every informer, withdraw their items and close the API client."""
    rt = runtime.get(app)
    if rt.cluster is not None:
        rt.cluster.stop()
        rt.cluster = None


def _build(chosen: client.Plan, settings: config.Settings, timing: Timing) -> api.Api:
    from startpunkt.sources.kube import api, cluster  # imports kubernetes: only with a cluster

    api_client = client.build(chosen, pool_size=cluster.pool_size(settings))
    return api.Api(api_client, connect_timeout=timing.connect_timeout)
