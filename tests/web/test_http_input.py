"""Hostile HTTP input on every route: a 4xx with a reason or the safe default, never a 500.

The test walks the app's whole URL map: each rule with its variables replaced by path tricks,
huge and non-ASCII values, under every method, with oversize and malformed headers
(`Last-Event-ID`, 10,000 ETags in `If-None-Match`), and a tag path of 10,000 commas. Every
answer must be below 500 and carry no traceback; every error under `/api/` and `/q/` is JSON
with a reason. (The raw-bytes cases a test client cannot send are in
tests/live/test_http_input_live.py, against gunicorn.)
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator

import pytest
from flask import Flask
from werkzeug.routing import Rule

import startpunkt
from startpunkt import config, runtime
from startpunkt.catalog import Catalog
from testkit import items

TRICKS = [
    "..",
    "../../../../etc/passwd",
    "%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    "..%5c..%5cwindows",
    "%00",
    "%ff%fe",
    "%",
    "日本語",
    "\u2028",
    "a" * 10_000,
    "," * 10_000,
    "en-US",
    "sv-se",
    "xx-XX",
    "<script>alert(1)</script>",
    "mdi",
    "ping",
    "stream",
    "%0d%0aSet-Cookie:%20x=1",
]
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND", "FOO"]
HEADERS = [
    {},
    {"Last-Event-ID": "x" * 100_000},
    {"Last-Event-ID": "ffffffff-99999999999999999999999999999"},
    {"Last-Event-ID": "-"},
    {"Last-Event-ID": "\u00e9\u00e8-1"},
    {"If-None-Match": ", ".join(f'"{i}"' for i in range(10_000))},
    {"If-None-Match": "W/" * 5000},
    {"Accept": "application/json;q=" + "9" * 5000},
    {"Accept-Language": "x" * 10_000},
    {"Origin": "https://evil.example.com", "X-Forwarded-For": "1.2.3.4, " * 2000},
    {"Range": "bytes=" + ",".join(["0-1"] * 3000)},
]
QUERIES = ["", "?lastEventId=" + "9" * 10_000, "?format=" + "x" * 1000, "?a=%ff&b=%00"]


@pytest.fixture(scope="module")
def app() -> Flask:
    catalog = Catalog()
    catalog.replace(
        "test",
        [
            items.application("Plex", "Media", url="https://plex.example.com", tags="media"),
            items.bookmark("Docs", "Links", url="https://docs.example.com"),
        ],
    )
    settings = config.Settings()
    return startpunkt.create_app(settings, catalog=catalog, start=False)


_VARIABLE = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def paths(rule: Rule) -> Iterator[str]:
    """Concrete paths for a rule: each variable replaced by each trick (others held plain)."""
    variables = sorted(rule.arguments)
    if not variables:
        yield rule.rule
        return
    for variable, trick in itertools.product(variables, TRICKS):
        values = {v: (trick if v == variable else "plain") for v in variables}
        yield _VARIABLE.sub(lambda m, values=values: values[m.group(1)], rule.rule)


def answer(app: Flask, method: str, url: str, headers: dict[str, str]) -> tuple[int, bytes]:
    """Status and the first bytes of the body; an endless stream is closed after its head."""
    response = app.test_client().open(url, method=method, headers=headers, buffered=False)
    try:
        body = next(iter(response.response), b"") if method != "HEAD" else b""
        return response.status_code, body if isinstance(body, bytes) else body.encode()
    finally:
        response.close()


def check(status: int, body: bytes, url: str, method: str) -> None:
    assert status < 500, (method, url[:120], status, body[:300])
    assert b"Traceback" not in body
    if status >= 400 and url.startswith(("/api", "/q")) and method != "HEAD":
        assert b'"error"' in body, (method, url[:120], status, body[:200])


def test_every_rule_under_every_method_with_path_tricks(app: Flask) -> None:
    seen = 0
    for rule in app.url_map.iter_rules():
        for path in paths(rule):
            for method in METHODS:
                status, body = answer(app, method, path, {})
                check(status, body, path, method)
                seen += 1
    assert seen > 3000


@pytest.mark.parametrize("headers", HEADERS, ids=lambda h: next(iter(h), "none")[:20])
def test_every_rule_with_oversize_and_malformed_headers(app: Flask, headers) -> None:
    for rule in app.url_map.iter_rules():
        path = next(paths(rule))
        for query in QUERIES:
            status, body = answer(app, "GET", path + query, headers)
            check(status, body, path + query, "GET")


def test_ten_thousand_etags_still_find_the_current_one(app: Flask) -> None:
    client = app.test_client()
    etag = client.get("/api/apps").headers["ETag"]
    many = ", ".join([*(f'"{i}"' for i in range(10_000)), etag])
    assert client.get("/api/apps", headers={"If-None-Match": many}).status_code == 304


def test_a_tag_path_of_ten_thousand_commas_is_the_untagged_list(app: Flask) -> None:
    client = app.test_client()
    plain = client.get("/api/apps").get_json()
    assert client.get("/api/apps/" + "," * 10_000).get_json() == plain
    assert client.get("/" + "," * 10_000).status_code == 200


@pytest.mark.parametrize(
    "last_event_id",
    ["x" * 100_000, "ffffffff-99999999999999999999999999999", "-", "1-1-1", "\u00e9-1", ""],
)
def test_a_bad_resume_id_gets_the_safe_default_a_resync(app: Flask, last_event_id: str) -> None:
    response = app.test_client().get(
        "/api/updates/stream", headers={"Last-Event-ID": last_event_id}, buffered=False
    )
    try:
        assert response.status_code == 200
        chunks = iter(response.response)
        seen = b""
        while b"event: RESYNC" not in seen and b"event: HEARTBEAT" not in seen:
            seen += next(chunks)
        if last_event_id:
            while b"event: RESYNC" not in seen:
                seen += next(chunks)
    finally:
        response.close()
    assert runtime.get(app).broadcaster.client_count() == 0


def test_the_i8n_path_never_reaches_a_file(app: Flask) -> None:
    client = app.test_client()
    for trick in (t for t in TRICKS if t != "ping"):  # /api/i8n/ping is the ping
        response = client.get(f"/api/i8n/{trick}")
        if response.status_code == 404:  # a line break in a path matches no route at all
            assert "%0a" in trick and "error" in (response.get_json() or {})
            continue
        assert response.status_code == 200
        assert response.headers["Content-Language"] in ("en-US", "sv-SE", "de-DE")
