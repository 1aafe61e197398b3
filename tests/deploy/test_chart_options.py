"""The chart's optional parts, namespaced RBAC, image reference and values schema."""

from __future__ import annotations

import json
import re
from typing import Any

import jsonschema
import pytest
import yaml

import startpunkt
from testkit.live import ROOT

from . import chart, documents

Doc = dict[str, Any]


def _kinds(objects: list[Doc]) -> set[str]:
    return {o["kind"] for o in objects}


def _container(objects: list[Doc]) -> Doc:
    (container,) = documents.the_object(objects, "Deployment")["spec"]["template"]["spec"][
        "containers"
    ]
    return container


def test_one_version_everywhere():
    """The package, the chart's appVersion, the image label and the plain manifests agree."""
    chart = documents.load_one(documents.CHART / "Chart.yaml")
    assert chart["appVersion"] == startpunkt.__version__
    containerfile = (ROOT / "Containerfile").read_text()
    assert f"ARG VERSION={startpunkt.__version__}\n" in containerfile
    plain = documents.objects_in(documents.MANIFESTS, recursive=False)
    assert _container(plain)["image"].endswith(f":{startpunkt.__version__}")


def test_the_image_defaults_to_the_app_version_and_can_be_pinned():
    assert _container(chart.render(chart.values()))["image"] == (
        f"ghcr.io/startpunkt-py/startpunkt:{startpunkt.__version__}"
    )
    tagged = chart.render(chart.values(image__tag="0.2.0-rc1"))
    assert _container(tagged)["image"] == "ghcr.io/startpunkt-py/startpunkt:0.2.0-rc1"
    digest = "sha256:" + "0f" * 32
    pinned = chart.render(chart.values(image__tag="0.2.0", image__digest=digest))
    assert _container(pinned)["image"] == f"ghcr.io/startpunkt-py/startpunkt@{digest}"


def test_a_disruption_budget_only_with_more_than_one_replica():
    assert "PodDisruptionBudget" not in _kinds(chart.render(chart.values()))
    objects = chart.render(chart.values(replicaCount=3))
    budget = documents.the_object(objects, "PodDisruptionBudget")
    pods = documents.the_object(objects, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert budget["spec"]["selector"]["matchLabels"].items() <= pods.items()
    assert budget["spec"]["maxUnavailable"] == 1
    off = chart.render(chart.values(replicaCount=3, podDisruptionBudget__enabled=False))
    assert "PodDisruptionBudget" not in _kinds(off)


def test_the_service_monitor_scrapes_the_metrics_through_the_service():
    objects = chart.render(
        chart.values(serviceMonitor__enabled=True, serviceMonitor__labels={"a": "b"})
    )
    monitor = documents.the_object(objects, "ServiceMonitor")
    service = documents.the_object(objects, "Service")
    assert (
        monitor["spec"]["selector"]["matchLabels"].items() <= service["metadata"]["labels"].items()
    )
    (endpoint,) = monitor["spec"]["endpoints"]
    assert endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}
    assert endpoint["path"] == "/q/metrics"
    assert monitor["metadata"]["labels"]["a"] == "b"
    assert "ServiceMonitor" not in _kinds(chart.render(chart.values()))


def test_the_network_policy_admits_the_listed_peers_and_adds_dns_to_egress():
    peers = [{"podSelector": {"matchLabels": {"app": "proxy"}}}]
    egress = [{"to": [{"ipBlock": {"cidr": "10.0.0.1/32"}}], "ports": [{"port": 6443}]}]
    objects = chart.render(
        chart.values(
            networkPolicy__enabled=True, networkPolicy__from=peers, networkPolicy__egress=egress
        )
    )
    policy = documents.the_object(objects, "NetworkPolicy")["spec"]
    pods = documents.the_object(objects, "Deployment")["spec"]["template"]["metadata"]["labels"]
    assert policy["podSelector"]["matchLabels"].items() <= pods.items()
    assert policy["policyTypes"] == ["Ingress", "Egress"]
    (rule,) = policy["ingress"]
    assert rule["from"] == peers and rule["ports"] == [{"port": "http", "protocol": "TCP"}]
    dns, *rest = policy["egress"]
    assert {p["port"] for p in dns["ports"]} == {53} and rest == egress
    open_egress = documents.the_object(
        chart.render(chart.values(networkPolicy__enabled=True)), "NetworkPolicy"
    )["spec"]
    assert open_egress["policyTypes"] == ["Ingress"] and "from" not in open_egress["ingress"][0]


