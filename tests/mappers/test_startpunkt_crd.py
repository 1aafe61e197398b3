"""Startpunkt's Application and Bookmark custom resources (SPEC 2.4, 2.5)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from startpunkt import mappers, model
from startpunkt.config import Settings

from .objects import application, bookmark, only, only_app, problem_fields

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
S = "startpunkt.ullberg.us/"

FULL_SPEC = {
    "name": "Home Assistant",
    "group": "Home Automation",
    "icon": "mdi:home-automation",
    "iconColor": "Red",
    "url": "https://HA.example.com/",
    "info": "Smart Home Manager",
    "targetBlank": True,
    "location": 3,
    "enabled": True,
    "rootPath": "Lovelace",
    "tags": "admin,home",
}


@pytest.mark.parametrize("version", ["v1alpha1", "v1alpha2", "v1alpha3", "v1alpha4"])
def test_every_served_version_maps(version: str) -> None:
    app = only_app(application(version, name="ha", namespace="home", spec=FULL_SPEC))
    assert app == model.Application(
        id="application/home/ha",
        name="Home Assistant",
        group="Home Automation",
        namespace="home",
        resource_name="ha",
        source="Application",
        url="https://HA.example.com/Lovelace",
        icon="mdi:home-automation",
        icon_color="Red",
        info="Smart Home Manager",
        target_blank=True,
        location=3,
        enabled=True,
        root_path="Lovelace",
        tags="admin,home",
    )


def test_group_defaults_to_the_namespace() -> None:
    app = only_app(
        application(namespace="media", spec={"name": "Plex", "url": "https://p.example"})
    )
    assert app.group == "media"


@pytest.mark.parametrize(
    ("enabled", "shown"),
    [(True, True), (None, True), ("true", True), (False, False), ("FALSE", False)],
)
def test_enabled_false_keeps_it_off_the_page(enabled: Any, shown: bool) -> None:
    spec = {"name": "X", "url": "https://x.example.com"}
    if enabled is not None:
        spec["enabled"] = enabled
    mapped = mappers.map_object(application(spec=spec), Settings())
    assert bool(mapped.items) == shown
    assert mapped.problems == ()


def test_missing_name_falls_back_to_metadata_name_with_a_problem() -> None:
    mapped = mappers.map_object(
        application(name="grafana", spec={"url": "https://g.example.com"}), Settings()
    )
    assert only(mapped).name == "grafana"
    assert problem_fields(mapped) == ["name"]


@pytest.mark.parametrize(
    ("spec", "notes", "root_path", "tags", "url"),
    [
        ({}, {S + "rootPath": "/ui", S + "tags": "dev"}, "/ui", "dev", "https://x.example.com/ui"),
        (
            {"rootPath": "spec", "tags": "ops"},
            {S + "rootPath": "/ui", S + "tags": "dev"},
            "spec",
            "ops",
            "https://x.example.com/spec",
        ),
        ({}, {"hajimari.io/tags": "dev"}, None, None, "https://x.example.com"),
    ],
)
def test_root_path_and_tags_fall_back_to_annotations(
    spec: dict[str, Any], notes: dict[str, str], root_path: str | None, tags: str | None, url: str
) -> None:
    full = {"name": "X", "url": "https://x.example.com", **spec}
    app = only_app(application(spec=full, annotations=notes))
    assert (app.root_path, app.tags, app.url) == (root_path, tags, url)


def test_url_from_is_parsed_for_the_source_to_resolve() -> None:
    spec = {
        "name": "Grafana",
        "url": "https://fallback.example.com",
        "urlFrom": {
            "apiVersion": "networking.k8s.io/v1",
            "kind": "Ingress",
            "name": "grafana",
            "property": "spec.rules[0].host",
            "urlTemplate": "https://{0}/",
        },
    }
    app = only_app(application(namespace="monitoring", spec=spec))
    assert app.url == "https://fallback.example.com"
    assert app.url_from == model.UrlFrom(
        api_version="v1",
        kind="Ingress",
        name="grafana",
        property="spec.rules[0].host",
        namespace="monitoring",
        api_group="networking.k8s.io",
        url_template="https://{0}/",
    )


def test_url_from_alone_is_not_a_missing_url() -> None:
    spec = {
        "name": "G",
        "urlFrom": {
            "apiVersion": "v1",
            "kind": "Service",
            "name": "g",
            "property": "spec.clusterIP",
        },
    }
    mapped = mappers.map_object(application(spec=spec), Settings())
    assert only(mapped).url is None
    assert mapped.problems == ()


@pytest.mark.parametrize(
    ("spec_change", "field", "check"),
    [
        ({"location": "abc"}, "location", lambda a: a.location == 1000),
        ({"targetBlank": "maybe"}, "targetBlank", lambda a: a.target_blank is None),
        ({"url": "javascript:alert(1)"}, "url", lambda a: a.url is None),
        ({"url": "data:text/html,<b>hi</b>"}, "url", lambda a: a.url is None),
        ({"url": "ftp://files.example.com"}, "url", lambda a: a.url is None),
        ({"url": "/relative"}, "url", lambda a: a.url is None),
        ({"icon": "javascript:alert(1)"}, "icon", lambda a: a.icon is None),
        ({"enabled": "maybe"}, "enabled", lambda a: a.enabled is None),
        ({"group": ["a"]}, "group", lambda a: a.group == "apps"),
    ],
)
def test_bad_fields_are_defaulted_one_by_one(
    spec_change: dict[str, Any], field: str, check: Any
) -> None:
    spec = {"name": "Keep", "url": "https://x.example.com", "info": "Kept", **spec_change}
    mapped = mappers.map_object(application(spec=spec), Settings())
    app = only(mapped)
    assert check(app)
    assert (app.name, app.info) == ("Keep", "Kept")
    assert problem_fields(mapped) == [field]


def test_application_without_url_or_url_from_is_reported() -> None:
    mapped = mappers.map_object(application(spec={"name": "Nowhere"}), Settings())
    assert only(mapped).url is None
    assert problem_fields(mapped) == ["url"]


def test_spec_that_is_not_a_mapping_is_reported() -> None:
    mapped = mappers.map_object(application(name="odd", spec="not a mapping"), Settings())
    assert only(mapped).name == "odd"
    assert "spec" in problem_fields(mapped)


def test_bookmark() -> None:
    spec = {
        "name": "Kubernetes Docs",
        "group": "Reading",
        "icon": "mdi:book",
        "url": "https://Kubernetes.io/Docs",
        "info": "Reference",
        "targetBlank": True,
        "location": 2,
    }
    item = only(mappers.map_object(bookmark(name="k8s", namespace="links", spec=spec), Settings()))
    assert item == model.Bookmark(
        id="bookmark/links/k8s",
        name="Kubernetes Docs",
        group="Reading",
        namespace="links",
        resource_name="k8s",
        source="Bookmark",
        url="https://Kubernetes.io/Docs",
        icon="mdi:book",
        info="Reference",
        target_blank=True,
        location=2,
    )


def test_bookmark_name_and_group_fall_back_silently() -> None:
    mapped = mappers.map_object(
        bookmark(name="docs", namespace="links", spec={"url": "https://d.example.com"}), Settings()
    )
    item = only(mapped)
    assert (item.name, item.group) == ("docs", "links")
    assert mapped.problems == ()


@pytest.mark.parametrize("url", ["javascript:alert(1)", "data:,x", "ftp://x.example.com", "x"])
def test_bookmark_with_an_unsafe_url_keeps_no_link(url: str) -> None:
    mapped = mappers.map_object(bookmark(spec={"name": "B", "url": url}), Settings())
    assert only(mapped).url is None
    assert problem_fields(mapped) == ["url"]


def test_bookmark_is_never_hidden_by_only_annotated_rules() -> None:
    assert mappers.map_object(bookmark(annotations={S + "enable": "false"}), Settings()).items


def test_reference_fixture() -> None:
    """The reference's three applications map with their case kept (it lower-cased them)."""
    docs = list(yaml.safe_load_all((FIXTURES / "reference_apps.yaml").read_text()))
    apps = {}
    for doc in docs:
        mapped = mappers.map_object(doc, Settings())
        assert mapped.problems == ()
        app = only(mapped)
        apps[app.resource_name] = app
    ha, nr, cc = apps["homeassistant"], apps["nodered"], apps["cyberchef"]
    assert (ha.name, ha.group, ha.url, ha.location) == (
        "Home Assistant",
        "Home Automation",
        "https://homeassistant.ullberg.us",
        1000,
    )
    assert (nr.name, nr.group, nr.icon_color, nr.location) == (
        "Node-RED",
        "Home Automation",
        "red",
        1,
    )
    assert (cc.name, cc.group, cc.icon, cc.info) == (
        "CyberChef",
        "Utilities",
        "mdi:chef-hat",
        "Cyber Swiss Army Knife",
    )
    assert (ha.tag_set(), nr.tag_set(), cc.tag_set()) == (
        {"admin", "home"},
        {"dev", "home"},
        frozenset(),
    )
    assert all(a.target_blank and a.enabled and a.namespace == "default" for a in apps.values())
    assert {a.id for a in apps.values()} == {
        "application/default/homeassistant",
        "application/default/nodered",
        "application/default/cyberchef",
    }
