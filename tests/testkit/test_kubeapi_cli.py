"""`python -m testkit.kubeapi` as a gunicorn test would run it: a real process."""

from __future__ import annotations

import json
import pathlib
import signal
import subprocess
import sys
import time
import urllib.request

import gevent
import kubernetes
import pytest
import urllib3
import yaml

ROOT = pathlib.Path(__file__).parents[2]

MANIFESTS = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  scope: Cluster
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  versions:
    - {name: v1beta1, served: true, storage: false}
    - {name: v1, served: true, storage: true}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: gear}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: not-served}
"""


@pytest.fixture
def cli(tmp_path: pathlib.Path):
    """The server process (no default types, only the loaded CRD) and its kubeconfig."""
    (tmp_path / "manifests").mkdir()
    (tmp_path / "manifests" / "widgets.yaml").write_text(MANIFESTS)
    kubeconfig = tmp_path / "kubeconfig"
    argv = ["--port", "0", "--kubeconfig", str(kubeconfig), "--no-defaults", "--token", "t"]
    argv += ["--load", str(tmp_path / "manifests")]
    process = subprocess.Popen(
        [sys.executable, "-m", "testkit.kubeapi", *argv],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 30
    while not kubeconfig.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, "the server did not start in 30 s"
        gevent.sleep(0.05)
    yield process, kubeconfig
    if process.poll() is None:
        process.kill()
    process.communicate(timeout=10)


def test_cli_serves_loaded_manifests_and_stops_on_sigterm(cli):
    process, kubeconfig = cli
    configuration = kubernetes.client.Configuration()
    kubernetes.config.load_kube_config(str(kubeconfig), client_configuration=configuration)
    with kubernetes.client.ApiClient(configuration) as client:
        custom = kubernetes.client.CustomObjectsApi(client)
        widgets = custom.list_cluster_custom_object("example.com", "v1beta1", "widgets")
        groups = kubernetes.client.ApisApi(client).get_api_versions().groups

    process.send_signal(signal.SIGTERM)
    stdout, stderr = process.communicate(timeout=10)

    assert [w["metadata"]["name"] for w in widgets["items"]] == ["gear"]
    assert [g.name for g in groups] == ["example.com"]
    assert groups[0].preferred_version.version == "v1"
    assert process.returncode == 0
    assert stdout.startswith("listening on http://127.0.0.1:")
    assert "skipped Deployment" in stderr


def control(kubeconfig: pathlib.Path, method: str, action: str) -> dict:
    config = yaml.safe_load(kubeconfig.read_text())
    request = urllib.request.Request(
        f"{config['clusters'][0]['cluster']['server']}/_kubeapi/{action}",
        method=method,
        headers={"Authorization": f"Bearer {config['users'][0]['user']['token']}"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        return json.load(response)


def test_cli_control_endpoints_compact_and_drop_watches(cli):
    _, kubeconfig = cli
    configuration = kubernetes.client.Configuration()
    kubernetes.config.load_kube_config(str(kubeconfig), client_configuration=configuration)
    client = kubernetes.client.ApiClient(configuration)
    custom = kubernetes.client.CustomObjectsApi(client)
    where = ("example.com", "v1", "widgets")

    def watch(**options) -> list[dict]:
        stream = kubernetes.watch.Watch().stream(
            custom.list_cluster_custom_object, *where, _request_timeout=(2, 15), **options
        )
        return list(stream)

    def watch_until_dropped() -> type[BaseException] | None:
        try:
            watch(timeout_seconds=10)
        except urllib3.exceptions.ProtocolError as error:
            return type(error)
        return None

    with client:
        custom.create_cluster_custom_object(*where, {"kind": "Widget", "metadata": {"name": "b"}})
        compacted = control(kubeconfig, "POST", "compact")
        with pytest.raises(kubernetes.client.ApiException) as expired:
            watch(resource_version="1", timeout_seconds=5)
        reader = gevent.spawn(watch_until_dropped)
        deadline = time.monotonic() + 10
        while control(kubeconfig, "GET", "state")["openWatches"] < 1:
            assert time.monotonic() < deadline, "the watch never opened"
            gevent.sleep(0.05)
        dropped = control(kubeconfig, "POST", "drop-watches")
        outcome = reader.get(timeout=10)
        state = control(kubeconfig, "GET", "state")

    assert compacted == {"compactedTo": 2}
    assert expired.value.status == 410
    assert dropped == {"dropped": 1}
    assert outcome is urllib3.exceptions.ProtocolError
    assert state["requests"]["watch"] == 2 and state["openWatches"] == 0
