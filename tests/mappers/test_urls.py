"""URL building blocks; explicit and derived URLs reach clients only when `safe.url` accepts them
(the rule itself: tests/test_safe.py)."""

from __future__ import annotations

from typing import Any

import pytest

from startpunkt.mappers import results, urls


def report() -> results.Report:
    return results.Report(results.Subject("Ingress", "apps", "web"))


@pytest.mark.parametrize(
    "raw", ["javascript:alert(1)", "data:text/html,hi", "ftp://example.com", "/relative", 42]
)
def test_link_drops_unsafe_values_with_a_problem(raw: Any) -> None:
    r = report()
    assert urls.link(raw, field="url", report=r) is None
    (p,) = r.problems
    assert p.field == "url"
    assert "url" in p.reason


def test_link_keeps_safe_values_trimmed_and_in_case() -> None:
    r = report()
    assert urls.link("  https://Example.com/Admin  ", field="url", report=r) == (
        "https://Example.com/Admin"
    )
    assert urls.link(None, field="url", report=r) is None
    assert urls.link("", field="url", report=r) is None
    assert r.problems == ()


@pytest.mark.parametrize(
    ("scheme", "host", "expected"),
    [
        ("http", "web.example.com", "http://web.example.com"),
        ("HTTPS", "web.example.com", "https://web.example.com"),
        ("https", "web.example.com:8443", "https://web.example.com:8443"),
        ("https", "*.example.com", None),  # wildcard hosts are not links
        ("https", "*", None),
        ("https", "", None),
        ("https", None, None),
        ("https", 42, None),
        ("https", "has space.example.com", None),
        ("https", "evil.com/path", None),
        ("ftp", "web.example.com", None),
        ("https", "web.example.com:99999", None),  # no such port
    ],
)
def test_base_url(scheme: str, host: Any, expected: str | None) -> None:
    assert urls.base_url(scheme, host) == expected


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/app", "/app"),
        ("/Admin/Console", "/Admin/Console"),  # case kept
        ("/app/", "/app/"),
        ("/v1.2/api", "/v1.2/api"),
        ("/", None),
        ("//", None),
        ("", None),
        (None, None),
        ("app", None),
        ("/app(/|$)(.*)", None),
        ("/api/.*", None),
        ("/something/[a-z]+", None),
        ("/end$", None),
    ],
)
def test_plain_path(path: Any, expected: str | None) -> None:
    assert urls.plain_path(path) == expected


@pytest.mark.parametrize(
    ("url", "root_path", "expected"),
    [
        ("https://a.example.com", "admin", "https://a.example.com/admin"),
        ("https://a.example.com", "/admin", "https://a.example.com/admin"),
        ("https://a.example.com/", "/admin", "https://a.example.com/admin"),
        ("https://a.example.com/", "admin/", "https://a.example.com/admin/"),
        ("https://a.example.com/app", "/UI", "https://a.example.com/app/UI"),
        ("https://a.example.com//", "x", "https://a.example.com//x"),  # only one slash dropped
    ],
)
def test_join_root_path(url: str, root_path: str, expected: str) -> None:
    assert urls.join_root_path(url, root_path) == expected


def test_with_root_path_refuses_a_root_path_that_spoils_the_url() -> None:
    r = report()
    got = urls.with_root_path(
        "https://a.example.com", "has space", field="startpunkt.ullberg.us/rootPath", report=r
    )
    assert got == "https://a.example.com"
    assert [p.field for p in r.problems] == ["startpunkt.ullberg.us/rootPath"]


def test_with_root_path_without_url_or_root_path() -> None:
    r = report()
    assert urls.with_root_path(None, "/x", field="rootPath", report=r) is None
    assert urls.with_root_path("https://a.example.com", None, field="rootPath", report=r) == (
        "https://a.example.com"
    )
    assert urls.with_root_path("https://a.example.com", "", field="rootPath", report=r) == (
        "https://a.example.com"
    )
    assert r.problems == ()
