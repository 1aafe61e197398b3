"""Annotations of Ingress, Route, VirtualService and HTTPRoute (SPEC 2.2).

The Ingress is the carrier in most tests; the last ones prove every annotated kind reads the
same table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from startpunkt import mappers, model
from startpunkt.config import IngressSettings, Settings
from startpunkt.mappers import annotated

from . import objects
from .objects import OPTED_IN, ingress, only_app

S, H, F = "startpunkt.ullberg.us/", "hajimari.io/", "forecastle.stakater.com/"

# field suffix, Application attribute, three distinct values (startpunkt, hajimari, forecastle)
FIELDS = [
    ("appName", "name", ("Alpha", "Beta", "Gamma")),
    ("group", "group", ("Alpha", "Beta", "Gamma")),
    ("url", "url", ("https://a.example.com", "https://b.example.com", "https://c.example.com")),
    ("icon", "icon", ("mdi:alpha", "mdi:beta", "mdi:gamma")),
    ("iconColor", "icon_color", ("red", "green", "blue")),
    ("info", "info", ("Alpha", "Beta", "Gamma")),
    ("targetBlank", "target_blank", ("true", "false", "true")),
    ("location", "location", ("1", "2", "3")),
]
EXPECTED = {"true": True, "false": False, "1": 1, "2": 2, "3": 3}


def with_field(suffix: str, values: dict[str, str]) -> model.Application:
    notes = {prefix + suffix: value for prefix, value in values.items()}
    return only_app(ingress(annotations={**OPTED_IN, **notes}))


@pytest.mark.parametrize(("suffix", "attr", "values"), FIELDS)
@pytest.mark.parametrize(
    ("present", "winner"),
    [((S, H, F), 0), ((H, F), 1), ((F,), 2), ((S, F), 0)],
    ids=["all-three", "hajimari-over-forecastle", "forecastle-alone", "startpunkt-over-forecastle"],
)
def test_first_key_present_wins(
    suffix: str, attr: str, values: tuple[str, ...], present: tuple[str, ...], winner: int
) -> None:
    by_prefix = dict(zip((S, H, F), values, strict=True))
    app = with_field(suffix, {prefix: by_prefix[prefix] for prefix in present})
    assert getattr(app, attr) == EXPECTED.get(values[winner], values[winner])


@pytest.mark.parametrize(
    ("notes", "name"),
    [
        ({S + "name": "Alias"}, "Alias"),
        ({S + "appName": "Primary", S + "name": "Alias"}, "Primary"),
        ({S + "name": "Alias", H + "appName": "Hajimari"}, "Alias"),
    ],
)
def test_name_alias(notes: dict[str, str], name: str) -> None:
    assert only_app(ingress(annotations={**OPTED_IN, **notes})).name == name


def test_defaults_are_metadata_name_and_namespace() -> None:
    app = only_app(ingress(name="Grafana-Web", namespace="monitoring", annotations=OPTED_IN))
    assert (app.name, app.group) == ("Grafana-Web", "monitoring")
    assert app.location == 1000


def test_values_keep_their_case() -> None:
    """Reference quirk: names, groups, URLs, icons and info were lower-cased."""
    app = only_app(
        ingress(
            annotations={
                **OPTED_IN,
                S + "appName": "Home Assistant",
                S + "group": "Home Automation",
                S + "url": "https://HA.example.com/Lovelace/Default_View",
                S + "icon": "mdi:Home-Assistant",
                S + "info": "Smart Home Manager",
                S + "tags": "Admin,Home",
            }
        )
    )
    assert app.name == "Home Assistant"
    assert app.group == "Home Automation"
    assert app.url == "https://HA.example.com/Lovelace/Default_View"
    assert app.icon == "mdi:Home-Assistant"
    assert app.info == "Smart Home Manager"
    assert app.tags == "Admin,Home"


@pytest.mark.parametrize(
    ("only_annotated", "notes", "shown"),
    [
        (True, {}, False),
        (True, {S + "enable": "true"}, True),
        (True, {S + "enable": "TRUE"}, True),
        (True, {S + "enable": "false"}, False),
        (True, {S + "enabled": "true"}, True),  # older releases' key
        (True, {H + "enable": "true"}, True),
        (True, {F + "expose": "true"}, True),
        (True, {F + "expose": "false"}, False),
        (True, {S + "enable": "false", H + "enable": "true"}, False),  # startpunkt wins
        (True, {S + "appName": "Annotated but not enabled"}, False),
        (False, {}, True),
        (False, {S + "enable": "false"}, False),  # explicit opt-out beats onlyAnnotated: false
        (False, {F + "expose": "False"}, False),
        (False, {S + "enable": "true"}, True),
    ],
)
def test_only_annotated_and_explicit_opt_out(
    only_annotated: bool, notes: dict[str, str], shown: bool
) -> None:
    s = objects.settings(ingress=IngressSettings(only_annotated=only_annotated))
    mapped = mappers.map_object(ingress(annotations=notes), s)
    assert bool(mapped.items) == shown
    assert mapped.problems == ()


@pytest.mark.parametrize(("only_annotated", "shown"), [(True, False), (False, True)])
def test_unreadable_enable_is_reported_and_counts_as_absent(
    only_annotated: bool, shown: bool
) -> None:
    s = objects.settings(ingress=IngressSettings(only_annotated=only_annotated))
    mapped = mappers.map_object(ingress(annotations={S + "enable": "maybe"}), s)
    assert bool(mapped.items) == shown
    assert objects.problem_fields(mapped) == [S + "enable"]


def test_enabled_is_reported_on_the_item() -> None:
    assert only_app(ingress(annotations=OPTED_IN)).enabled is True
    s = objects.settings(ingress=IngressSettings(only_annotated=False))
    assert only_app(ingress(annotations={}), s).enabled is None


@pytest.mark.parametrize("suffix", ["tags", "rootPath", "protocol"])
def test_startpunkt_only_fields_ignore_other_prefixes(suffix: str) -> None:
    notes = {H + suffix: "x", F + suffix: "x"}
    app = only_app(ingress(annotations={**OPTED_IN, **notes}))
    assert (app.tags, app.root_path) == (None, None)
    assert app.url == "http://web.example.com"


def test_tags_and_root_path() -> None:
    app = only_app(
        ingress(annotations={**OPTED_IN, S + "tags": "admin, dev", S + "rootPath": "ui"})
    )
    assert app.tags == "admin, dev"
    assert app.root_path == "ui"
    assert app.url == "http://web.example.com/ui"


def test_root_path_is_appended_to_an_explicit_url_too() -> None:
    app = only_app(
        ingress(annotations={**OPTED_IN, S + "url": "https://x.example.com/", S + "rootPath": "/a"})
    )
    assert app.url == "https://x.example.com/a"


@pytest.mark.parametrize(
    ("notes", "field"),
    [
        ({S + "location": "abc"}, S + "location"),
        ({H + "location": "abc"}, H + "location"),
        ({S + "targetBlank": "maybe"}, S + "targetBlank"),
        ({S + "url": "javascript:alert(1)"}, S + "url"),
        ({F + "url": "data:text/html,hi"}, F + "url"),
        ({S + "icon": "javascript:alert(1)"}, S + "icon"),
        ({S + "iconColor": "red;x:y"}, S + "iconColor"),
    ],
)
def test_bad_field_is_reported_by_its_key_and_the_item_still_served(
    notes: dict[str, str], field: str
) -> None:
    mapped = mappers.map_object(ingress(annotations={**OPTED_IN, **notes}), Settings())
    app = objects.only(mapped)
    assert objects.problem_fields(mapped) == [field]
    assert app.location == 1000
    assert app.target_blank is None
    assert app.url == "http://web.example.com"  # an unsafe explicit url falls back to derivation


def test_values_from_hand_written_yaml_may_be_typed() -> None:
    """Files are YAML: `location: 5` and `targetBlank: true` arrive unquoted."""
    app = only_app(
        ingress(annotations={S + "enable": True, S + "location": 5, H + "targetBlank": True})
    )
    assert (app.enabled, app.location, app.target_blank) == (True, 5, True)


def test_annotations_that_are_not_a_mapping_are_no_annotations() -> None:
    s = objects.settings(ingress=IngressSettings(only_annotated=False))
    app = only_app(ingress(annotations=["not", "a", "mapping"]), s)  # type: ignore[arg-type]
    assert app.name == "web"


@pytest.mark.parametrize("build", list(objects.ALL_ANNOTATED_KINDS.values()))
def test_every_annotated_kind_reads_the_same_table(build: Callable[..., dict[str, Any]]) -> None:
    notes = {
        **OPTED_IN,
        H + "appName": "Named",
        F + "group": "Grouped",
        S + "icon": "mdi:web",
        S + "info": "About",
        S + "location": "4",
        S + "tags": "ops",
        S + "url": "https://explicit.example.com/Path",
    }
    app = only_app(build(annotations=notes))
    assert (app.name, app.group, app.icon, app.info, app.location, app.tags) == (
        "Named",
        "Grouped",
        "mdi:web",
        "About",
        4,
        "ops",
    )
    assert app.url == "https://explicit.example.com/Path"


@pytest.mark.parametrize("build", list(objects.ALL_ANNOTATED_KINDS.values()))
def test_every_annotated_kind_is_only_annotated_by_default(
    build: Callable[..., dict[str, Any]],
) -> None:
    assert mappers.map_object(build(annotations={}), Settings()).items == ()


def test_lookup_reports_the_first_key_when_none_is_present() -> None:
    assert annotated.lookup({}, "location") == (S + "location", None)
    assert annotated.lookup({F + "group": "g"}, "group") == (F + "group", "g")
