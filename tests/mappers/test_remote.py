"""A remote instance's JSON → our items: the same rules as a local object's, and caps."""

from __future__ import annotations

import json

import pytest

from startpunkt import model
from startpunkt.mappers import MAPPINGS
from startpunkt.mappers import remote as mapping

APP = {
    "id": "ingress/media/plex",
    "name": "Plex",
    "group": "Media",
    "namespace": "media",
    "resourceName": "plex",
    "source": "Ingress",
    "url": "https://plex.example.com",
    "icon": "mdi:plex",
    "iconColor": "#e5a00d",
    "info": "Films",
    "targetBlank": True,
    "location": 3,
    "enabled": True,
    "rootPath": "/web",
    "tags": "media",
    "available": False,
    "cluster": "home",
    "stale": True,
    "staleSince": "2026-01-01T00:00:00Z",
}


def one(obj: object, kind: str = "application") -> model.Item:
    mapped = getattr(mapping, kind)(obj, cluster="west")
    (item,) = mapped.items
    return item


def reasons(obj: object, kind: str = "application") -> list[str]:
    return [p.reason for p in getattr(mapping, kind)(obj, cluster="west").problems]


def test_an_application_keeps_every_field_and_gets_our_cluster_and_id() -> None:
    item = one(APP)
    assert model.to_json(item) == {
        **{k: v for k, v in APP.items() if k not in ("stale", "staleSince")},
        "id": "west:ingress/media/plex",
        "cluster": "west",
    }
    assert item.remote is True


def test_a_bookmark() -> None:
    mark = {"id": "bookmark/x/docs", "name": "Docs", "group": "Links", "url": "https://d.example"}
    item = one(mark, "bookmark")
    assert isinstance(item, model.Bookmark)
    assert (item.id, item.source, item.cluster) == ("west:bookmark/x/docs", "Bookmark", "west")


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "data:text/html,x", "//evil.example", "https://a b", " "]
)
def test_only_http_urls_survive(url: str) -> None:
    item = one({**APP, "url": url})
    assert item.url is None


def test_markup_stays_text() -> None:
    """Nothing is stripped or rendered: the page inserts it as text (tests/browser)."""
    item = one({**APP, "name": "<img src=x onerror=alert(1)>", "info": "<b>bold</b>"})
    assert item.name == "<img src=x onerror=alert(1)>"


def test_colours_and_icons_follow_the_local_rules() -> None:
    item = one({**APP, "iconColor": "red; background: url(x)", "icon": "../../etc"})
    assert (item.icon_color, item.icon) == (None, None)


@pytest.mark.parametrize("field", ["name", "group", "id"])
def test_a_missing_or_unusable_required_field_skips_the_item(field: str) -> None:
    for value in (None, "", 42 if field == "id" else ["x"], "x" * 10_000):
        assert mapping.application({**APP, field: value}, cluster="west").items == ()
        assert any("skipped" in r for r in reasons({**APP, field: value}))


def test_long_optional_fields_are_dropped_and_said() -> None:
    item = one({**APP, "info": "i" * 5000, "tags": "t" * 5000})
    assert (item.info, item.tags) == (None, None)
    assert any(r.startswith("info: 5000 characters") for r in reasons({**APP, "info": "i" * 5000}))


def test_lone_surrogates_never_reach_our_json() -> None:
    obj = json.loads('{"id": "a", "name": "x\\ud800", "group": "g", "info": "\\udfff"}')
    assert mapping.application(obj, cluster="west").items == ()
    item = one({**obj, "name": "fine"})
    assert item.info is None
    json.dumps(model.to_json(item), ensure_ascii=False).encode()


@pytest.mark.parametrize("obj", [None, [], "x", 3, {"id": {}}])
def test_what_is_not_an_item_gives_nothing(obj: object) -> None:
    assert mapping.application(obj, cluster="west").items == ()


def test_a_hidden_application_gives_nothing_and_an_unknown_source_reads_as_the_default() -> None:
    assert mapping.application({**APP, "enabled": False}, cluster="west").items == ()
    assert one({**APP, "source": "<script>"}).source == "Application"


def test_problems_name_the_item_type_not_the_remotes_text() -> None:
    """Problem kinds label a metric: a remote must not mint label values."""
    mapped = mapping.application({**APP, "source": "Evil", "url": "x:y"}, cluster="w")
    [problem, *_] = mapped.problems
    assert problem.kind == "Application"


def test_the_sources_it_accepts_are_what_our_mappers_give() -> None:
    ours = {m.source for m in MAPPINGS.values()}
    assert mapping.SOURCES["Application"] | mapping.SOURCES["Bookmark"] == ours


def test_own_id() -> None:
    assert mapping.own_id({"id": "a/b/c"}) == "a/b/c"
    assert mapping.own_id({"id": 5}) is None and mapping.own_id("x") is None
