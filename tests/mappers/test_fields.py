"""Field coercions: the reasonable spellings are accepted, the rest reported and defaulted."""

from __future__ import annotations

from typing import Any

import pytest

from startpunkt.mappers import fields, results


def report() -> results.Report:
    return results.Report(results.Subject("Ingress", "apps", "web"))


@pytest.mark.parametrize(
    ("raw", "expected", "problem"),
    [
        (None, 1000, False),
        (0, 1000, False),  # Hajimari's "unset"
        ("0", 1000, False),
        (5, 5, False),
        ("5", 5, False),
        (" 7 ", 7, False),
        (-3, -3, False),
        ("-3", -3, False),
        (3.0, 3, False),
        ("abc", 1000, True),
        ("1.5", 1000, True),
        (1.5, 1000, True),
        (True, 1000, True),
        ("", 1000, True),
        ([1], 1000, True),
        (2**40, 1000, True),
    ],
)
def test_location(raw: Any, expected: int, problem: bool) -> None:
    r = report()
    assert fields.location(raw, field="location", report=r) == expected
    assert bool(r.problems) == problem


def test_location_problem_says_what_and_what_instead() -> None:
    r = report()
    fields.location("abc", field="location", report=r)
    (p,) = r.problems
    assert p.reason == "location: 'abc' is not an integer, using 1000"
    assert (p.field, p.kind, p.namespace, p.name) == ("location", "Ingress", "apps", "web")


@pytest.mark.parametrize(
    ("raw", "expected", "problem"),
    [
        (None, None, False),
        (True, True, False),
        (False, False, False),
        ("true", True, False),
        ("TRUE", True, False),
        (" True ", True, False),
        ("false", False, False),
        ("FaLsE", False, False),
        ("maybe", None, True),
        ("yes", None, True),
        ("", None, True),
        (1, None, True),
        ({}, None, True),
    ],
)
def test_boolean(raw: Any, expected: bool | None, problem: bool) -> None:
    r = report()
    assert fields.boolean(raw, field="targetBlank", report=r) is expected
    assert bool(r.problems) == problem


def test_boolean_problem_names_the_field() -> None:
    r = report()
    fields.boolean("maybe", field="targetBlank", report=r)
    assert [(p.field, p.reason) for p in r.problems] == [
        ("targetBlank", "targetBlank: 'maybe' is not true or false, ignored")
    ]


@pytest.mark.parametrize(
    ("raw", "expected", "problem"),
    [
        (None, None, False),
        ("Home Assistant", "Home Assistant", False),  # case kept (the reference lower-cased)
        ("  padded  ", "padded", False),
        ("", None, False),
        ("   ", None, False),
        (42, "42", False),
        (1.5, "1.5", False),
        (True, None, True),
        ({"a": 1}, None, True),
        (["a"], None, True),
    ],
)
def test_text(raw: Any, expected: str | None, problem: bool) -> None:
    r = report()
    assert fields.text(raw, field="info", report=r) == expected
    assert bool(r.problems) == problem


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("mdi:home", "mdi:home"),
        ("home", "home"),
        ("simple-icons:homeassistant", "simple-icons:homeassistant"),
        ("mdi:Home-Automation", "mdi:Home-Automation"),
        ("https://cdn.example.com/Icon.png", "https://cdn.example.com/Icon.png"),
        ("javascript:alert(1)", None),
        ("data:image/svg+xml;base64,PHN2Zz4=", None),
        ("//evil.example.com/x.png", None),
        ("/icons/x.png", None),
        ("ftp://example.com/x.png", None),
        ("mdi:home_assistant", "mdi:home_assistant"),  # the page draws a letter; REST keeps it
        ("sonarr.png", "sonarr.png"),  # Homepage's dashboard-icons name
        ("mdi:../x", None),
    ],
)
def test_icon(raw: str, expected: str | None) -> None:
    r = report()
    assert fields.icon(raw, field="icon", report=r) == expected
    assert bool(r.problems) == (expected is None)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("red", "red"),
        ("#FF0000", "#FF0000"),
        ("rgb(10, 20, 30)", "rgb(10, 20, 30)"),
        ("hsl(120 50% 50% / 0.5)", "hsl(120 50% 50% / 0.5)"),
        ("red; background: url(https://evil)", None),
        ("red}body{display:none", None),
        ("url(//evil.example/x.png)", None),  # would load from anywhere
        ("expression(alert(1))", None),
        ("color-mix(in srgb, red 50%, blue)", None),  # not in the page's rule
    ],
)
def test_color(raw: str, expected: str | None) -> None:
    r = report()
    assert fields.color(raw, field="iconColor", report=r) == expected
    assert bool(r.problems) == (expected is None)


def test_long_values_are_cut_in_reasons() -> None:
    r = report()
    fields.location("x" * 500, field="location", report=r)
    (p,) = r.problems
    assert len(p.reason) < 120
    assert "..." in p.reason
