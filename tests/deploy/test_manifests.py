"""The plain manifests (deploy/manifests) and every YAML file under deploy/.

What `kubectl apply -f deploy/crds -f deploy/manifests` would create, checked as data: the
objects, the exact RBAC grants, the pod's probes and shutdown budget, and the configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

import startpunkt
from startpunkt import config

from . import documents

NAMESPACE = "startpunkt"
TEMPLATES = documents.CHART / "templates"
OBJECT_DIRS = [documents.CRDS, documents.MANIFESTS, documents.CHART / "crds"]
CLUSTER_SCOPED = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition"}

# (apiGroup, resource) -> verbs: exactly what SPEC 2.1 reads, plus urlFrom's default allow-list.
GRANTS = {
    ("startpunkt.ullberg.us", "applications"): {"get", "list", "watch"},
    ("startpunkt.ullberg.us", "bookmarks"): {"get", "list", "watch"},
    ("hajimari.io", "applications"): {"get", "list", "watch"},
    ("hajimari.io", "bookmarks"): {"get", "list", "watch"},
    ("networking.k8s.io", "ingresses"): {"get", "list", "watch"},
    ("route.openshift.io", "routes"): {"get", "list", "watch"},
    ("networking.istio.io", "virtualservices"): {"get", "list", "watch"},
    ("gateway.networking.k8s.io", "httproutes"): {"get", "list", "watch"},
    ("traefik.io", "ingressroutes"): {"get", "list", "watch"},
    ("traefik.containo.us", "ingressroutes"): {"get", "list", "watch"},
    ("", "services"): {"get"},
}

# urlFrom.allowedKinds entries -> (apiGroup, resource) they are read through.
URL_FROM_RESOURCES = {
    "Ingress": ("networking.k8s.io", "ingresses"),
    "Route": ("route.openshift.io", "routes"),
    "VirtualService": ("networking.istio.io", "virtualservices"),
    "HTTPRoute": ("gateway.networking.k8s.io", "httproutes"),
    "Service": ("", "services"),
}


def _deploy_yaml_files() -> list[Path]:
    return [p for p in documents.yaml_files(documents.DEPLOY) if TEMPLATES not in p.parents]


def _manifests() -> list[dict[str, Any]]:
    """What `kubectl apply -f deploy/manifests` applies: the top level only, not optional/."""
    return documents.objects_in(documents.MANIFESTS, recursive=False)


def _container() -> dict[str, Any]:
    deployment = documents.the_object(_manifests(), "Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return container


@pytest.mark.parametrize("path", _deploy_yaml_files(), ids=documents.rel)
def test_yaml_file_parses(path: Path) -> None:
    assert documents.load_documents(path), f"{path} has no documents"


@pytest.mark.parametrize(
    "path",
    [p for d in OBJECT_DIRS for p in documents.yaml_files(d)],
    ids=documents.rel,
)
def test_every_object_is_complete(path: Path) -> None:
    for obj in documents.load_documents(path):
        assert isinstance(obj.get("apiVersion"), str) and obj["apiVersion"]
        assert isinstance(obj.get("kind"), str) and obj["kind"]
        assert isinstance(obj.get("metadata", {}).get("name"), str) and obj["metadata"]["name"]
        if obj["kind"] in CLUSTER_SCOPED:
            assert "namespace" not in obj["metadata"]
        else:
            assert obj["metadata"].get("namespace") == NAMESPACE


def test_plain_manifests_are_the_expected_objects() -> None:
    found = sorted((o["kind"], o["metadata"]["name"]) for o in _manifests())
    assert found == [
        ("ClusterRole", "startpunkt"),
        ("ClusterRoleBinding", "startpunkt"),
        ("ConfigMap", "startpunkt-config"),
        ("Deployment", "startpunkt"),
        ("Namespace", "startpunkt"),
        ("Service", "startpunkt"),
        ("ServiceAccount", "startpunkt"),
    ]
    optional = documents.objects_in(documents.MANIFESTS / "optional")
    assert [(o["kind"], o["metadata"]["name"]) for o in optional] == [("Ingress", "startpunkt")]
    crds = documents.objects_in(documents.CRDS)
    assert sorted(c["metadata"]["name"] for c in crds) == [
        "applications.startpunkt.ullberg.us",
        "bookmarks.startpunkt.ullberg.us",
    ]
    assert {c["kind"] for c in crds} == {"CustomResourceDefinition"}


def test_namespace_is_applied_first() -> None:
    """kubectl applies a directory's files in name order; the namespace must exist first."""
    first = sorted(documents.MANIFESTS.glob("*.yaml"))[0]
    assert [o["kind"] for o in documents.load_documents(first)] == ["Namespace"]


def test_no_hajimari_crds_are_shipped() -> None:
    """Hajimari users have Hajimari's CRDs already; shipping them would fight over ownership."""
    for path in _deploy_yaml_files():
        assert "hajimari.io" not in {
            o.get("spec", {}).get("group")
            for o in documents.load_documents(path)
            if o.get("kind") == "CustomResourceDefinition"
        }


def test_cluster_role_grants_exactly_what_is_read() -> None:
    role = documents.the_object(_manifests(), "ClusterRole")
    assert documents.rbac_grants(role) == GRANTS


def test_cluster_role_never_reaches_secrets() -> None:
    role = documents.the_object(_manifests(), "ClusterRole")
    granted = documents.rbac_grants(role)
    assert not any(resource == "secrets" for _, resource in granted)
    assert not any("*" in group or "*" in resource for group, resource in granted)
    assert set().union(*granted.values()) <= {"get", "list", "watch"}


