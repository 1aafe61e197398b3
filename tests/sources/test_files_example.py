"""The bundled example (served when nothing is configured) maps cleanly and shows every kind."""

from __future__ import annotations

import logging
from pathlib import Path

from startpunkt import config

KINDS = {
    "Ingress",
    "Route",
    "VirtualService",
    "HTTPRoute",
    "Application",
    "HajimariApplication",
    "Bookmark",
    "HajimariBookmark",
    "IngressRoute",
}


def test_the_homelab_example_maps_without_a_single_problem(start_source, catalog, caplog):
    caplog.set_level(logging.WARNING)
    start_source(Path(config.EXAMPLE_DIRECTORY))
    snap = catalog.snapshot()
    assert caplog.records == []
    assert {item.source for item in (*snap.applications, *snap.bookmarks)} == KINDS
    shown = snap.application_groups()
    assert sum(len(g.items) for g in shown) >= 15
    assert len(shown) >= 5
    assert len(snap.bookmark_groups()) >= 3
    assert all(a.url and a.url.startswith(("http://", "https://")) for a in snap.applications)
    assert {a.namespace for a in snap.applications} >= {
        "media",
        "home",
        "monitoring",
        "infra",
        "dev",
    }
    assert {b.namespace for b in snap.bookmarks} == {"default"}


def test_the_example_shows_tags_root_paths_and_url_from(start_source, catalog):
    start_source(Path(config.EXAMPLE_DIRECTORY))
    snap = catalog.snapshot()
    untagged = {a.name for g in snap.application_groups() for a in g.items}
    admin = {a.name for g in snap.application_groups(frozenset({"admin"})) for a in g.items}
    assert admin - untagged == {"Prometheus", "Alertmanager", "Traefik"}
    assert any(a.root_path and a.url.endswith(a.root_path) for a in snap.applications)
    overseerr = snap.find_application("Media", "Overseerr")
    assert overseerr is not None and overseerr.url == "https://requests.home.arpa"
    development = [g for g in snap.application_groups() if g.name.lower() == "development"]
    assert len(development) == 1 and len(development[0].items) == 3


def test_the_example_shows_homepage_annotations_and_an_ingress_route(start_source, catalog):
    start_source(Path(config.EXAMPLE_DIRECTORY))
    snap = catalog.snapshot()
    bazarr = snap.find_application("Media", "Bazarr")
    assert bazarr is not None and bazarr.url == "https://bazarr.home.arpa/"
    assert (bazarr.icon, bazarr.location) == ("mdi:subtitles", 8)
    books = snap.find_application("Media", "Audiobookshelf")
    assert books is not None and books.url == "https://books.home.arpa/audiobookshelf"
