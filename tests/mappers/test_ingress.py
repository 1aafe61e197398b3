"""Ingress → application (SPEC 2.3): a URL derived from the first rule, or the url annotation."""

from __future__ import annotations

from typing import Any

import pytest

from startpunkt import mappers
from startpunkt.config import Settings
from startpunkt.mappers import ingress as ingress_mapper

from . import objects
from .objects import OPTED_IN, ingress, only_app, problem_fields

S = "startpunkt.ullberg.us/"


def rule(host: Any = "web.example.com", *paths: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"host": host}
    if paths:
        out["http"] = {"paths": list(paths)}
    return out


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"rules": [rule()]}, "http://web.example.com"),
        ({"rules": [rule()], "tls": [{"hosts": ["web.example.com"]}]}, "https://web.example.com"),
        ({"rules": [rule()], "tls": [{"hosts": ["WEB.example.com"]}]}, "https://web.example.com"),
        ({"rules": [rule()], "tls": [{"hosts": ["*.example.com"]}]}, "https://web.example.com"),
        ({"rules": [rule()], "tls": [{"hosts": ["other.example.com"]}]}, "http://web.example.com"),
        ({"rules": [rule()], "tls": [{"hosts": ["*.web.example.com"]}]}, "http://web.example.com"),
        ({"rules": [rule()], "tls": [{"secretName": "default-cert"}]}, "https://web.example.com"),
        ({"rules": [rule()], "tls": ["junk"]}, "http://web.example.com"),
        (
            {"rules": [rule("web.example.com", {"path": "/Grafana", "pathType": "Prefix"})]},
            "http://web.example.com/Grafana",
        ),
        (
            {"rules": [rule("web.example.com", {"path": "/", "pathType": "Prefix"})]},
            "http://web.example.com",
        ),
        (
            {
                "rules": [
                    rule(
                        "web.example.com",
                        {"path": "/app(/|$)(.*)", "pathType": "ImplementationSpecific"},
                    )
                ]
            },
            "http://web.example.com",
        ),
        (
            {"rules": [rule("web.example.com", {"path": "/first"}, {"path": "/second"})]},
            "http://web.example.com/first",
        ),
        ({"rules": [rule("a.example.com"), rule("b.example.com")]}, "http://a.example.com"),
        ({"rules": [rule("*.example.com")]}, None),
        ({"rules": [{"http": {"paths": [{"path": "/x"}]}}]}, None),
        ({"rules": []}, None),
        ({"defaultBackend": {"service": {"name": "web"}}}, None),
        ({}, None),
        ({"rules": "junk"}, None),
        ({"rules": [None]}, None),
        ({"rules": [rule("web.example.com", "junk")]}, "http://web.example.com"),  # type: ignore[arg-type]
    ],
)
def test_derived_url(spec: dict[str, Any], expected: str | None) -> None:
    assert ingress_mapper.derived_url(spec) == expected


def test_url_is_derived_without_a_url_annotation() -> None:
    """Reference quirk: an Ingress without the url annotation had no link."""
    spec = {
        "rules": [rule("grafana.example.com", {"path": "/Dashboards", "pathType": "Prefix"})],
        "tls": [{"hosts": ["grafana.example.com"], "secretName": "cert"}],
    }
    assert only_app(ingress(annotations=OPTED_IN, spec=spec)).url == (
        "https://grafana.example.com/Dashboards"
    )


def test_url_annotation_wins_over_derivation() -> None:
    app = only_app(ingress(annotations={**OPTED_IN, S + "url": "https://elsewhere.example.com/X"}))
    assert app.url == "https://elsewhere.example.com/X"


def test_root_path_is_appended_to_the_derived_url() -> None:
    spec = {"rules": [rule("web.example.com", {"path": "/app/"})]}
    app = only_app(ingress(annotations={**OPTED_IN, S + "rootPath": "ui"}, spec=spec))
    assert app.url == "http://web.example.com/app/ui"


def test_identity_fields() -> None:
    app = only_app(ingress(name="grafana", namespace="monitoring", annotations=OPTED_IN))
    assert app.id == "ingress/monitoring/grafana"
    assert (app.namespace, app.resource_name, app.source) == ("monitoring", "grafana", "Ingress")


def test_unsafe_url_annotation_is_dropped_with_a_problem() -> None:
    mapped = mappers.map_object(
        ingress(annotations={**OPTED_IN, S + "url": "javascript:alert(1)"}, spec={}), Settings()
    )
    assert only_app(ingress(annotations=OPTED_IN, spec={})).url is None
    assert mapped.items[0].url is None
    assert problem_fields(mapped) == [S + "url"]
    assert "javascript:alert(1)" in mapped.problems[0].reason


def test_wildcard_host_gives_an_item_without_a_link() -> None:
    mapped = mappers.map_object(ingress(host="*.example.com", annotations=OPTED_IN), Settings())
    assert mapped.items[0].url is None
    assert mapped.problems == ()


def classed(name: str | None = None, *, legacy: str | None = None, opted: bool = True) -> dict:
    notes = {"startpunkt.ullberg.us/enable": "true"} if opted else {}
    if legacy:
        notes["kubernetes.io/ingress.class"] = legacy
    spec: dict = {"rules": [{"host": "web.example.com"}]}
    if name:
        spec["ingressClassName"] = name
    return objects.ingress(annotations=notes, spec=spec)


def class_settings(*names: str, unclassified: bool = True, only_annotated: bool = True):
    from startpunkt.config import IngressSettings

    return objects.settings(
        ingress=IngressSettings(
            only_annotated=only_annotated,
            ingress_class_names=names,
            include_unclassified=unclassified,
        )
    )


def test_ingress_class_names_filter_by_spec_and_legacy_annotation() -> None:
    s = class_settings("traefik")
    assert mappers.map_object(classed("traefik"), s).items
    assert mappers.map_object(classed(legacy="traefik"), s).items
    assert mappers.map_object(classed(), s).items  # unclassified: included by default
    assert not mappers.map_object(classed(), class_settings("traefik", unclassified=False)).items


def test_the_spec_class_wins_over_the_legacy_annotation() -> None:
    s = class_settings("nginx")
    assert not mappers.map_object(classed("traefik", legacy="nginx"), s).items


def test_an_opted_in_ingress_of_another_class_is_skipped_with_a_line_naming_it() -> None:
    mapped = mappers.map_object(classed("nginx"), class_settings("traefik"))
    assert mapped.items == ()
    (problem,) = mapped.problems
    assert (problem.kind, problem.namespace, problem.name) == ("Ingress", "apps", "web")
    assert "'nginx' is not in ingress.ingressClassNames" in problem.reason


def test_unannotated_ingresses_of_other_classes_are_left_out_quietly() -> None:
    mapped = mappers.map_object(
        classed("nginx", opted=False), class_settings("traefik", only_annotated=False)
    )
    assert mapped == mappers.Mapped()


def test_an_empty_list_admits_every_class() -> None:
    assert mappers.map_object(classed("anything"), class_settings()).items
