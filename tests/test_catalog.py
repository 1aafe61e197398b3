"""The catalog: origins merge into one view, and every real change sends exactly one signal."""

from __future__ import annotations

import dataclasses

import pytest

from startpunkt import signals
from startpunkt.catalog import Catalog, group_items, sort_key
from startpunkt.events import payloads
from startpunkt.model import Application, Bookmark
from testkit import items


def app(name: str, *, group: str = "g", ns: str = "default", **kw: object) -> Application:
    return items.application(name, group, namespace=ns, resource_name=name, source="Ingress", **kw)


def mark(name: str, *, group: str = "links", **kw: object) -> Bookmark:
    return items.bookmark(name, group, resource_name=name, **kw)


@pytest.fixture
def heard():
    """Every signal the catalog sends, one entry each: (what `classify` calls it, item name)."""
    log: list[tuple[str, str]] = []

    def receiver(sender, *, old, new, **_):
        names = [kind.value.lower() for kind, _ in payloads.classify(old, new)]
        log.append(("+".join(names) or "no change", (new or old).name))

    signals.item_changed.connect(receiver)
    yield log
    signals.item_changed.disconnect(receiver)


def test_put_update_discard_each_announce_once(heard):
    c = Catalog()
    c.put("o", app("a", url="http://a"))
    c.put("o", app("a", url="http://a2"))
    c.discard("o", app("a").id)
    assert heard == [
        ("application_added", "a"),
        ("application_updated", "a"),
        ("application_removed", "a"),
    ]
    assert c.version == 3


def test_identical_put_announces_nothing(heard):
    c = Catalog()
    c.put("o", app("a", url="http://a"))
    version = c.version
    c.put("o", app("a", url="http://a"))
    c.replace("o", [app("a", url="http://a")])
    assert heard == [("application_added", "a")]
    assert c.version == version


def test_replace_announces_only_differences(heard):
    c = Catalog()
    c.replace("o", [app("a"), app("b"), app("c")])
    heard.clear()
    c.replace("o", [app("a"), app("b", info="new"), app("d")])
    assert sorted(heard) == [
        ("application_added", "d"),
        ("application_removed", "c"),
        ("application_updated", "b"),
    ]


def test_origins_are_independent():
    c = Catalog()
    c.replace("file:1", [app("a")])
    c.replace("file:2", [app("b")])
    c.drop("file:1")
    assert [a.name for a in c.snapshot().applications] == ["b"]


def test_same_id_from_two_origins_first_origin_wins_and_survives_removal(heard):
    c = Catalog()
    c.put("b-origin", app("a", info="from b"))
    c.put("a-origin", app("a", info="from a"))
    assert c.snapshot().applications[0].info == "from a"
    c.drop("a-origin")
    assert c.snapshot().applications[0].info == "from b"
    assert [h[0] for h in heard] == [
        "application_added",
        "application_updated",
        "application_updated",
    ]


def test_bookmarks_use_bookmark_signals(heard):
    c = Catalog()
    c.put("o", mark("m"))
    c.put("o", mark("m", info="x"))
    c.drop("o")
    assert heard == [("bookmark_added", "m"), ("bookmark_updated", "m"), ("bookmark_removed", "m")]


def test_an_item_changing_type_is_one_signal_carrying_both(heard):
    c = Catalog()
    c.put("o", app("a"))
    c.put("o", mark("a", source="Ingress"))
    assert heard == [("application_added", "a"), ("application_removed+bookmark_added", "a")]


def test_availability_change_is_a_status_change_not_an_update(heard):
    c = Catalog()
    c.replace("o", [app("a", url="http://x"), app("b", url="http://x"), app("c", url="http://y")])
    heard.clear()
    c.set_available("http://x", True)
    assert heard == []
    c.set_available("http://x", False)
    assert sorted(heard) == [("status_changed", "a"), ("status_changed", "b")]
    assert [a.available for a in c.snapshot().applications] == [False, False, True]
    heard.clear()
    c.set_available("http://x", False)
    assert heard == []


def test_new_app_on_a_down_url_starts_unavailable():
    c = Catalog()
    c.set_available("http://x", False)
    c.put("o", app("a", url="http://x"))
    assert c.snapshot().applications[0].available is False


def test_snapshot_is_cached_until_a_change():
    c = Catalog()
    c.put("o", app("a"))
    first = c.snapshot()
    assert c.snapshot() is first
    c.put("o", app("b"))
    assert c.snapshot() is not first
    assert first.version < c.snapshot().version


def test_digest_depends_on_content_only():
    one, two = Catalog(), Catalog()
    one.put("x", app("a"))
    two.put("y", app("a"))
    two.put("y", app("b"))
    two.discard("y", app("b").id)
    assert one.snapshot().digest == two.snapshot().digest
    assert one.version != two.version


def test_order_is_group_then_location_then_name_case_insensitively():
    unsorted = [
        app("b", group="Media"),
        app("A", group="media", location=5),
        app("z", group="admin"),
        app("a", group="Media"),
    ]
    assert [(i.group, i.name) for i in sorted(unsorted, key=sort_key)] == [
        ("admin", "z"),
        ("media", "A"),
        ("Media", "a"),
        ("Media", "b"),
    ]


def test_groups_differing_in_case_merge_under_first_members_spelling():
    c = Catalog()
    c.replace("o", [app("b", group="Media"), app("a", group="media", location=1)])
    groups = c.snapshot().application_groups()
    assert [(g.name, [i.name for i in g.items]) for g in groups] == [("media", ["a", "b"])]


def test_tag_filter_shows_untagged_plus_any_match():
    c = Catalog()
    c.replace("o", [app("ha", tags="admin,home"), app("nr", tags="dev, Home"), app("cc")])
    names = lambda tags: [i.name for g in c.snapshot().application_groups(tags) for i in g.items]  # noqa: E731
    assert names(None) == ["cc"]
    assert names(frozenset({"admin"})) == ["cc", "ha"]
    assert names(frozenset({"home"})) == ["cc", "ha", "nr"]
    assert names(frozenset({"nope"})) == ["cc"]


def test_find_application_is_case_insensitive():
    c = Catalog()
    c.put("o", app("Home Assistant", group="Home"))
    snap = c.snapshot()
    assert snap.find_application("home", "home assistant").name == "Home Assistant"
    assert snap.find_application("home", "nope") is None


def test_group_items_of_nothing_is_empty():
    assert group_items([]) == []


def test_application_urls_and_forgetting_probe_results():
    c = Catalog()
    c.replace("o", [app("a", url="http://x"), app("b")])
    assert c.application_urls() == {"http://x"}
    c.set_available("http://gone", False)
    c.forget_urls(c.application_urls())
    c.put("o", app("g", url="http://gone"))
    assert c.snapshot().get(app("g").id).available is True


def test_items_are_immutable():
    with pytest.raises(dataclasses.FrozenInstanceError):
        app("a").name = "b"  # type: ignore[misc]
