"""`startpunkt.ullberg.us/port`: the port users reach goes into a derived link."""

from __future__ import annotations

import pytest

from startpunkt import mappers
from startpunkt.config import Settings

from .objects import httproute, ingressroute, only_app, problem_fields, route, virtualservice

PORT = "startpunkt.ullberg.us/port"


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (route, "http://web.apps.example.com:8443"),
        (virtualservice, "http://web.example.com:8443"),
        (httproute, "http://web.example.com:8443"),
        (ingressroute, "http://web.example.com:8443"),
    ],
)
def test_the_port_goes_into_the_derived_url(build, expected: str) -> None:
    notes = {"startpunkt.ullberg.us/enable": "true", PORT: "8443"}
    assert only_app(build(annotations=notes)).url == expected


def test_the_port_sits_before_the_path_and_root_path() -> None:
    o = route(
        annotations={
            "startpunkt.ullberg.us/enable": "true",
            PORT: "9000",
            "startpunkt.ullberg.us/rootPath": "/ui",
        },
        spec={"host": "h.example.com", "path": "/app", "tls": {}},
    )
    assert only_app(o).url == "https://h.example.com:9000/app/ui"


def test_an_explicit_url_is_left_as_it_is() -> None:
    notes = {
        "startpunkt.ullberg.us/enable": "true",
        PORT: "8443",
        "startpunkt.ullberg.us/url": "https://explicit.example.com",
    }
    assert only_app(route(annotations=notes)).url == "https://explicit.example.com"


@pytest.mark.parametrize("bad", ["http", "0", "70000", "-1", "80a", ""])
def test_a_port_that_is_not_a_number_affects_only_that_field(bad: str) -> None:
    notes = {"startpunkt.ullberg.us/enable": "true", PORT: bad}
    mapped = mappers.map_object(route(annotations=notes), Settings())
    (app,) = mapped.items
    assert app.url == "http://web.apps.example.com"
    if bad:
        assert problem_fields(mapped) == [PORT]
        assert "not a port number" in mapped.problems[0].reason
