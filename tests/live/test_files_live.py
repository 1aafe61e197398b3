"""The real server (gunicorn, gevent worker) serves a manifest directory and follows its edits.

As a user would run it: `STARTPUNKT_MANIFESTS_DIRECTORY=... STARTPUNKT_KUBERNETES_ENABLED=false
gunicorn -c gunicorn.conf.py app:app`. Edits must reach `/api/apps` within about a second; the
deadline leaves headroom for a busy CI machine.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from testkit import wait
from testkit.live import Server, apps, get_json, ingress_yaml

EDIT_DEADLINE = 2.0


@pytest.fixture
def server(serve: Callable[..., Server], manifests: Path) -> tuple[Server, Path]:
    return serve(), manifests


def test_edits_reach_the_api_within_two_seconds(server):
    running, manifests = server
    wait.wait_for(lambda: get_json(running.url + "/q/health/ready")[0] == 200, timeout=10.0)
    assert f"files:{manifests}" in json.dumps(get_json(running.url + "/q/health/ready")[1])
    assert apps(running) == {"Plex": "https://plex.home.arpa"}
    (manifests / "jellyfin.yaml").write_text(ingress_yaml("jellyfin", "Jellyfin"))
    wait.wait_for(lambda: "Jellyfin" in apps(running), timeout=EDIT_DEADLINE)
    (manifests / "plex.yaml").write_text(ingress_yaml("plex", "Plex Media Server"))
    wait.wait_for(lambda: "Plex Media Server" in apps(running), timeout=EDIT_DEADLINE)
    (manifests / "jellyfin.yaml").unlink()
    wait.wait_for(
        lambda: apps(running) == {"Plex Media Server": "https://plex.home.arpa"},
        timeout=EDIT_DEADLINE,
    )


def test_a_broken_edit_keeps_serving_the_last_good_state(server):
    running, manifests = server
    wait.wait_for(lambda: "Plex" in apps(running), timeout=10.0)
    (manifests / "plex.yaml").write_text("apiVersion: v1\nkind: [broken\n")
    (manifests / "marker.yaml").write_text(ingress_yaml("marker", "Marker"))
    # The marker shows that the broken edit was processed too.
    wait.wait_for(lambda: "Marker" in apps(running), timeout=EDIT_DEADLINE)
    assert "Plex" in apps(running)
