"""Finding 9 of issue 12 (the parts outside the stream) and the field caps of finding 1.

Bugs, each reproduced against the main of issue 12:
- a `location` annotation of more than 4,300 digits skipped the whole object with a traceback
  (`int()` refuses that many digits) instead of defaulting the field;
- a 1 MB annotation became a 6.3 MB event for every client (ASCII-only JSON: `\\uXXXX` each);
- `https://\\u2028evil…` URLs, and `iconColor: url(//…)` or `expression(…)`, were feared to
  reach REST/SSE clients that do not filter them (the page does).
Fix: a location is read only when it has at most 12 digits; every text field is cut at
`limits.maxFieldLength` characters (a URL or an icon that long is dropped), with a problem
naming the field; URLs and colours pass `startpunkt.safe` before any client sees them.
"""

from __future__ import annotations

import pytest

from startpunkt import config, mappers, model
from startpunkt.events import payloads
from startpunkt.mappers import results

LONG = "界" * 1_000_000


def ingress(**annotations: str) -> dict:
    keys = {f"startpunkt.ullberg.us/{k}": v for k, v in annotations.items()}
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": "plex",
            "namespace": "media",
            "annotations": {"startpunkt.ullberg.us/enable": "true", **keys},
        },
        "spec": {"rules": [{"host": "plex.example.com"}]},
    }


def mapped(obj: dict, settings: config.Settings | None = None) -> mappers.Mapped:
    return mappers.map_object(obj, settings or config.Settings())


@pytest.mark.parametrize("digits", [4301, 5000, 100_000])
def test_a_location_of_thousands_of_digits_defaults_the_field(digits: int) -> None:
    result = mapped(ingress(location="7" * digits))
    (item,) = result.items
    assert item.location == model.DEFAULT_LOCATION
    (problem,) = result.problems
    assert problem.field == "startpunkt.ullberg.us/location"
    assert len(problem.reason) < 200


def test_a_huge_integer_from_yaml_is_not_a_location_nor_text() -> None:
    obj = {
        "apiVersion": "startpunkt.ullberg.us/v1alpha4",
        "kind": "Application",
        "metadata": {"name": "a", "namespace": "n"},
        "spec": {"name": 10**5000, "url": "https://a.example", "location": -(10**5000)},
    }
    (item,) = mapped(obj).items
    assert (item.name, item.location) == ("a", model.DEFAULT_LOCATION)


def test_a_1mb_annotation_is_cut_and_the_event_stays_small() -> None:
    result = mapped(ingress(info=LONG, appName=LONG, group=LONG, tags=LONG))
    (item,) = result.items
    limit = config.Settings().limits.max_field_length
    for value in (item.info, item.name, item.group, item.tags):
        assert value is not None and len(value) == limit and value.endswith("…")
    assert {p.field for p in result.problems} == {
        "startpunkt.ullberg.us/info",
        "startpunkt.ullberg.us/appName",
        "startpunkt.ullberg.us/group",
        "startpunkt.ullberg.us/tags",
    }
    assert all(len(p.reason) < 200 for p in result.problems)
    event = payloads.frame(
        payloads.EventType.APPLICATION_ADDED,
        payloads.payload(payloads.EventType.APPLICATION_ADDED, item),
        event_id="e-1",
    )
    assert len(event) < 6 * 4 * limit + 2000  # four capped fields, 6 bytes per escaped char


def test_a_url_or_icon_too_long_to_cut_is_dropped() -> None:
    url = "https://plex.example.com/" + "a" * 5000
    result = mapped(ingress(url=url, icon="mdi:" + "x" * 5000))
    (item,) = result.items
    assert item.url == "http://plex.example.com"  # derived from the rule instead
    assert item.icon is None
    assert len(result.problems) == 2


def test_the_cap_is_a_setting() -> None:
    settings = config.from_mapping({"startpunkt": {"limits": {"maxFieldLength": 100}}}, {})
    (item,) = mapped(ingress(info="x" * 150), settings).items
    assert item.info == "x" * 99 + "…"


@pytest.mark.parametrize(
    "url",
    [
        "https://\u2028evil.example.com/",
        "https://evil.example.com\u2028/",
        "https://\u2029evil.example.com",
        "https://\u202eevil.example.com",
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "https://a.example.com/\r\n\r\nevent: RESYNC",
    ],
)
def test_urls_that_are_not_plain_http_never_reach_clients(url: str) -> None:
    result = mapped(ingress(url=url))
    (item,) = result.items
    assert item.url == "http://plex.example.com"
    assert any(p.field == "startpunkt.ullberg.us/url" for p in result.problems)


@pytest.mark.parametrize(
    "colour",
    [
        "url(//evil.example/x.png)",
        "url(javascript:alert(1))",
        "expression(alert(1))",
        "red; background: url(x)",
        "red}</style><script>alert(1)</script>",
        "#fff\\",
    ],
)
def test_icon_colours_that_are_not_colours_never_reach_rest_or_events(colour: str) -> None:
    result = mapped(ingress(iconColor=colour))
    (item,) = result.items
    assert item.icon_color is None
    assert "iconColor" not in model.to_json(item)
    event = payloads.frame(
        payloads.EventType.APPLICATION_ADDED, model.to_json(item), event_id="e-1"
    )
    assert b"url(" not in event and b"expression(" not in event


def test_an_overlong_name_skips_the_object_with_a_short_reason() -> None:
    obj = ingress()
    obj["metadata"]["name"] = "n" * 100_000
    result = mapped(obj)
    assert result.items == ()
    (problem,) = result.problems
    assert len(problem.name) <= 60 and "longer than 253" in problem.reason


def test_show_never_builds_a_huge_repr() -> None:
    part: list = ["lol"] * 9
    for _ in range(30):  # 9 ** 30 strings if written out
        part = [part] * 9
    assert len(results.show(part)) <= 60
    assert len(results.show(LONG)) <= 60
