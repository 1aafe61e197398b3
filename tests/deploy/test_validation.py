"""Every plain manifest and every rendered chart combination passes the Kubernetes schemas.

`validation.validate` is what an API server would check (kubernetes-validate, strict, for two
Kubernetes versions); the last tests break objects on purpose to show the check can fail.
"""

from __future__ import annotations

from typing import Any

import pytest

from . import chart, documents, validation
from .validation import VERSIONS, Invalid

Doc = dict[str, Any]


COMBINATIONS: dict[str, dict[str, Any]] = {
    "defaults": {},
    "everything on": {
        "replicaCount": 3,
        "image__digest": "sha256:" + "ab" * 32,
        "imagePullSecrets": [{"name": "registry"}],
        "extraEnv": [{"name": "STARTPUNKT_LOG_FORMAT", "value": "json"}],
        "ingress__enabled": True,
        "ingress__tls": [{"secretName": "startpunkt-tls", "hosts": ["startpunkt.example.com"]}],
        "serviceMonitor__enabled": True,
        "serviceMonitor__labels": {"release": "prometheus"},
        "networkPolicy__enabled": True,
        "networkPolicy__from": [
            {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress"}}}
        ],
        "networkPolicy__egress": [
            {"to": [{"ipBlock": {"cidr": "10.0.0.1/32"}}], "ports": [{"port": 6443}]}
        ],
        "route__enabled": True,
        "route__host": "start.apps.example.com",
        "nodeSelector": {"kubernetes.io/arch": "arm64"},
        "tolerations": [{"key": "homelab", "operator": "Exists", "effect": "NoSchedule"}],
    },
    "namespaced": {
        "config__startpunkt__namespaceSelector": {"any": False, "matchNames": ["media", "home"]},
    },
    "no rbac, no account, two replicas, no budget": {
        "rbac__create": False,
        "serviceAccount__create": False,
        "replicaCount": 2,
        "podDisruptionBudget__enabled": False,
    },
    "plain route without tls": {"route__enabled": True, "route__tls": None},
    "network policy without egress rules": {"networkPolicy__enabled": True},
}


def _objects(combination: str) -> list[Doc]:
    values = chart.values(**COMBINATIONS[combination])
    release = {"namespaced": ("home", "tools")}.get(combination, ("startpunkt", "startpunkt"))
    return chart.render(values, release=release[0], namespace=release[1])


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("combination", COMBINATIONS)
def test_every_rendered_object_is_valid(combination: str, version: str) -> None:
    objects = _objects(combination)
    assert objects
    for obj in objects:
        validation.validate(obj, version)


def test_the_combinations_render_every_optional_part() -> None:
    kinds = {o["kind"] for c in COMBINATIONS for o in _objects(c)}
    assert kinds == {
        "ServiceAccount",
        "ClusterRole",
        "ClusterRoleBinding",
        "Role",
        "RoleBinding",
        "ConfigMap",
        "Deployment",
        "Service",
        "Ingress",
        "PodDisruptionBudget",
        "ServiceMonitor",
        "NetworkPolicy",
        "Route",
    }


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    "path",
    [p for d in (documents.MANIFESTS, documents.CRDS) for p in documents.yaml_files(d)],
    ids=documents.rel,
)
def test_every_plain_manifest_is_valid(path: Any, version: str) -> None:
    for obj in documents.load_documents(path):
        validation.validate(obj, version)


def _deployment() -> Doc:
    return documents.the_object(chart.render(chart.values()), "Deployment")


def _break_replicas(d: Doc) -> None:
    d["spec"]["replicas"] = "three"


def _misspell_a_field(d: Doc) -> None:
    container = d["spec"]["template"]["spec"]["containers"][0]
    container["imagePullPolcy"] = container.pop("imagePullPolicy")


def _drop_the_container_name(d: Doc) -> None:
    del d["spec"]["template"]["spec"]["containers"][0]["name"]


def _bad_probe_port(d: Doc) -> None:
    d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]["httpGet"]["port"] = [8080]


@pytest.mark.parametrize(
    "breaking",
    [_break_replicas, _misspell_a_field, _drop_the_container_name, _bad_probe_port],
)
@pytest.mark.parametrize("version", VERSIONS)
def test_a_broken_manifest_fails(breaking: Any, version: str) -> None:
    deployment = _deployment()
    validation.validate(deployment, version)
    breaking(deployment)
    with pytest.raises(Invalid, match=r"Deployment/startpunkt \(Kubernetes 1\.\d+\): "):
        validation.validate(deployment, version)


def test_a_broken_custom_resource_fails() -> None:
    values = chart.values(serviceMonitor__enabled=True, route__enabled=True)
    objects = chart.render(values)
    monitor = documents.the_object(objects, "ServiceMonitor")
    monitor["spec"]["endpoints"][0]["interval"] = "every minute"
    with pytest.raises(Invalid, match=r"ServiceMonitor/startpunkt: spec\.endpoints\.0\.interval"):
        validation.validate(monitor, VERSIONS[0])
    route = documents.the_object(objects, "Route")
    route["spec"]["tls"]["termination"] = "none"
    with pytest.raises(Invalid, match=r"Route/startpunkt: spec\.tls\.termination"):
        validation.validate(route, VERSIONS[0])


def test_a_kind_without_any_schema_is_not_waved_through() -> None:
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    with pytest.raises(Invalid, match="no schema"):
        validation.validate(unknown, VERSIONS[0])


def test_the_oldest_version_checked_is_the_charts_floor() -> None:
    chart = documents.load_one(documents.CHART / "Chart.yaml")
    assert chart["kubeVersion"] == f">={VERSIONS[0]}.0-0"
