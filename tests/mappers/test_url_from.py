"""`urlFrom` (SPEC 2.4): parsing the reference, resolving it against a fetched object."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from startpunkt import model
from startpunkt.config import UrlFromSettings
from startpunkt.mappers import results, url_from

ALLOWED = UrlFromSettings().allowed_kinds


def report() -> results.Report:
    return results.Report(results.Subject("Application", "apps", "grafana"))


def parse(value: Any, allowed: tuple[str, ...] = ALLOWED) -> tuple[model.UrlFrom | None, list]:
    r = report()
    got = url_from.parse(value, namespace="apps", allowed_kinds=allowed, report=r)
    return got, [p.field for p in r.problems]


REF = {
    "apiVersion": "networking.k8s.io/v1",
    "kind": "Ingress",
    "name": "grafana",
    "property": "spec.rules[0].host",
}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (
            REF,
            model.UrlFrom(
                "v1", "Ingress", "grafana", "spec.rules[0].host", "apps", "networking.k8s.io", None
            ),
        ),
        (
            {**REF, "namespace": "monitoring", "urlTemplate": "https://{0}/d"},
            model.UrlFrom(
                "v1",
                "Ingress",
                "grafana",
                "spec.rules[0].host",
                "monitoring",
                "networking.k8s.io",
                "https://{0}/d",
            ),
        ),
        (
            {**REF, "apiVersion": "v1", "kind": "Service"},
            model.UrlFrom("v1", "Service", "grafana", "spec.rules[0].host", "apps", None, None),
        ),
        (
            {**REF, "apiVersion": "v1", "kind": "Route", "apiGroup": "route.openshift.io"},
            model.UrlFrom(
                "v1", "Route", "grafana", "spec.rules[0].host", "apps", "route.openshift.io", None
            ),
        ),
    ],
)
def test_parse(value: dict[str, Any], expected: model.UrlFrom) -> None:
    assert parse(value) == (expected, [])


@pytest.mark.parametrize(
    ("value", "field"),
    [
        ("not a mapping", "urlFrom"),
        ({k: v for k, v in REF.items() if k != "property"}, "urlFrom"),
        ({k: v for k, v in REF.items() if k != "kind"}, "urlFrom"),
        ({**REF, "name": ""}, "urlFrom"),
        ({**REF, "apiVersion": "v1", "kind": "ConfigMap"}, "urlFrom.kind"),
        ({**REF, "property": "spec..host"}, "urlFrom.property"),
        ({**REF, "property": "spec.rules[x].host"}, "urlFrom.property"),
    ],
)
def test_parse_refuses_what_cannot_be_followed(value: Any, field: str) -> None:
    got, fields = parse(value)
    assert got is None
    assert fields == [field]


@pytest.mark.parametrize("kind", ["Secret", "secret"])
def test_secrets_are_never_read_whatever_the_configuration(kind: str) -> None:
    got, fields = parse({**REF, "apiVersion": "v1", "kind": kind}, allowed=(*ALLOWED, kind))
    assert got is None
    assert fields == ["urlFrom.kind"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("spec.host", ["spec", "host"]),
        ("spec.rules[0].host", ["spec", "rules", 0, "host"]),
        (
            "status.loadBalancer.ingress[0].hostname",
            ["status", "loadBalancer", "ingress", 0, "hostname"],
        ),
        ("data.matrix[1][2]", ["data", "matrix", 1, 2]),
        ("", None),
        ("spec.", None),
        ("[0]", None),
        ("spec.rules[-1]", None),
    ],
)
def test_steps(path: str, expected: list[str | int] | None) -> None:
    assert url_from.steps(path) == expected


TARGET = {
    "spec": {
        "host": "grafana.example.com",
        "rules": [{"host": "a.example.com"}],
        "port": 3000,
        "enabled": True,
        "nested": {"x": 1},
        "blank": "  ",
    },
    "status": {"loadBalancer": {"ingress": [{"hostname": "lb.example.com"}]}},
}


@pytest.mark.parametrize(
    ("prop", "template", "expected"),
    [
        ("spec.host", None, "grafana.example.com"),
        ("spec.host", "https://{0}/dashboards", "https://grafana.example.com/dashboards"),
        ("spec.rules[0].host", "https://{0}", "https://a.example.com"),
        ("status.loadBalancer.ingress[0].hostname", "http://{0}", "http://lb.example.com"),
        ("spec.port", "http://svc:{0}", "http://svc:3000"),
        ("spec.rules[1].host", None, None),
        ("spec.missing", None, None),
        ("spec.host.deeper", None, None),
        ("spec.rules.host", None, None),
        ("spec[0]", None, None),
        ("spec.nested", None, None),
        ("spec.enabled", None, None),
        ("spec.blank", None, None),
    ],
)
def test_resolve(prop: str, template: str | None, expected: str | None) -> None:
    ref = model.UrlFrom("v1", "Ingress", "g", prop, "apps", None, template)
    assert url_from.resolve(ref, TARGET) == expected


def app_with(ref: model.UrlFrom | None, **kw: Any) -> model.Application:
    base = model.Application(
        id="application/apps/grafana",
        name="Grafana",
        group="apps",
        namespace="apps",
        resource_name="grafana",
        source="Application",
        url="https://fallback.example.com",
        url_from=ref,
    )
    return dataclasses.replace(base, **kw)


HOST_REF = model.UrlFrom("v1", "Ingress", "grafana", "spec.host", "apps", None, "https://{0}/")


def test_apply_uses_the_resolved_url_with_the_root_path() -> None:
    mapped = url_from.apply(app_with(HOST_REF, root_path="/d"), TARGET)
    assert [a.url for a in mapped.items] == ["https://grafana.example.com/d"]
    assert mapped.problems == ()


@pytest.mark.parametrize(
    ("ref", "target", "says"),
    [
        (HOST_REF, None, "not found"),
        (dataclasses.replace(HOST_REF, property="spec.nothing"), TARGET, "no value"),
        (dataclasses.replace(HOST_REF, url_template=None), TARGET, "not an http(s) URL"),
        (dataclasses.replace(HOST_REF, url_template="javascript:{0}"), TARGET, "not an http(s)"),
    ],
)
def test_apply_falls_back_to_url_with_a_problem(
    ref: model.UrlFrom, target: dict[str, Any] | None, says: str
) -> None:
    mapped = url_from.apply(app_with(ref), target)
    assert [a.url for a in mapped.items] == ["https://fallback.example.com"]
    (p,) = mapped.problems
    assert p.field == "urlFrom"
    assert says in p.reason
    assert (p.kind, p.namespace, p.name) == ("Application", "apps", "grafana")


def test_apply_without_url_from_changes_nothing() -> None:
    app = app_with(None)
    assert url_from.apply(app, TARGET) == results.Mapped(items=(app,))
