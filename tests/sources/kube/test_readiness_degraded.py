"""Finding 8 of issue 12: readiness tells the truth and keeps the page up.

Bug: a 429 or a 500 on one kind marked the pod DOWN, so during an API-server blip every replica
left the Service together, although each still served a good cached catalog; and a kubeconfig
missing at start was never looked for again.
Fix: a source that has listed stays ready while it serves its last state, shown degraded (and
since when) in the health details and in `startpunkt_source_degraded`; readiness fails only
before the first list or when every source has failed for longer than `health.outageGrace`
(tests/sources/kube/test_watching_outage.py); missing credentials are looked for again.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from startpunkt import create_app, runtime
from startpunkt.config import KubernetesSettings, Settings
from startpunkt.sources import kube as kube_source

INGRESSES = "kube:ingresses.networking.k8s.io"


def sample(client, name: str, source: str) -> float | None:
    text = client.get("/q/metrics").get_data(as_text=True)
    for line in text.splitlines():
        if line.startswith(f'{name}{{source="{source}"}} '):
            return float(line.rsplit(" ", 1)[1])
    return None


@pytest.mark.parametrize("status", [429, 500])
def test_one_kind_failing_leaves_the_pod_ready_and_says_degraded(kubeapi, start_app, kube, status):
    kubeapi.apply(kube.ingress("plex"))
    app = start_app()
    client = app.test_client()
    assert sample(client, "startpunkt_source_degraded", INGRESSES) == 0.0

    kubeapi.fail("ingresses", status, verbs=["list", "watch"])
    kubeapi.drop_watches("ingresses")
    kube.wait_for(lambda: kube.readiness(app).sources()[INGRESSES].degraded, what="degraded")

    response = client.get("/q/health/ready")
    assert response.status_code == 200
    checks = {c["name"]: c for c in response.get_json()["checks"]}
    source = checks[f"source {INGRESSES}"]
    assert source["status"] == "UP"
    assert source["data"]["degraded"] is True and str(status) in source["data"]["lastError"]
    assert source["data"]["degradedSince"].endswith("Z")
    assert checks["catalog"]["data"]["degraded"] == [INGRESSES]
    assert kube.names(kube.catalog(app)) == ["plex"]  # the last known state is served
    assert sample(client, "startpunkt_source_degraded", INGRESSES) == 1.0
    assert sample(client, "startpunkt_source_degraded_since_seconds", INGRESSES) > 1.7e9

    kubeapi.unfail()
    kube.wait_for(lambda: not kube.readiness(app).sources()[INGRESSES].degraded, what="recovered")
    assert sample(client, "startpunkt_source_degraded", INGRESSES) == 0.0
    assert sample(client, "startpunkt_source_degraded_since_seconds", INGRESSES) is None


def test_a_kubeconfig_missing_at_start_is_looked_for_again(kubeapi, kube, tmp_path: Path):
    kubeapi.apply(kube.ingress("plex"))
    later = tmp_path / "kubeconfig"
    settings = Settings(kubernetes=KubernetesSettings(enabled=True, kubeconfig=str(later)))
    app = create_app(settings, start=False)
    timing = dataclasses.replace(kube.FAST, credentials_retry=0.3)
    try:
        assert kube_source.init_app(app, timing=timing) is True
        client = app.test_client()
        assert client.get("/q/health/ready").status_code == 503
        assert kube.stays(lambda: runtime.get(app).cluster is None, seconds=0.8)

        kubeapi.kubeconfig(later)
        kube.wait_for(lambda: kube.names(kube.catalog(app)) == ["plex"], timeout=10, what="plex")
        kube.wait_for(lambda: client.get("/q/health/ready").status_code == 200, what="ready")
        assert kube_source.UNUSABLE not in kube.readiness(app).sources()
    finally:
        kube_source.stop(app)
        import gevent

        gevent.killall(list(runtime.get(app).tasks), timeout=5)
