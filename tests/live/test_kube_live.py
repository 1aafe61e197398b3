"""The real server (gunicorn, gevent worker) pointed at a cluster by environment variables alone.

As an operator would run it outside the cluster: `STARTPUNKT_KUBERNETES_ENABLED=true
STARTPUNKT_KUBERNETES_KUBECONFIG=... gunicorn -c gunicorn.conf.py app:app`. The cluster is the
test API server, running in this (gevent-patched) test process; gunicorn reaches it over TCP
with the real kubernetes client.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from startpunkt.testing.kubeapi import KubeApiServer
from startpunkt.testing.live import Server

APPEAR_DEADLINE = 5.0
"""An applied Ingress must be listed within a few seconds (about 50 ms on an idle machine)."""


def ingress(name: str, title: str) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": "media",
            "annotations": {
                "startpunkt.ullberg.us/enable": "true",
                "startpunkt.ullberg.us/appName": title,
                "startpunkt.ullberg.us/group": "Media",
            },
        },
        "spec": {
            "tls": [{"hosts": [f"{name}.home.arpa"]}],
            "rules": [{"host": f"{name}.home.arpa"}],
        },
    }


def get(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def apps(server: Server) -> dict[str, str | None]:
    status, body = get(server.url + "/api/apps")
    assert status == 200, status
    return {a["name"]: a.get("url") for g in body["groups"] for a in g["applications"]}


def within(seconds: float, condition: Callable[[], object]) -> float:
    """Poll `condition` every 20 ms; the time it took, or fail after `seconds`."""
    start = time.monotonic()
    while not condition():
        if time.monotonic() - start > seconds:
            pytest.fail(f"not within {seconds}s")
        time.sleep(0.02)
    return time.monotonic() - start


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
    within(10.0, lambda: get(running.url + "/q/health/ready")[0] == 200)
    status, health = get(running.url + "/q/health/ready")
    assert status == 200 and health["status"] == "UP"
    sources = {c["name"]: c for c in health["checks"]}
    assert sources["source kube:ingresses.networking.k8s.io"]["data"] == {
        "state": "synced",
        "objects": 1,
    }
    assert not any(name.startswith("source files:") for name in sources)  # the cluster only
    assert apps(running) == {"Plex": "https://plex.home.arpa"}

    cluster.apply(ingress("jellyfin", "Jellyfin"))
    within(APPEAR_DEADLINE, lambda: "Jellyfin" in apps(running))
    cluster.delete("networking.k8s.io/v1", "ingresses", "media", "plex")
    within(APPEAR_DEADLINE, lambda: apps(running) == {"Jellyfin": "https://jellyfin.home.arpa"})
    assert get(running.url + "/q/health/ready")[0] == 200
