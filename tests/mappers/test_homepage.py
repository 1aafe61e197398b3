"""Homepage's annotations (gethomepage.dev), instances, and the precedence of all four families."""

from __future__ import annotations

import pytest

from startpunkt import mappers
from startpunkt.config import Settings

from .objects import ALL_ANNOTATED_KINDS, ingress, only_app, problem_fields, settings

HOMEPAGE = {
    "gethomepage.dev/enabled": "true",
    "gethomepage.dev/name": "Sonarr",
    "gethomepage.dev/group": "Media",
    "gethomepage.dev/icon": "sonarr.png",
    "gethomepage.dev/description": "TV shows",
    "gethomepage.dev/href": "https://sonarr.example.com/",
    "gethomepage.dev/weight": "7",
    # Read and ignored: no widgets or pod status here.
    "gethomepage.dev/app": "sonarr",
    "gethomepage.dev/pod-selector": "app.kubernetes.io/name=sonarr",
    "gethomepage.dev/widget.type": "sonarr",
    "gethomepage.dev/widget.url": "http://sonarr.media:8989",
    "gethomepage.dev/widget.key": "secret",
}


@pytest.mark.parametrize("kind", sorted(ALL_ANNOTATED_KINDS))
def test_an_object_annotated_for_homepage_shows_unchanged(kind: str) -> None:
    mapped = mappers.map_object(ALL_ANNOTATED_KINDS[kind](annotations=dict(HOMEPAGE)), Settings())
    (app,) = mapped.items
    assert mapped.problems == ()
    assert (app.name, app.group, app.icon, app.info, app.url, app.location) == (
        "Sonarr",
        "Media",
        "sonarr.png",
        "TV shows",
        "https://sonarr.example.com/",
        7,
    )
    assert app.enabled is True


@pytest.mark.parametrize(
    ("given", "shown"),
    [
        ("mdi-television", "mdi:television"),
        ("si-github", "simple-icons:github"),
        ("sh-sonarr", "sh-sonarr"),
        ("emby.png", "emby.png"),
        ("https://cdn.example.com/x.svg", "https://cdn.example.com/x.svg"),
    ],
)
def test_homepage_icon_names_reach_the_page_icon_logic(given: str, shown: str) -> None:
    notes = {"gethomepage.dev/enabled": "true", "gethomepage.dev/icon": given}
    assert only_app(ingress(annotations=notes)).icon == shown


def test_a_weight_that_is_not_a_number_affects_only_that_field() -> None:
    notes = {**HOMEPAGE, "gethomepage.dev/weight": "heavy"}
    mapped = mappers.map_object(ingress(annotations=notes), Settings())
    (app,) = mapped.items
    assert app.location == 1000 and app.name == "Sonarr"
    assert problem_fields(mapped) == ["gethomepage.dev/weight"]
    assert "'heavy'" in mapped.problems[0].reason


FAMILIES = [
    "startpunkt.ullberg.us/",
    "hajimari.io/",
    "forecastle.stakater.com/",
    "gethomepage.dev/",
]
FIELDS = {
    # field: (suffix per family, attribute)
    "name": (("appName", "appName", "appName", "name"), "name"),
    "group": (("group", "group", "group", "group"), "group"),
    "info": (("info", "info", "info", "description"), "info"),
    "url": (("url", "url", "url", "href"), "url"),
    "icon": (("icon", "icon", "icon", "icon"), "icon"),
    "location": (("location", "location", "location", "weight"), "location"),
}


def value(field: str, family: int) -> str:
    if field == "url":
        return f"https://f{family}.example.com"
    if field == "location":
        return str(family + 1)
    return f"{field}-{family}"


@pytest.mark.parametrize("field", sorted(FIELDS))
@pytest.mark.parametrize("first", range(4))
def test_precedence_with_all_four_families_on_one_object(field: str, first: int) -> None:
    """startpunkt.ullberg.us, hajimari.io, forecastle.stakater.com, then gethomepage.dev."""
    suffixes, attribute = FIELDS[field]
    notes = {"startpunkt.ullberg.us/enable": "true"}
    for family in range(first, 4):
        notes[FAMILIES[family] + suffixes[family]] = value(field, family)
    app = only_app(ingress(annotations=notes))
    expected = value(field, first)
    assert str(getattr(app, attribute)) == expected


@pytest.mark.parametrize("first", range(4))
def test_enable_precedence_with_all_four_families(first: int) -> None:
    keys = [
        "startpunkt.ullberg.us/enable",
        "hajimari.io/enable",
        "forecastle.stakater.com/expose",
        "gethomepage.dev/enabled",
    ]
    notes = {key: "false" for key in keys[first + 1 :]}
    notes[keys[first]] = "true"
    assert only_app(ingress(annotations=notes)).enabled is True
    notes = {key: "true" for key in keys[first + 1 :]}
    notes[keys[first]] = "false"
    assert mappers.map_object(ingress(annotations=notes), Settings()).items == ()


OPTED = {"startpunkt.ullberg.us/enable": "true"}


@pytest.mark.parametrize(
    "key",
    [
        "startpunkt.ullberg.us/instance",
        "hajimari.io/instance",
        "forecastle.stakater.com/instance",
        "gethomepage.dev/instance",
    ],
)
def test_an_instance_annotation_limits_the_object_to_those_instances(key: str) -> None:
    o = ingress(annotations={**OPTED, key: "internal, lab"})
    for name, shown in [("internal", True), ("lab", True), ("public", False), (None, False)]:
        mapped = mappers.map_object(o, settings(instance_name=name))
        assert bool(mapped.items) is shown, name
        assert mapped.problems == ()


def test_homepage_instance_name_keys_limit_too() -> None:
    o = ingress(annotations={**OPTED, "gethomepage.dev/instance.internal.href": "https://x.lan"})
    assert mappers.map_object(o, settings(instance_name="internal")).items
    assert not mappers.map_object(o, settings(instance_name="public")).items
    bare = ingress(annotations={**OPTED, "gethomepage.dev/instance.public": "true"})
    assert mappers.map_object(bare, settings(instance_name="public")).items


def test_objects_without_an_instance_show_everywhere() -> None:
    o = ingress(annotations=dict(OPTED))
    for name in (None, "internal"):
        assert mappers.map_object(o, settings(instance_name=name)).items


def test_custom_resources_honour_the_instance_annotation_too() -> None:
    from .objects import application

    o = application(annotations={"startpunkt.ullberg.us/instance": "lab"})
    assert mappers.map_object(o, settings(instance_name="lab")).items
    assert not mappers.map_object(o, settings(instance_name="home")).items
