"""Gateway API HTTPRoute → application (SPEC 2.3): hostnames[0] and a plain first path match."""

from __future__ import annotations

from typing import Any

import pytest

from startpunkt.mappers import httproute as httproute_mapper

from .objects import OPTED_IN, httproute, only_app, settings

S = "startpunkt.ullberg.us/"


def rules(*paths: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [{"matches": [{} if p is None else {"path": p}]} for p in paths]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"hostnames": ["web.example.com", "b.example.com"]}, "http://web.example.com"),
        (
            {
                "hostnames": ["web.example.com"],
                "rules": rules({"type": "PathPrefix", "value": "/UI"}),
            },
            "http://web.example.com/UI",
        ),
        (
            {
                "hostnames": ["web.example.com"],
                "rules": rules({"type": "Exact", "value": "/login"}),
            },
            "http://web.example.com/login",
        ),
        (
            {"hostnames": ["web.example.com"], "rules": rules({"value": "/default-prefix"})},
            "http://web.example.com/default-prefix",
        ),
        (
            {
                "hostnames": ["web.example.com"],
                "rules": rules({"type": "RegularExpression", "value": "/app/.*"}),
            },
            "http://web.example.com",
        ),
        (
            {
                "hostnames": ["web.example.com"],
                "rules": rules({"type": "PathPrefix", "value": "/"}),
            },
            "http://web.example.com",
        ),
        (
            {
                "hostnames": ["web.example.com"],
                "rules": rules(None, {"type": "PathPrefix", "value": "/second"}),
            },
            "http://web.example.com/second",
        ),  # the first rule matches headers only
        ({"hostnames": ["*.example.com"]}, None),
        ({"hostnames": []}, None),
        ({}, None),  # the reference invented http://localhost
        ({"hostnames": ["web.example.com"], "rules": "junk"}, "http://web.example.com"),
    ],
)
def test_derived_url(spec: dict[str, Any], expected: str | None) -> None:
    assert httproute_mapper.derived_url(spec, scheme="http") == expected


def test_protocol_annotation_or_default_protocol() -> None:
    assert only_app(httproute(annotations=OPTED_IN), settings(default_protocol="https")).url == (
        "https://web.example.com"
    )
    assert only_app(httproute(annotations={**OPTED_IN, S + "protocol": "https"})).url == (
        "https://web.example.com"
    )


def test_url_annotation_wins() -> None:
    """Reference quirk: an HTTPRoute's url annotation was ignored."""
    app = only_app(
        httproute(annotations={**OPTED_IN, "hajimari.io/url": "https://x.example.com/Q"})
    )
    assert app.url == "https://x.example.com/Q"


def test_identity() -> None:
    app = only_app(httproute(name="Api", namespace="gw", annotations=OPTED_IN))
    assert (app.id, app.source, app.namespace, app.resource_name) == (
        "httproute/gw/Api",
        "HTTPRoute",
        "gw",
        "Api",
    )
