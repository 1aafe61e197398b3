"""List, get, create/replace/delete of objects, seen through the real kubernetes client."""

from __future__ import annotations

import socket

import kubernetes
import pytest

from testkit.kubeapi import KubeApiServer

GROUP = "startpunkt.ullberg.us"


def test_list_carries_kind_and_one_global_resource_version(kubeapi, networking, custom, ingress):
    kubeapi.apply(ingress("web", "apps"))
    app = kubeapi.apply(
        {
            "apiVersion": f"{GROUP}/v1alpha4",
            "kind": "Application",
            "metadata": {"name": "wiki", "namespace": "apps"},
            "spec": {"name": "Wiki"},
        }
    )

    ingresses = networking.list_ingress_for_all_namespaces()
    applications = custom.list_cluster_custom_object(GROUP, "v1alpha4", "applications")

    assert app["metadata"]["resourceVersion"] == "2"
    assert ingresses.metadata.resource_version == "2" == str(kubeapi.resource_version)
    assert [i.metadata.name for i in ingresses.items] == ["web"]
    assert ingresses.items[0].metadata.resource_version == "1"
    assert applications["kind"] == "ApplicationList"
    assert applications["apiVersion"] == f"{GROUP}/v1alpha4"
    assert applications["metadata"]["resourceVersion"] == "2"
    assert applications["items"][0]["kind"] == "Application"  # CRD list items keep their kind


def test_apply_stamps_metadata_and_replace_keeps_identity(kubeapi, ingress):
    created = kubeapi.apply(ingress("web"))
    same_spec = kubeapi.apply(ingress("web"))
    new_spec = kubeapi.apply(ingress("web", host="b.example"))

    meta = created["metadata"]
    assert meta["uid"] and meta["creationTimestamp"].endswith("Z") and meta["generation"] == 1
    assert same_spec["metadata"]["uid"] == meta["uid"]
    assert same_spec["metadata"]["generation"] == 1
    assert new_spec["metadata"]["generation"] == 2
    assert new_spec["metadata"]["resourceVersion"] == "3"


def test_namespaced_list_and_get(kubeapi, networking, ingress):
    kubeapi.apply(ingress("a", "one"))
    kubeapi.apply(ingress("b", "two"))

    in_two = networking.list_namespaced_ingress("two")
    got = networking.read_namespaced_ingress("a", "one")

    assert [i.metadata.name for i in in_two.items] == ["b"]
    assert got.kind == "Ingress" and got.spec.rules[0].host == "a.example"


def test_missing_object_is_404_with_a_status_body(kubeapi, networking):
    with pytest.raises(kubernetes.client.ApiException) as raised:
        networking.read_namespaced_ingress("nope", "default")

    assert raised.value.status == 404
    body = kubernetes.client.ApiClient().deserialize(raised.value.body, "V1Status", None)
    assert (body.kind, body.reason, body.code) == ("Status", "NotFound", 404)
    assert body.details.name == "nope"


def test_versions_of_a_crd_share_objects(kubeapi, custom, application):
    kubeapi.apply(application("wiki", version="v1alpha4"))

    old = custom.get_namespaced_custom_object(GROUP, "v1alpha1", "default", "applications", "wiki")

    assert old["apiVersion"] == f"{GROUP}/v1alpha1"
    assert old["spec"]["name"] == "Wiki"


def test_core_and_cluster_scoped_resources(kubeapi, client):
    core = kubernetes.client.CoreV1Api(client)
    kubeapi.apply({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "apps"}})
    kubeapi.apply(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "web", "namespace": "apps"},
            "spec": {"ports": [{"port": 80}]},
        }
    )

    assert [n.metadata.name for n in core.list_namespace().items] == ["apps"]
    assert core.read_namespace("apps").metadata.namespace is None
    assert core.read_namespaced_service("web", "apps").spec.ports[0].port == 80


def test_writes_over_http_go_through_the_same_store(kubeapi: KubeApiServer, custom, application):
    body = application("wiki")
    where = (GROUP, "v1alpha4", "default", "applications")

    created = custom.create_namespaced_custom_object(*where, body)
    with pytest.raises(kubernetes.client.ApiException) as conflict:
        custom.create_namespaced_custom_object(*where, body)
    body["spec"]["name"] = "Renamed"
    custom.replace_namespaced_custom_object(*where, "wiki", body)
    renamed = kubeapi.get(f"{GROUP}/v1alpha4", "Application", "default", "wiki")
    custom.delete_namespaced_custom_object(*where, "wiki")

    assert created["metadata"]["resourceVersion"] == "1"
    assert conflict.value.status == 409
    assert renamed is not None and renamed["spec"]["name"] == "Renamed"
    assert kubeapi.get(f"{GROUP}/v1alpha4", "applications", "default", "wiki") is None
    assert kubeapi.count("create", "applications") == 2


def test_python_api_errors_name_the_problem(kubeapi, ingress):
    with pytest.raises(KeyError, match="not registered"):
        kubeapi.apply({"apiVersion": "example.com/v1", "kind": "Thing", "metadata": {"name": "x"}})
    with pytest.raises(ValueError, match=r"metadata\.name"):
        kubeapi.apply({"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {}})
    with pytest.raises(KeyError, match="not found"):
        kubeapi.delete("networking.k8s.io/v1", "ingresses", "default", "nope")


def test_selectors_are_refused_rather_than_ignored(kubeapi, networking):
    with pytest.raises(kubernetes.client.ApiException) as raised:
        networking.list_ingress_for_all_namespaces(label_selector="app=web")

    assert raised.value.status == 400
    assert "selectors are not supported" in raised.value.body


def test_malformed_request_gets_400_and_the_connection_closes(kubeapi):
    with socket.create_connection(("127.0.0.1", kubeapi.port), timeout=3) as sock:
        sock.sendall(b"NONSENSE\r\n\r\n")
        answer = b""
        while data := sock.recv(65536):
            answer += data

    assert answer.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b'"reason":"BadRequest"' in answer
