"""Kinds whose API the cluster does not serve: reported absent, looked for again, read when there.

Installing Istio (or any CRD) after startpunkt started makes its objects appear without a
restart; a CRD that serves only an older version is read in that version.
"""

from __future__ import annotations

from testkit.kubeapi import DEFAULT_TYPES, KubeApiServer

VIRTUALSERVICES = "kube:virtualservices.networking.istio.io"


def vs(name: str, *, version: str = "v1") -> dict:
    return {
        "apiVersion": f"networking.istio.io/{version}",
        "kind": "VirtualService",
        "metadata": {
            "name": name,
            "namespace": "mesh",
            "annotations": {"startpunkt.ullberg.us/enable": "true"},
        },
        "spec": {"hosts": [f"{name}.mesh.example.com"]},
    }


def without(group: str, *, keep_versions: tuple[str, ...] = ()) -> list:
    return [t for t in DEFAULT_TYPES if t.group != group or t.version in keep_versions]


def test_a_crd_installed_later_is_picked_up(start_app, kube):
    server = KubeApiServer(types=without("networking.istio.io"), bookmark_interval=0.2).start()
    try:
        app = start_app(server=server)
        client = app.test_client()
        status = kube.readiness(app).sources()[VIRTUALSERVICES]
        assert status.state == "absent"
        assert "virtualservices.networking.istio.io is not served" in status.last_error
        ready = client.get("/q/health/ready")
        assert ready.status_code == 200  # an absent kind does not hold readiness back
        kube.wait_for(
            lambda: server.count("discovery", "/apis/networking.istio.io") >= 3,
            what="slow retries",
        )

        server.register("networking.istio.io", "v1", "virtualservices", "VirtualService")
        server.apply(vs("kiali"))

        kube.wait_for(
            lambda: kube.names(kube.catalog(app)) == ["kiali"],
            timeout=2.0,
            what="the VirtualService of a CRD installed later",
        )
        assert kube.readiness(app).sources()[VIRTUALSERVICES].state == "synced"
    finally:
        server.stop()


def test_only_v1beta1_virtualservices_served_are_read_in_v1beta1(start_app, kube):
    server = KubeApiServer(types=without("networking.istio.io"), bookmark_interval=0.2).start()
    server.register("networking.istio.io", "v1beta1", "virtualservices", "VirtualService")
    server.apply(vs("kiali", version="v1beta1"))
    try:
        app = start_app(server=server)

        assert kube.cluster(app).informers[VIRTUALSERVICES].list_watch.api_version == "v1beta1"
        assert kube.names(kube.catalog(app)) == ["kiali"]
        server.apply(vs("grafana", version="v1beta1"))
        kube.wait_for(lambda: "grafana" in kube.names(kube.catalog(app)), what="watched")
    finally:
        server.stop()


def test_startpunkt_crd_serving_only_v1alpha3_is_read(start_app, kube):
    types = without("startpunkt.ullberg.us", keep_versions=("v1alpha1", "v1alpha2", "v1alpha3"))
    server = KubeApiServer(types=types, bookmark_interval=0.2).start()
    server.apply(kube.application("grafana", "monitoring", version="v1alpha3"))
    try:
        app = start_app(server=server)

        informer = kube.cluster(app).informers["kube:applications.startpunkt.ullberg.us"]
        assert informer.list_watch.api_version == "v1alpha3"
        assert kube.names(kube.catalog(app)) == ["Grafana"]
    finally:
        server.stop()


def test_a_kind_whose_api_goes_away_is_reported_absent_and_its_items_withdrawn(
    kubeapi, start_app, kube
):
    """Deleting a CRD deletes its objects: the catalog follows the cluster."""
    kubeapi.apply(vs("kiali"))
    app = start_app()
    assert kube.names(kube.catalog(app)) == ["kiali"]

    kubeapi.unregister("networking.istio.io", "v1", "virtualservices")  # cuts its watches

    kube.wait_for(
        lambda: kube.readiness(app).sources()[VIRTUALSERVICES].state == "absent",
        what="reported absent",
    )
    assert kube.names(kube.catalog(app)) == []
