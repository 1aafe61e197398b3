"""`python -m startpunkt.testing.kubeapi` as a gunicorn test would run it: a real process."""

from __future__ import annotations

import pathlib
import signal
import subprocess
import sys
import time

import gevent
import kubernetes
import pytest

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
        [sys.executable, "-m", "startpunkt.testing.kubeapi", *argv],
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
