"""The real server (gunicorn, gevent worker) pointed at a cluster by environment variables alone.

As an operator would run it outside the cluster: `STARTPUNKT_KUBERNETES_ENABLED=true
STARTPUNKT_KUBERNETES_KUBECONFIG=... gunicorn -c gunicorn.conf.py app:app`. The cluster is the
test API server, running in this (gevent-patched) test process; gunicorn reaches it over TCP
with the real kubernetes client.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from testkit import wait
from testkit.kubeapi import KubeApiServer
from testkit.live import Server, apps, get_json, ingress

APPEAR_DEADLINE = 5.0
"""An applied Ingress must be listed within a few seconds (about 50 ms on an idle machine)."""


@pytest.fixture
def cluster() -> Iterator[KubeApiServer]:
    server = KubeApiServer(bookmark_interval=1.0).start()
    server.apply(ingress("plex", "Plex"))
    yield server
    server.stop()


@pytest.fixture
def running(cluster: KubeApiServer, tmp_path: Path) -> Iterator[Server]:
    env = {
        "STARTPUNKT_KUBERNETES_ENABLED": "true",
        "STARTPUNKT_KUBERNETES_KUBECONFIG": str(cluster.kubeconfig(tmp_path / "kubeconfig")),
        "STARTPUNKT_AVAILABILITY_ENABLED": "false",
        "STARTPUNKT_CONFIG": "",
    }
    with Server(env, log_path=tmp_path / "server.log") as server:
        yield server


def test_an_applied_ingress_appears_and_the_server_is_ready(cluster, running):
    wait.wait_for(lambda: get_json(running.url + "/q/health/ready")[0] == 200, timeout=10.0)
    status, health = get_json(running.url + "/q/health/ready")
    assert status == 200 and health["status"] == "UP"
    sources = {c["name"]: c for c in health["checks"]}
    assert sources["source kube:ingresses.networking.k8s.io"]["data"] == {
        "state": "synced",
        "objects": 1,
    }
    assert not any(name.startswith("source files:") for name in sources)  # the cluster only
    assert apps(running) == {"Plex": "https://plex.home.arpa"}

    cluster.apply(ingress("jellyfin", "Jellyfin"))
    wait.wait_for(lambda: "Jellyfin" in apps(running), timeout=APPEAR_DEADLINE)
    cluster.delete("networking.k8s.io/v1", "ingresses", "media", "plex")
    wait.wait_for(
        lambda: apps(running) == {"Jellyfin": "https://jellyfin.home.arpa"}, timeout=APPEAR_DEADLINE
    )
    assert get_json(running.url + "/q/health/ready")[0] == 200
