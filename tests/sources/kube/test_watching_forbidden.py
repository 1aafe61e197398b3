"""A kind RBAC forbids: reported forbidden with the missing rule, once; the others carry on.

A forbidden kind does not hold readiness back (the rest of the page is right, and only the
operator can fix RBAC), is tried again slowly, and is read as soon as RBAC allows it.
"""

from __future__ import annotations

ROUTES = "kube:routes.route.openshift.io"


def route(name: str) -> dict:
    return {
        "apiVersion": "route.openshift.io/v1",
        "kind": "Route",
        "metadata": {
            "name": name,
            "namespace": "apps",
            "annotations": {"startpunkt.ullberg.us/enable": "true"},
        },
        "spec": {"host": f"{name}.apps.example.com"},
    }


def test_a_forbidden_kind_is_reported_and_does_not_stop_the_others(
    kubeapi, start_app, kube, caplog
):
    kubeapi.fail("routes", 403)
    kubeapi.apply(route("console"))
    kubeapi.apply(kube.ingress("plex"))
    app = start_app()
    client = app.test_client()

    sources = kube.readiness(app).sources()
    assert sources[ROUTES].state == "forbidden"
    assert "apiGroups: [route.openshift.io], resources: [routes]" in sources[ROUTES].last_error
    others = {name: s.state for name, s in sources.items() if name != ROUTES}
    assert set(others.values()) == {"synced"}
    assert kube.names(kube.catalog(app)) == ["plex"]
    assert client.get("/q/health/ready").status_code == 200
    kubeapi.apply(kube.ingress("sonarr"))
    kube.wait_for(lambda: "sonarr" in kube.names(kube.catalog(app)), what="others keep watching")

    kube.wait_for(lambda: kubeapi.count("discovery", "/apis/route.openshift.io") >= 4)
    warnings = [r for r in caplog.records if r.levelname == "WARNING" and ROUTES in r.getMessage()]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert (
        "a ClusterRole rule {apiGroups: [route.openshift.io], resources: [routes], "
        "verbs: [get, list, watch]}" in warnings[0].getMessage()
    )

    kubeapi.unfail("routes")  # RBAC fixed: no restart needed
    kube.wait_for(lambda: "console" in kube.names(kube.catalog(app)), what="read once allowed")
    assert kube.readiness(app).sources()[ROUTES].state == "synced"