def test_the_openshift_route_keeps_event_streams_open():
    objects = chart.render(chart.values(route__enabled=True, route__host="start.apps.example.com"))
    route = documents.the_object(objects, "Route")
    service = documents.the_object(objects, "Service")
    assert route["spec"]["to"] == {
        "kind": "Service",
        "name": service["metadata"]["name"],
        "weight": 100,
    }
    assert route["spec"]["port"]["targetPort"] == service["spec"]["ports"][0]["name"]
    assert route["spec"]["host"] == "start.apps.example.com"
    assert route["metadata"]["annotations"]["haproxy.router.openshift.io/timeout"] == "1h"
    assert route["spec"]["tls"]["termination"] == "edge"


def _namespaced(**more: Any) -> list[Doc]:
    selector = {"any": False, "matchNames": ["media", "home"]}
    values = chart.values(config__startpunkt__namespaceSelector=selector, **more)
    return chart.render(values, release="start", namespace="tools")


def test_match_names_grant_a_role_in_each_namespace_and_nothing_cluster_wide():
    objects = _namespaced()
    assert not _kinds(objects) & {"ClusterRole", "ClusterRoleBinding"}
    roles = [o for o in objects if o["kind"] == "Role"]
    bindings = [o for o in objects if o["kind"] == "RoleBinding"]
    assert sorted(r["metadata"]["namespace"] for r in roles) == ["home", "media"]
    plain_role = documents.the_object(
        documents.objects_in(documents.MANIFESTS, recursive=False), "ClusterRole"
    )
    for role in roles:
        assert documents.rbac_grants(role) == documents.rbac_grants(plain_role)
    account = documents.the_object(objects, "ServiceAccount")["metadata"]
    for binding in bindings:
        assert binding["roleRef"] == {
            "apiGroup": "rbac.authorization.k8s.io",
            "kind": "Role",
            "name": "start-startpunkt",
        }
        assert binding["subjects"] == [
            {"kind": "ServiceAccount", "name": account["name"], "namespace": "tools"}
        ]
    config = yaml.safe_load(documents.the_object(objects, "ConfigMap")["data"]["application.yaml"])
    assert config["startpunkt"]["namespaceSelector"]["matchNames"] == ["media", "home"]


def test_match_names_without_any_false_still_read_every_namespace():
    """startpunkt ignores matchNames while `any` is true (its default): it needs the ClusterRole."""
    selector = {"matchNames": ["media"]}
    objects = chart.render(chart.values(config__startpunkt__namespaceSelector=selector))
    assert {"ClusterRole", "ClusterRoleBinding"} <= _kinds(objects)
    assert not _kinds(objects) & {"Role", "RoleBinding"}


def test_no_rbac_at_all_when_switched_off():
    assert not _kinds(_namespaced(rbac__create=False)) & {"Role", "RoleBinding", "ClusterRole"}


def _schema() -> Doc:
    return json.loads((documents.CHART / "values.schema.json").read_text())


def test_the_values_schema_is_a_valid_draft_7_schema_and_admits_the_defaults():
    jsonschema.Draft7Validator.check_schema(_schema())
    jsonschema.Draft7Validator(_schema()).validate(chart.values())


def test_every_value_in_values_yaml_is_described_by_the_schema():
    properties = _schema()["properties"]
    assert set(chart.values()) <= set(properties)


@pytest.mark.parametrize(
    ("changes", "complaint"),
    [
        ({"replicaCount": "two"}, "is not of type 'integer'"),
        ({"replicas": 2}, "Additional properties are not allowed"),
        ({"image__pullPolicy": "Sometimes"}, "is not one of"),
        ({"image__digest": "latest"}, "does not match"),
        ({"terminationGracePeriodSeconds": 10}, "is less than the minimum of 31"),
        ({"serviceMonitor__interval": "soon"}, "does not match"),
        ({"route__tls": {"termination": "none"}}, "is not valid under any of the given schemas"),
        ({"ingress__hosts": [{"host": "a.example.com"}]}, "'paths' is a required property"),
        ({"config__startpunkt__namespaceSelector": {"any": False}}, "'matchNames' is a required"),
        (
            {"config__startpunkt__namespaceSelector": {"any": False, "matchNames": []}},
            "should be non-empty",
        ),
    ],
)
def test_the_schema_refuses_broken_values(changes: dict[str, Any], complaint: str):
    errors = list(jsonschema.Draft7Validator(_schema()).iter_errors(chart.values(**changes)))
    assert errors, "accepted"
    assert any(re.search(re.escape(complaint), e.message) for e in errors), [
        e.message for e in errors
    ]
