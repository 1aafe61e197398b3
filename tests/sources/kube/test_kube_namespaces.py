"""`namespaceSelector.matchNames`: one informer per kind and namespace, nothing from elsewhere."""

from __future__ import annotations

from startpunkt.config import NamespaceSelector


def test_only_selected_namespaces_are_watched_each_under_its_own_origin(
    kubeapi, cluster_settings, start_app, kube
):
    kubeapi.apply(kube.ingress("plex", "media"))
    kubeapi.apply(kube.ingress("grafana", "monitoring"))
    kubeapi.apply(kube.ingress("secret-admin", "kube-system"))
    selector = NamespaceSelector(any=False, match_names=("media", "monitoring"))
    app = start_app(cluster_settings(namespace_selector=selector))
    catalog = kube.catalog(app)

    assert kube.names(catalog) == ["grafana", "plex"]
    assert catalog.items("kube:ingresses.networking.k8s.io/media").keys() == {"ingress/media/plex"}
    sources = kube.readiness(app).sources()
    assert "kube:ingresses.networking.k8s.io/monitoring" in sources
    assert "kube:ingresses.networking.k8s.io" not in sources
    assert len(sources) == 20  # ten resources (two Traefik groups), two namespaces

    kubeapi.apply(kube.ingress("jellyfin", "media"))
    kubeapi.apply(kube.ingress("etcd-admin", "kube-system"))
    kube.wait_for(lambda: "jellyfin" in kube.names(catalog), what="a selected namespace")
    assert kube.stays(lambda: "etcd-admin" not in kube.names(catalog), seconds=0.3)
    assert kubeapi.count("list", "ingresses") == 2  # never the whole cluster
