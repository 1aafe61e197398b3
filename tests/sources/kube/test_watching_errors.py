"""Transient API failures: readiness is DOWN until a source first lists (and only degraded
after), each retry is a WARNING with its attempt count, retries back off, and the source
recovers by itself."""

from __future__ import annotations

import re

INGRESSES = "kube:ingresses.networking.k8s.io"


def test_a_failing_list_is_retried_with_backoff_and_recovers(kubeapi, start_app, kube, caplog):
    kubeapi.fail("ingresses", 503, verbs=["list"])
    kubeapi.apply(kube.ingress("plex"))
    app = start_app()
    client = app.test_client()

    status = kube.readiness(app).sources()[INGRESSES]
    assert status.state == "error"
    assert "503" in status.last_error
    assert client.get("/q/health/ready").status_code == 503
    kube.wait_for(lambda: kubeapi.count("list", "ingresses") >= 4, what="retries")
    kubeapi.unfail()

    kube.wait_for(lambda: kube.names(kube.catalog(app)) == ["plex"], what="recovered")
    kube.wait_for(lambda: client.get("/q/health/ready").status_code == 200, what="ready")
    attempts = [
        int(m.group(1))
        for r in caplog.records
        if r.levelname == "WARNING" and INGRESSES in r.getMessage()
        for m in [re.search(r"\(attempt (\d+)\)", r.getMessage())]
        if m
    ]
    assert attempts[:4] == [1, 2, 3, 4]


def test_a_failing_watch_relists_and_loses_nothing(kubeapi, start_app, kube):
    app = start_app()
    kubeapi.fail("ingresses", 500, verbs=["watch"])
    kubeapi.drop_watches("ingresses")
    kube.wait_for(
        lambda: kube.readiness(app).sources()[INGRESSES].state == "error", what="error reported"
    )
    assert kube.readiness(app).sources()[INGRESSES].degraded
    assert app.test_client().get("/q/health/ready").status_code == 200
    kubeapi.apply(kube.ingress("made-while-failing"))
    kubeapi.unfail()

    kube.wait_for(lambda: kube.names(kube.catalog(app)) == ["made-while-failing"], what="caught up")
    assert kube.readiness(app).sources()[INGRESSES].state == "synced"
