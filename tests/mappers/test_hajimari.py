"""Hajimari's Application and Bookmark custom resources (SPEC 2.4): they map like Startpunkt's."""

from __future__ import annotations

import pytest

from startpunkt import mappers, model
from startpunkt.config import Settings, SwitchSettings

from .objects import hajimari_application, hajimari_bookmark, only, problem_fields, settings

SPEC = {
    "name": "Jellyfin",
    "group": "Media",
    "icon": "mdi:Jellyfish",
    "url": "https://Jellyfin.example.com/Web",
    "info": "Films and Shows",
    "targetBlank": True,
    "location": 4,
}


def test_application() -> None:
    mapped = mappers.map_object(hajimari_application(name="jf", spec=SPEC), Settings())
    assert mapped.problems == ()
    assert only(mapped) == model.Application(
        id="hajimariapplication/apps/jf",
        name="Jellyfin",
        group="Media",
        namespace="apps",
        resource_name="jf",
        source="HajimariApplication",
        url="https://Jellyfin.example.com/Web",
        icon="mdi:Jellyfish",
        info="Films and Shows",
        target_blank=True,
        location=4,
    )


@pytest.mark.parametrize(("enabled", "shown"), [(False, False), ("false", False), (True, True)])
def test_enabled(enabled: object, shown: bool) -> None:
    mapped = mappers.map_object(hajimari_application(spec={**SPEC, "enabled": enabled}), Settings())
    assert bool(mapped.items) == shown


def test_location_zero_means_unset() -> None:
    """Hajimari wrote 0 for "no position"; it sorts with the unpositioned items."""
    item = only(mappers.map_object(hajimari_application(spec={**SPEC, "location": 0}), Settings()))
    assert item.location == 1000


def test_url_from_is_not_read_from_hajimari_resources() -> None:
    spec = {
        **SPEC,
        "urlFrom": {
            "apiVersion": "v1",
            "kind": "Service",
            "name": "x",
            "property": "spec.clusterIP",
        },
    }
    item = only(mappers.map_object(hajimari_application(spec=spec), Settings()))
    assert item.url_from is None


def test_root_path_and_tags_annotations_apply() -> None:
    notes = {"startpunkt.ullberg.us/rootPath": "/admin", "startpunkt.ullberg.us/tags": "ops"}
    item = only(mappers.map_object(hajimari_application(spec=SPEC, annotations=notes), Settings()))
    assert (item.url, item.tags) == ("https://Jellyfin.example.com/Web/admin", "ops")


def test_missing_name_falls_back_with_a_problem() -> None:
    spec = {k: v for k, v in SPEC.items() if k != "name"}
    mapped = mappers.map_object(hajimari_application(name="jf", spec=spec), Settings())
    assert only(mapped).name == "jf"
    assert problem_fields(mapped) == ["name"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"location": "abc"}, "location"),
        ({"targetBlank": "maybe"}, "targetBlank"),
        ({"url": "javascript:alert(1)"}, "url"),
    ],
)
def test_bad_fields(change: dict[str, object], field: str) -> None:
    mapped = mappers.map_object(hajimari_application(spec={**SPEC, **change}), Settings())
    assert only(mapped).name == "Jellyfin"
    assert problem_fields(mapped) == [field]


def test_bookmark() -> None:
    spec = {
        "name": "Hajimari",
        "group": "Links",
        "url": "https://github.com/toboshii/hajimari",
        "icon": "mdi:github",
        "targetBlank": False,
    }
    mapped = mappers.map_object(hajimari_bookmark(name="hj", spec=spec), Settings())
    assert mapped.problems == ()
    assert only(mapped) == model.Bookmark(
        id="hajimaribookmark/apps/hj",
        name="Hajimari",
        group="Links",
        namespace="apps",
        resource_name="hj",
        source="HajimariBookmark",
        url="https://github.com/toboshii/hajimari",
        icon="mdi:github",
        target_blank=False,
    )


@pytest.mark.parametrize("build", [hajimari_application, hajimari_bookmark])
def test_switched_off_by_hajimari_enabled(build: object) -> None:
    off = settings(hajimari=SwitchSettings(enabled=False))
    assert mappers.map_object(build(), off) == mappers.Mapped()  # type: ignore[operator]
