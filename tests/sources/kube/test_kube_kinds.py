"""Every watched kind reaches the REST API within a second of being applied, changed or deleted.

The app is real (`create_app` + the cluster source), the client is the real kubernetes client,
the cluster is the test API server; `/api/apps` and `/api/bookmarks` are read through Flask's
test client, as a browser would poll them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

DEADLINE = 1.0
"""SPEC: a change reaches every page within a second."""

ANNOTATED = {"startpunkt.ullberg.us/enable": "true"}


def _object(api_version: str, kind: str, name: str, spec: dict, annotated: bool) -> dict:
    metadata: dict[str, Any] = {"name": name, "namespace": "media"}
    if annotated:
        metadata["annotations"] = dict(ANNOTATED)
    return {"apiVersion": api_version, "kind": kind, "metadata": metadata, "spec": spec}


def startpunkt_app(title: str) -> dict:
    spec = {"name": title, "group": "Media", "url": "https://plex.example.com"}
    return _object("startpunkt.ullberg.us/v1alpha4", "Application", "plex", spec, False)


def startpunkt_bookmark(title: str) -> dict:
    spec = {"name": title, "group": "Docs", "url": "https://docs.example.com"}
    return _object("startpunkt.ullberg.us/v1alpha4", "Bookmark", "plex", spec, False)


def hajimari_app(title: str) -> dict:
    spec = {"name": title, "group": "Media", "url": "https://plex.example.com"}
    return _object("hajimari.io/v1alpha1", "Application", "plex", spec, False)


def hajimari_bookmark(title: str) -> dict:
    spec = {"name": title, "group": "Docs", "url": "https://docs.example.com"}
    return _object("hajimari.io/v1alpha1", "Bookmark", "plex", spec, False)


def _named(obj: dict, title: str) -> dict:
    obj["metadata"]["annotations"]["startpunkt.ullberg.us/appName"] = title
    return obj


def ingress(title: str) -> dict:
    spec = {"rules": [{"host": "plex.example.com"}]}
    return _named(_object("networking.k8s.io/v1", "Ingress", "plex", spec, True), title)


def route(title: str) -> dict:
    spec = {"host": "plex.example.com"}
    return _named(_object("route.openshift.io/v1", "Route", "plex", spec, True), title)


def virtualservice(title: str) -> dict:
    spec = {"hosts": ["plex.example.com"]}
    obj = _object("networking.istio.io/v1", "VirtualService", "plex", spec, True)
    return _named(obj, title)


def httproute(title: str) -> dict:
    spec = {"hostnames": ["plex.example.com"]}
    obj = _object("gateway.networking.k8s.io/v1", "HTTPRoute", "plex", spec, True)
    return _named(obj, title)


def ingressroute(title: str, group: str = "traefik.io") -> dict:
    spec = {"entryPoints": ["websecure"], "routes": [{"match": "Host(`plex.example.com`)"}]}
    obj = _object(f"{group}/v1alpha1", "IngressRoute", "plex", spec, True)
    return _named(obj, title)


def old_ingressroute(title: str) -> dict:
    return ingressroute(title, "traefik.containo.us")


KINDS: list[tuple[str, Callable[[str], dict], str, str]] = [
    ("startpunkt Application", startpunkt_app, "/api/apps", "applications"),
    ("startpunkt Bookmark", startpunkt_bookmark, "/api/bookmarks", "bookmarks"),
    ("hajimari Application", hajimari_app, "/api/apps", "applications"),
    ("hajimari Bookmark", hajimari_bookmark, "/api/bookmarks", "bookmarks"),
    ("Ingress", ingress, "/api/apps", "applications"),
    ("Route", route, "/api/apps", "applications"),
    ("VirtualService", virtualservice, "/api/apps", "applications"),
    ("HTTPRoute", httproute, "/api/apps", "applications"),
    ("IngressRoute", ingressroute, "/api/apps", "applications"),
    ("IngressRoute traefik.containo.us", old_ingressroute, "/api/apps", "applications"),
]


def listed(client: Any, path: str, member: str) -> list[tuple[str, str]]:
    """(name, url) of every item the endpoint lists."""
    response = client.get(path)
    assert response.status_code == 200
    return [(i["name"], i.get("url")) for g in response.json["groups"] for i in g[member]]


@pytest.mark.parametrize(("label", "build", "path", "member"), KINDS, ids=[k[0] for k in KINDS])
def test_each_kind_appears_changes_and_disappears(
    kubeapi, start_app, kube, label, build, path, member
):
    app = start_app()
    client = app.test_client()
    assert listed(client, path, member) == []

    kubeapi.apply(build("Plex"))
    kube.wait_for(
        lambda: [n for n, _ in listed(client, path, member)] == ["Plex"],
        timeout=DEADLINE,
        what=f"{label} added",
    )
    kubeapi.apply(build("Plex Media Server"))
    kube.wait_for(
        lambda: [n for n, _ in listed(client, path, member)] == ["Plex Media Server"],
        timeout=DEADLINE,
        what=f"{label} changed",
    )
    obj = build("")
    kubeapi.delete(obj["apiVersion"], obj["kind"], "media", "plex")
    kube.wait_for(
        lambda: listed(client, path, member) == [], timeout=DEADLINE, what=f"{label} deleted"
    )


def test_existing_objects_are_listed_at_start_and_readiness_counts_them(kubeapi, start_app, kube):
    for name in ("plex", "sonarr", "radarr"):
        kubeapi.apply(kube.ingress(name, "media"))
    kubeapi.apply(kube.application("grafana", "monitoring"))

    app = start_app()

    assert kube.names(kube.catalog(app)) == ["Grafana", "plex", "radarr", "sonarr"]
    sources = kube.readiness(app).sources()
    assert sources["kube:ingresses.networking.k8s.io"].objects == 3
    assert sources["kube:applications.startpunkt.ullberg.us"].objects == 1
    assert {s.state for s in sources.values()} == {"synced"}
    ready = app.test_client().get("/q/health/ready")
    assert ready.status_code == 200 and ready.json["status"] == "UP"


def test_losing_the_opt_in_annotation_removes_the_item(kubeapi, start_app, kube):
    kubeapi.apply(kube.ingress("plex", "media"))
    app = start_app()
    catalog = kube.catalog(app)
    assert kube.names(catalog) == ["plex"]

    bare = kube.ingress("plex", "media")
    del bare["metadata"]["annotations"]
    kubeapi.apply(bare)

    kube.wait_for(lambda: kube.names(catalog) == [], timeout=DEADLINE, what="opted out")
    assert kube.readiness(app).sources()["kube:ingresses.networking.k8s.io"].objects == 1


def test_a_malformed_object_is_skipped_alone_and_logged_once(kubeapi, start_app, kube, caplog):
    broken = kube.application("broken", "media")
    del broken["spec"]["url"]
    broken["spec"]["location"] = "abc"
    kubeapi.apply(broken)
    kubeapi.apply(kube.application("fine", "media"))
    app = start_app()
    catalog = kube.catalog(app)

    kube.wait_for(lambda: "Fine" in kube.names(catalog), what="the good object")
    broken["metadata"]["labels"] = {"touched": "yes"}  # same faults: nothing new to say
    kubeapi.apply(broken)
    kubeapi.apply(kube.application("other", "media"))  # applied after: seen after the touch
    kube.wait_for(lambda: "Other" in kube.names(catalog), what="a later object")

    warnings = [r.getMessage() for r in caplog.records if "media/broken" in r.getMessage()]
    assert sorted(warnings) == [
        "Application media/broken: location: 'abc' is not an integer, using 1000",
        "Application media/broken: url: missing: the application has no link",
    ]
    assert kube.app_url(catalog, "Fine") == "https://fine.example.com"


def test_an_ingress_route_gets_its_link_from_the_match(kubeapi, start_app, kube):
    kubeapi.apply(ingressroute("Plex"))
    app = start_app()
    assert kube.app_url(kube.catalog(app), "Plex") == "https://plex.example.com"
