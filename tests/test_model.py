"""The JSON shape every client sees, and tag parsing."""

from __future__ import annotations

from startpunkt.model import Application, UrlFrom, item_id, split_tags, to_json
from testkit import items


def test_to_json_uses_camel_case_and_omits_empty_fields():
    app = Application(
        id="ingress/media/plex",
        name="Plex",
        group="Media",
        namespace="media",
        resource_name="plex",
        source="Ingress",
        url="https://plex.example.com",
        icon="mdi:plex",
        icon_color="",
        target_blank=True,
        root_path="/web",
        tags=None,
        url_from=UrlFrom(api_version="v1", kind="Service", name="x", property="spec"),
    )
    assert to_json(app) == {
        "id": "ingress/media/plex",
        "name": "Plex",
        "group": "Media",
        "namespace": "media",
        "resourceName": "plex",
        "source": "Ingress",
        "url": "https://plex.example.com",
        "icon": "mdi:plex",
        "targetBlank": True,
        "location": 1000,
        "cluster": "local",
        "rootPath": "/web",
        "available": True,
        "enabled": True,
    }


def test_target_blank_and_enabled_are_always_booleans_as_the_reference_sends_them():
    app = items.application("Plex", "Media", target_blank=None, enabled=None)
    assert (to_json(app)["targetBlank"], to_json(app)["enabled"]) == (False, True)
    app = items.application("Plex", "Media", target_blank=False, enabled=True)
    assert (to_json(app)["targetBlank"], to_json(app)["enabled"]) == (False, True)
    mark = items.bookmark("Docs", "Links", target_blank=None)
    assert to_json(mark)["targetBlank"] is False
    assert "enabled" not in to_json(mark)


def test_bookmark_json():
    mark = items.bookmark("Docs", "Links", resource_name="docs", url="https://docs.example.com")
    assert to_json(mark)["resourceName"] == "docs"
    assert "icon" not in to_json(mark)


def test_item_id_is_kind_namespace_name():
    assert item_id("HTTPRoute", "web", "shop") == "httproute/web/shop"


def test_split_tags_trims_lowercases_and_drops_empties():
    assert split_tags(" Admin, home ,,") == frozenset({"admin", "home"})
    assert split_tags(None) == frozenset()
