"""urlFrom against a cluster: targets found through API discovery, read within the allow-list
only, followed when they or the Application change, and `url` whenever they cannot be read."""

from __future__ import annotations

import dataclasses

from startpunkt.config import AvailabilitySettings, UrlFromSettings

REFRESH = 0.5
"""availability.interval in these tests: how often followed targets are read again."""


def follower(name: str, url_from: dict, *, url: str | None = "https://fallback.example.com"):
    spec = {"name": name.title(), "urlFrom": url_from}
    if url:
        spec["url"] = url
    return {
        "apiVersion": "startpunkt.ullberg.us/v1alpha4",
        "kind": "Application",
        "metadata": {"name": name, "namespace": "apps"},
        "spec": spec,
    }


def proxy(name: str, url: str) -> dict:
    return {
        "apiVersion": "example.com/v1",
        "kind": "Proxy",
        "metadata": {"name": name, "namespace": "apps"},
        "status": {"endpoints": [{"url": url}]},
    }


def settings_with(cluster_settings, *kinds: str):
    allowed = (*UrlFromSettings().allowed_kinds, *kinds)
    return cluster_settings(
        url_from=UrlFromSettings(allowed_kinds=allowed),
        availability=dataclasses.replace(AvailabilitySettings(), interval=REFRESH),
    )


def without_refresh(settings):
    """`settings` with no refresh of followed targets during a test."""
    return dataclasses.replace(settings, availability=AvailabilitySettings(interval=3600.0))


PROXY_REF = {
    "apiVersion": "example.com/v1",
    "kind": "Proxy",
    "name": "edge",
    "property": "status.endpoints[0].url",
}


def edge_and_portal(kubeapi) -> None:
    """The Proxy kind, the proxy `edge`, and the Application `portal` following it."""
    kubeapi.register("example.com", "v1", "proxies", "Proxy")
    kubeapi.apply(proxy("edge", "https://edge.example.com"))
    kubeapi.apply(follower("portal", PROXY_REF))


def test_the_plural_comes_from_discovery_not_kind_plus_s(
    kubeapi, cluster_settings, start_app, kube
):
    edge_and_portal(kubeapi)
    app = start_app(settings_with(cluster_settings, "Proxy"))

    assert kube.app_url(kube.catalog(app), "Portal") == "https://edge.example.com"
    assert kubeapi.count("get", "proxies.example.com") >= 1
    assert kubeapi.count("get", "proxys.example.com") == 0


def test_a_core_service_is_read_with_the_url_template(kubeapi, cluster_settings, start_app, kube):
    kubeapi.apply(
        {
            "apiVersion": "v1",
            "kind": "Service",
            "metadata": {"name": "grafana", "namespace": "apps"},
            "spec": {"externalName": "grafana.internal"},
        }
    )
    ref = {
        "apiVersion": "v1",
        "kind": "Service",
        "name": "grafana",
        "property": "spec.externalName",
        "urlTemplate": "https://{0}/login",
    }
    kubeapi.apply(follower("grafana", ref))
    app = start_app(settings_with(cluster_settings))

    assert kube.app_url(kube.catalog(app), "Grafana") == "https://grafana.internal/login"


def test_secrets_are_never_read_and_the_url_is_used(
    kubeapi, cluster_settings, start_app, kube, caplog
):
    kubeapi.apply(
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "creds", "namespace": "apps"},
            "data": {"url": "aHR0cHM6Ly9zZWNyZXQ="},
        }
    )
    ref = {"apiVersion": "v1", "kind": "Secret", "name": "creds", "property": "data.url"}
    kubeapi.apply(follower("sneaky", ref))
    app = start_app(settings_with(cluster_settings, "Secret"))  # even when configured

    assert kube.app_url(kube.catalog(app), "Sneaky") == "https://fallback.example.com"
    assert kubeapi.count("get", "secrets") == 0
    assert any("'Secret' may not be read" in r.getMessage() for r in caplog.records)


def test_a_missing_target_falls_back_to_url_and_is_followed_once_created(
    kubeapi, cluster_settings, start_app, kube, caplog
):
    kubeapi.register("example.com", "v1", "proxies", "Proxy")
    kubeapi.apply(follower("portal", PROXY_REF))
    app = start_app(settings_with(cluster_settings, "Proxy"))
    catalog = kube.catalog(app)
    assert kube.app_url(catalog, "Portal") == "https://fallback.example.com"
    assert any("Proxy apps/edge not found, using url" in r.getMessage() for r in caplog.records)

    kubeapi.apply(proxy("edge", "https://edge.example.com"))
    kube.wait_for(
        lambda: kube.app_url(catalog, "Portal") == "https://edge.example.com",
        timeout=REFRESH + 2.0,
        what="the target read again on the refresh",
    )
    kubeapi.apply(proxy("edge", "https://edge2.example.com"))
    kube.wait_for(
        lambda: kube.app_url(catalog, "Portal") == "https://edge2.example.com",
        timeout=REFRESH + 2.0,
        what="a changed target followed",
    )