def test_binding_ties_the_role_to_the_pod_identity() -> None:
    manifests = _manifests()
    binding = documents.the_object(manifests, "ClusterRoleBinding")
    account = documents.the_object(manifests, "ServiceAccount")
    deployment = documents.the_object(manifests, "Deployment")
    assert binding["roleRef"] == {
        "apiGroup": "rbac.authorization.k8s.io",
        "kind": "ClusterRole",
        "name": documents.the_object(manifests, "ClusterRole")["metadata"]["name"],
    }
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": account["metadata"]["name"], "namespace": NAMESPACE}
    ]
    pod = deployment["spec"]["template"]["spec"]
    assert pod["serviceAccountName"] == account["metadata"]["name"]


def test_deployment_runs_gunicorn_without_preload() -> None:
    container = _container()
    assert container["command"] == ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]
    assert container["image"] == f"ghcr.io/startpunkt-py/startpunkt:{startpunkt.__version__}"
    everything = yaml.safe_dump(documents.the_object(_manifests(), "Deployment"))
    assert "preload" not in everything


def test_probes_use_the_health_endpoints() -> None:
    container = _container()
    ports = {p["name"]: p["containerPort"] for p in container["ports"]}
    assert ports == {"http": 8080}
    for probe, path in [
        ("startupProbe", "/q/health/started"),
        ("livenessProbe", "/q/health/live"),
        ("readinessProbe", "/q/health/ready"),
    ]:
        check = container[probe]["httpGet"]
        assert check["path"] == path
        assert ports.get(check["port"], check["port"]) == 8080


def test_pod_outlives_gunicorns_graceful_timeout() -> None:
    """gunicorn waits up to 30 s for streams to end; SIGKILL must not come before."""
    pod = documents.the_object(_manifests(), "Deployment")["spec"]["template"]["spec"]
    assert pod["terminationGracePeriodSeconds"] > 30


def test_config_is_mounted_where_startpunkt_config_points() -> None:
    deployment = documents.the_object(_manifests(), "Deployment")
    container = _container()
    env = {e["name"]: e.get("value") for e in container["env"]}
    config_path = Path(env["STARTPUNKT_CONFIG"])
    mounts = {Path(m["mountPath"]): m for m in container["volumeMounts"]}
    mount = mounts[config_path.parent]
    assert "subPath" not in mount, "a subPath mount never sees ConfigMap updates"
    volumes = {v["name"]: v for v in deployment["spec"]["template"]["spec"]["volumes"]}
    config_map_name = volumes[mount["name"]]["configMap"]["name"]
    config_map = documents.the_object(_manifests(), "ConfigMap")
    assert config_map["metadata"]["name"] == config_map_name
    assert config_path.name in config_map["data"]


def test_container_is_locked_down() -> None:
    container = _container()
    context = container["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["readOnlyRootFilesystem"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert "memory" in container["resources"]["limits"]
    # With a read-only root, gunicorn's control socket and heartbeat files need a writable dir.
    env = {e["name"]: e.get("value") for e in container["env"]}
    writable = {m["mountPath"] for m in container["volumeMounts"] if not m.get("readOnly")}
    assert env["HOME"] in writable


def test_service_reaches_the_pods() -> None:
    manifests = _manifests()
    service = documents.the_object(manifests, "Service")
    deployment = documents.the_object(manifests, "Deployment")
    pod_labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items()
    assert deployment["spec"]["selector"]["matchLabels"].items() <= pod_labels.items()
    (port,) = service["spec"]["ports"]
    assert port["port"] == 80
    container_ports = {p["name"]: p["containerPort"] for p in _container()["ports"]}
    assert container_ports.get(port["targetPort"], port["targetPort"]) == 8080


def test_config_map_holds_an_application_yaml_startpunkt_loads() -> None:
    """Loaded by the app's own config loader: an unknown key or wrong type would stop start-up."""
    config_map = documents.the_object(_manifests(), "ConfigMap")
    document = yaml.safe_load(config_map["data"]["application.yaml"])
    assert list(document) == ["startpunkt"]
    settings = config.from_mapping(document, {})
    assert settings.realtime.enabled is True
    assert settings.manifests.enabled is False, "in a cluster, show the cluster"
    assert settings.namespace_selector.any is True, "the ClusterRole is cluster-wide"


def test_url_from_default_kinds_are_readable() -> None:
    """Every kind urlFrom may read by default has `get` in the ClusterRole, and none other."""
    allowed = config.from_mapping({}, {}).url_from.allowed_kinds
    assert set(allowed) <= set(URL_FROM_RESOURCES), "map the new kind, then grant `get` on it"
    granted = documents.rbac_grants(documents.the_object(_manifests(), "ClusterRole"))
    for kind in allowed:
        assert "get" in granted[URL_FROM_RESOURCES[kind]], kind
    assert granted[("", "services")] == {"get"}, "Services are read one at a time, not watched"


def test_optional_ingress_is_ready_for_server_sent_events() -> None:
    (ingress,) = documents.objects_in(documents.MANIFESTS / "optional")
    annotations = ingress["metadata"]["annotations"]
    assert annotations["nginx.ingress.kubernetes.io/proxy-buffering"] == "off"
    assert annotations["nginx.ingress.kubernetes.io/proxy-read-timeout"] == "3600"
    assert annotations["nginx.ingress.kubernetes.io/proxy-send-timeout"] == "3600"
    text = (documents.MANIFESTS / "optional" / "ingress.yaml").read_text(encoding="utf-8")
    assert "# Why the annotations" in text
    service = documents.the_object(_manifests(), "Service")
    (rule,) = ingress["spec"]["rules"]
    backend = rule["http"]["paths"][0]["backend"]["service"]
    assert backend["name"] == service["metadata"]["name"]
    assert backend["port"]["name"] == service["spec"]["ports"][0]["name"]
