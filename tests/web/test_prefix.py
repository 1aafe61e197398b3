"""`web.rootPath`: everything under the prefix, whether the request carries it (direct, or a
proxy forwarding the path) or not (a proxy that strips it); a bad prefix fails start-up."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
from flask.testing import FlaskClient

import startpunkt
from startpunkt import catalog, config
from startpunkt.config import Settings
from startpunkt.web import prefix
from testkit import items


def client(root_path: str) -> FlaskClient:
    cat = catalog.Catalog()
    cat.replace("test", [items.application("Grafana", "Ops", url="https://g.example")])
    defaults = Settings()
    web = dataclasses.replace(defaults.web, root_path=root_path)
    settings = dataclasses.replace(defaults, web=web)
    return startpunkt.create_app(settings, catalog=cat, start=False).test_client()


@pytest.mark.parametrize(
    ("value", "expected"),
    [("/", ""), ("", ""), ("/start", "/start"), ("/start/", "/start"), ("/a/b", "/a/b")],
)
def test_prefixes_are_normalised(value: str, expected: str) -> None:
    assert prefix.normalise(value) == expected


@pytest.mark.parametrize("value", ["start", "/a//b", "/a/../b", "/a b", "//evil.example", "/a?b"])
def test_a_bad_prefix_fails_start_up_naming_the_key(value: str) -> None:
    with pytest.raises(config.ConfigError, match=r"startpunkt\.web\.rootPath"):
        client(value)


def asset_urls(html: str) -> list[str]:
    """Every href and src of the page that is a path."""
    found = re.findall(r'(?:href|src)="([^"]*)"', html)
    return [url for url in found if url.startswith("/")]


@pytest.mark.parametrize(
    ("path", "headers"),
    [
        ("/start/", {}),
        ("/start", {}),
        ("/", {"X-Forwarded-Prefix": "/start"}),
        ("/", {}),
    ],
    ids=["direct", "no-trailing-slash", "stripped-with-header", "stripped"],
)
def test_every_url_of_the_page_carries_the_prefix(path: str, headers: dict[str, str]) -> None:
    response = client("/start").get(path, headers=headers)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    urls = asset_urls(html)
    assert len(urls) > 10
    assert [u for u in urls if not u.startswith("/start/")] == []
    assert 'data-root="/start"' in html


def test_the_api_the_stream_and_the_tag_pages_answer_under_the_prefix() -> None:
    c = client("/start")
    assert c.get("/start/api/apps").json["groups"][0]["name"] == "Ops"
    assert c.get("/start/ops").status_code == 200
    assert c.get("/start/q/health/live").status_code == 200
    doc = json.loads(c.get("/start/q/openapi?format=json").data)
    assert doc["servers"] == [{"url": "/start"}]
    stream = c.get("/start/api/updates/stream", buffered=False)
    assert stream.mimetype == "text/event-stream"
    stream.close()


def test_a_forged_prefix_header_changes_nothing() -> None:
    html = (
        client("/start")
        .get("/", headers={"X-Forwarded-Prefix": "//evil.example"})
        .get_data(as_text=True)
    )
    assert "evil" not in html
    assert 'data-root=""' in client("/").get("/", headers={"X-Forwarded-Prefix": "/x"}).get_data(
        as_text=True
    )
