"""Discovery documents and /version follow what is registered, also when it changes."""

from __future__ import annotations

import kubernetes
import pytest
import urllib3

ISTIO = ("networking.istio.io", "v1", "virtualservices")


def test_core_discovery_lists_core_resources(client):
    core = kubernetes.client.CoreApi(client).get_api_versions()
    resources = kubernetes.client.CoreV1Api(client).get_api_resources()

    assert core.versions == ["v1"]
    assert resources.group_version == "v1"
    by_name = {r.name: r for r in resources.resources}
    assert set(by_name) == {"namespaces", "services", "configmaps", "secrets"}
    assert by_name["namespaces"].namespaced is False
    assert by_name["services"].kind == "Service"
    assert by_name["services"].singular_name == "service"
    assert {"get", "list", "watch"} <= set(by_name["services"].verbs)


def test_group_list_prefers_the_highest_version(client):
    groups = {g.name: g for g in kubernetes.client.ApisApi(client).get_api_versions().groups}

    startpunkt = groups["startpunkt.ullberg.us"]
    assert startpunkt.preferred_version.version == "v1alpha4"
    versions = [v.version for v in startpunkt.versions]
    assert versions == ["v1alpha4", "v1alpha3", "v1alpha2", "v1alpha1"]
    assert {"networking.k8s.io", "route.openshift.io", "networking.istio.io"} <= set(groups)
    assert {"gateway.networking.k8s.io", "hajimari.io"} <= set(groups)


def test_group_version_resources(custom):
    resources = custom.get_api_resources("hajimari.io", "v1alpha1").resources

    assert sorted((r.name, r.kind, r.namespaced) for r in resources) == [
        ("applications", "Application", True),
        ("bookmarks", "Bookmark", True),
    ]


def test_version(client):
    info = kubernetes.client.VersionApi(client).get_code()

    assert (info.major, info.minor) == ("1", "34")
    assert info.git_version.startswith("v1.34.")


def test_a_type_registered_later_appears_in_discovery_and_serves(kubeapi, custom):
    kubeapi.unregister(*ISTIO)
    with pytest.raises(kubernetes.client.ApiException) as before:
        custom.list_cluster_custom_object(*ISTIO)
    with pytest.raises(kubernetes.client.ApiException) as discovery_before:
        custom.get_api_resources("networking.istio.io", "v1")

    kubeapi.register("networking.istio.io", "v1", "virtualservices", "VirtualService")
    after = custom.list_cluster_custom_object(*ISTIO)
    resources = custom.get_api_resources("networking.istio.io", "v1").resources

    assert before.value.status == 404 and '"reason":"NotFound"' in before.value.body
    assert kubeapi.count("list", "virtualservices.networking.istio.io") == 2  # 404 counted too
    assert discovery_before.value.status == 404
    assert after["kind"] == "VirtualServiceList" and after["items"] == []
    assert [(r.name, r.kind) for r in resources] == [("virtualservices", "VirtualService")]


def test_unregistering_the_last_version_forgets_its_objects(kubeapi, custom):
    kubeapi.apply(
        {"apiVersion": "hajimari.io/v1alpha1", "kind": "Bookmark", "metadata": {"name": "b"}}
    )

    kubeapi.unregister("hajimari.io", "v1alpha1", "bookmarks")
    kubeapi.register("hajimari.io", "v1alpha1", "bookmarks", "Bookmark")

    assert custom.list_cluster_custom_object("hajimari.io", "v1alpha1", "bookmarks")["items"] == []


def test_cluster_scoped_registration(kubeapi, custom):
    kubeapi.register("example.com", "v1", "widgets", "Widget", namespaced=False)
    kubeapi.apply({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})

    widget = custom.get_cluster_custom_object("example.com", "v1", "widgets", "w")
    resources = custom.get_api_resources("example.com", "v1").resources

    assert "namespace" not in widget["metadata"]
    assert resources[0].namespaced is False


def test_unregistering_cuts_watches_of_that_type(kubeapi, custom, once_watching):
    once_watching(kubeapi, lambda: kubeapi.unregister(*ISTIO))

    with pytest.raises(urllib3.exceptions.ProtocolError):
        for _ in kubernetes.watch.Watch().stream(
            custom.list_cluster_custom_object, *ISTIO, timeout_seconds=5, _request_timeout=(2, 9)
        ):
            pytest.fail("no virtualservice exists")

    assert kubeapi.open_watches() == 0
