"""The API server goes away for ten seconds while the cluster changes, then comes back.

During the outage the page keeps what it had (stale beats empty). Readiness stays UP, each
source shown degraded, for `health.outageGrace` (every replica still serves a good catalog, so
none should leave the Service for a blip), then goes DOWN; once the server is back every change
made meanwhile reaches the catalog and readiness comes back UP, without a restart.
"""

from __future__ import annotations

import gevent

from startpunkt.config import HealthSettings

OUTAGE = 10.0
"""Seconds the API server is down: long enough for backoff to reach its cap several times."""
GRACE = 3.0
"""`health.outageGrace` here: readiness holds for this long while every source fails."""


def ready(client) -> bool:
    response = client.get("/q/health/ready")
    return response.status_code == 200 and response.json["status"] == "UP"


def test_catalog_catches_up_after_an_outage_and_readiness_recovers(
    kubeapi, start_app, kube, cluster_settings
):
    for name in ("keep", "change", "delete"):
        kubeapi.apply(kube.ingress(name))
    kubeapi.apply(kube.application("bye", "apps"))
    app = start_app(cluster_settings(health=HealthSettings(outage_grace=GRACE)))
    client = app.test_client()
    catalog = kube.catalog(app)
    assert kube.names(catalog) == ["Bye", "change", "delete", "keep"]
    assert ready(client)
    lists_before = kubeapi.count("list", "ingresses")

    kubeapi.stop()
    sources = kube.readiness(app).sources
    kube.wait_for(
        lambda: all(s.degraded for s in sources().values()), timeout=5.0, what="all degraded"
    )
    assert ready(client)  # within the grace: still serving, every source degraded
    took = kube.wait_for(lambda: not ready(client), timeout=GRACE + 3.0, what="readiness DOWN")
    assert took > GRACE - 1.5
    kubeapi.apply(kube.ingress("change", host="moved.example.com"))
    kubeapi.delete("networking.k8s.io/v1", "ingresses", "default", "delete")
    kubeapi.apply(kube.ingress("new"))
    kubeapi.delete("startpunkt.ullberg.us/v1alpha4", "applications", "apps", "bye")
    kubeapi.apply(kube.application("hello", "apps"))
    gevent.sleep(OUTAGE)  # the outage itself is the point: nothing to wait for
    assert kube.names(catalog) == ["Bye", "change", "delete", "keep"]  # stale, not empty
    assert not ready(client)
    states = {s.state for s in kube.readiness(app).sources().values()}
    assert states == {"error"}, states
    kubeapi.start()

    kube.wait_for(
        lambda: kube.names(catalog) == ["Hello", "change", "keep", "new"],
        timeout=5.0,
        what="every change made during the outage",
    )
    assert kube.app_url(catalog, "change") == "http://moved.example.com"
    kube.wait_for(lambda: ready(client), timeout=5.0, what="readiness UP")
    assert kubeapi.count("list", "ingresses") > lists_before
