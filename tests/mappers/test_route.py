"""OpenShift Route → application (SPEC 2.3): scheme from spec.tls, spec.host, spec.path."""

from __future__ import annotations

from typing import Any

import pytest

from startpunkt.mappers import route as route_mapper

from .objects import OPTED_IN, only_app, route

S = "startpunkt.ullberg.us/"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"host": "web.apps.example.com"}, "http://web.apps.example.com"),
        (
            {"host": "web.apps.example.com", "tls": {"termination": "edge"}},
            "https://web.apps.example.com",
        ),
        ({"host": "web.apps.example.com", "tls": {}}, "https://web.apps.example.com"),
        ({"host": "web.apps.example.com", "tls": None}, "http://web.apps.example.com"),
        (
            {"host": "web.apps.example.com", "path": "/Console"},
            "http://web.apps.example.com/Console",
        ),
        ({"host": "web.apps.example.com", "path": "/"}, "http://web.apps.example.com"),
        ({"host": "web.apps.example.com", "path": "/a(.*)"}, "http://web.apps.example.com"),
        ({"host": "*.apps.example.com"}, None),
        ({}, None),  # the reference invented http://localhost
        ({"host": ["not", "a", "host"]}, None),
    ],
)
def test_derived_url(spec: dict[str, Any], expected: str | None) -> None:
    assert route_mapper.derived_url(spec) == expected


def test_url_annotation_wins() -> None:
    """Reference quirk: a Route's url annotation was ignored in favour of its host."""
    app = only_app(route(annotations={**OPTED_IN, S + "url": "https://portal.example.com/Home"}))
    assert app.url == "https://portal.example.com/Home"


def test_protocol_annotation_does_not_override_tls() -> None:
    app = only_app(route(annotations={**OPTED_IN, S + "protocol": "https"}))
    assert app.url == "http://web.apps.example.com"


def test_identity_and_root_path() -> None:
    app = only_app(
        route(name="console", namespace="openshift", annotations={**OPTED_IN, S + "rootPath": "/x"})
    )
    assert (app.id, app.source, app.resource_name) == (
        "route/openshift/console",
        "Route",
        "console",
    )
    assert app.url == "http://web.apps.example.com/x"
