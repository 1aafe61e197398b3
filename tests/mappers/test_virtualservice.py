"""Istio VirtualService → application (SPEC 2.3): protocol annotation or default, hosts[0]."""

from __future__ import annotations

from typing import Any

import pytest

from startpunkt import mappers
from startpunkt.config import Settings
from startpunkt.mappers import virtualservice as vs_mapper

from .objects import OPTED_IN, only_app, problem_fields, settings, virtualservice

S = "startpunkt.ullberg.us/"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"hosts": ["web.example.com", "other.example.com"]}, "http://web.example.com"),
        ({"hosts": ["reviews"]}, "http://reviews"),
        ({"hosts": ["*.example.com"]}, None),
        ({"hosts": ["*"]}, None),
        ({"hosts": []}, None),
        ({}, None),  # the reference invented http://localhost
    ],
)
def test_derived_url(spec: dict[str, Any], expected: str | None) -> None:
    assert vs_mapper.derived_url(spec, scheme="http") == expected


@pytest.mark.parametrize(
    ("default", "notes", "expected"),
    [
        ("http", {}, "http://web.example.com"),
        ("https", {}, "https://web.example.com"),
        ("http", {S + "protocol": "https"}, "https://web.example.com"),
        ("http", {S + "protocol": "HTTPS"}, "https://web.example.com"),
        ("https", {S + "protocol": "http"}, "http://web.example.com"),
        ("https", {"hajimari.io/protocol": "http"}, "https://web.example.com"),
    ],
)
def test_protocol_annotation_or_default_protocol(
    default: str, notes: dict[str, str], expected: str
) -> None:
    app = only_app(
        virtualservice(annotations={**OPTED_IN, **notes}), settings(default_protocol=default)
    )
    assert app.url == expected


@pytest.mark.parametrize("bad", ["ftp", "javascript", "http://"])
def test_bad_protocol_is_reported_and_the_default_used(bad: str) -> None:
    mapped = mappers.map_object(
        virtualservice(annotations={**OPTED_IN, S + "protocol": bad}),
        settings(default_protocol="https"),
    )
    assert mapped.items[0].url == "https://web.example.com"
    assert problem_fields(mapped) == [S + "protocol"]


def test_url_annotation_wins() -> None:
    """Reference quirk: a VirtualService's url annotation was ignored."""
    app = only_app(virtualservice(annotations={**OPTED_IN, S + "url": "https://x.example.com/App"}))
    assert app.url == "https://x.example.com/App"


def test_identity_and_root_path() -> None:
    app = only_app(virtualservice(annotations={**OPTED_IN, S + "rootPath": "admin"}), Settings())
    assert (app.id, app.source) == ("virtualservice/apps/web", "VirtualService")
    assert app.url == "http://web.example.com/admin"