def test_a_changed_application_is_resolved_again_at_once(
    kubeapi, cluster_settings, start_app, kube
):
    edge_and_portal(kubeapi)
    kubeapi.apply(proxy("core", "https://core.example.com"))
    app = start_app(without_refresh(settings_with(cluster_settings, "Proxy")))
    catalog = kube.catalog(app)
    assert kube.app_url(catalog, "Portal") == "https://edge.example.com"

    kubeapi.apply(follower("portal", {**PROXY_REF, "name": "core"}))

    kube.wait_for(
        lambda: kube.app_url(catalog, "Portal") == "https://core.example.com",
        timeout=1.0,
        what="the new target read",
    )


def test_a_forbidden_target_falls_back_and_names_the_rbac_rule(
    kubeapi, cluster_settings, start_app, kube, caplog
):
    edge_and_portal(kubeapi)
    kubeapi.fail("proxies", 403, verbs=["get"])
    kubeapi.apply(kube.ingress("plex"))
    app = start_app(settings_with(cluster_settings, "Proxy"))

    assert kube.app_url(kube.catalog(app), "Portal") == "https://fallback.example.com"
    assert kube.names(kube.catalog(app)) == ["Portal", "plex"]
    messages = [r.getMessage() for r in caplog.records if "apps/portal" in r.getMessage()]
    assert any("RBAC needs get on proxies in apiGroup 'example.com'" in m for m in messages)


def test_a_target_is_read_once_however_many_applications_follow_it(
    kubeapi, cluster_settings, start_app, kube
):
    edge_and_portal(kubeapi)
    for name in ("admin", "status"):
        kubeapi.apply(follower(name, PROXY_REF))
    app = start_app(without_refresh(settings_with(cluster_settings, "Proxy")))

    catalog = kube.catalog(app)
    assert {kube.app_url(catalog, n) for n in ("Portal", "Admin", "Status")} == {
        "https://edge.example.com"
    }
    assert kubeapi.count("get", "proxies.example.com") == 1


def test_a_target_that_cannot_be_read_for_now_keeps_its_last_url(
    kubeapi, cluster_settings, start_app, kube
):
    edge_and_portal(kubeapi)
    app = start_app(settings_with(cluster_settings, "Proxy"))
    catalog = kube.catalog(app)
    assert kube.app_url(catalog, "Portal") == "https://edge.example.com"

    kubeapi.fail("proxies", 500, verbs=["get"])
    reads = kubeapi.count("get", "proxies.example.com")
    kube.wait_for(
        lambda: kubeapi.count("get", "proxies.example.com") >= reads + 2,
        timeout=2 * REFRESH + 2.0,
        what="two refreshes that failed",
    )
    assert kube.app_url(catalog, "Portal") == "https://edge.example.com"

    kubeapi.unfail()
    kubeapi.apply(proxy("edge", "https://edge2.example.com"))
    kube.wait_for(
        lambda: kube.app_url(catalog, "Portal") == "https://edge2.example.com",
        timeout=REFRESH + 2.0,
        what="followed again once readable",
    )


CONFIG_MAP = {
    "apiVersion": "v1",
    "kind": "ConfigMap",
    "metadata": {"name": "links", "namespace": "apps"},
    "data": {"wiki": "https://wiki.example.com"},
}
CONFIG_MAP_REF = {"apiVersion": "v1", "kind": "ConfigMap", "name": "links", "property": "data.wiki"}


def test_config_maps_are_refused_by_default_with_one_line_naming_the_key(
    kubeapi, cluster_settings, start_app, kube, caplog
):
    kubeapi.apply(CONFIG_MAP)
    kubeapi.apply(follower("wiki", CONFIG_MAP_REF))
    app = start_app(settings_with(cluster_settings))

    assert kube.app_url(kube.catalog(app), "Wiki") == "https://fallback.example.com"
    assert kubeapi.count("get", "configmaps") == 0
    refusals = [
        r.getMessage() for r in caplog.records if "'ConfigMap' may not be read" in r.getMessage()
    ]
    assert len(refusals) == 1
    assert "apps/wiki" in refusals[0] and "urlFrom.kind" in refusals[0]


def test_config_maps_are_read_when_the_operator_allows_it(
    kubeapi, cluster_settings, start_app, kube
):
    kubeapi.apply(CONFIG_MAP)
    kubeapi.apply(follower("wiki", CONFIG_MAP_REF))
    settings = settings_with(cluster_settings)
    app = start_app(
        dataclasses.replace(
            settings, url_from=dataclasses.replace(settings.url_from, config_maps=True)
        )
    )

    assert kube.app_url(kube.catalog(app), "Wiki") == "https://wiki.example.com"
