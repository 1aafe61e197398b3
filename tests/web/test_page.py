"""The server-rendered start page: first paint, tag paths, escaping, links, what it leaves alone."""

from __future__ import annotations

import dataclasses
import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest
from flask.testing import FlaskClient

import startpunkt
from startpunkt import catalog, config, model, runtime
from startpunkt.config import Settings
from testkit import items

XSS = "<img src=x onerror=alert(1)>"


ITEMS = [
    items.application(
        "Jellyfin", "Media", url="https://jellyfin.example.com", info="Movies and shows"
    ),
    items.application("Sonarr", "Media", url="https://sonarr.example.com", tags="admin, Media"),
    items.application("Grafana", "Monitoring", url="https://grafana.example.com", tags="ops"),
    items.application("Home Assistant", "Home", url="http://ha.example.com:8123", icon="mdi:home"),
    items.bookmark("Kubernetes docs", "Docs", url="https://kubernetes.io/docs"),
]


def client_for(shown: list[model.Item], settings: Settings | None = None) -> FlaskClient:
    cat = catalog.Catalog()
    cat.replace("test:page", shown)
    app = startpunkt.create_app(settings or Settings(), catalog=cat, start=False)
    runtime.get(app).icon_sets = {}  # as without the npm data: icons come from the CDN
    return app.test_client()


class Links(HTMLParser):
    """Every href, every card's name text, and the group titles of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.names: list[str] = []
        self.groups: list[str] = []
        self._into: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if "href" in found:
            self.hrefs.append(found["href"] or "")
        classes = (found.get("class") or "").split()
        if "card__name" in classes:
            self._into = self.names
        elif "group__name" in classes:
            self._into = self.groups

    def handle_data(self, data: str) -> None:
        if self._into is not None:
            self._into.append(data)
            self._into = None


def parse(html: str) -> Links:
    links = Links()
    links.feed(html)
    return links


def initial_state(html: str) -> dict[str, Any]:
    found = re.search(r'<script id="initial-state" type="application/json">(.*?)</script>', html)
    assert found, "the page embeds its initial state"
    return json.loads(found.group(1))


def test_first_paint_shows_groups_apps_and_bookmarks() -> None:
    response = client_for(ITEMS).get("/")
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    page = parse(response.get_data(as_text=True))
    assert page.groups == ["Home", "Media", "Docs"]
    assert page.names == ["Home Assistant", "Jellyfin", "Kubernetes docs"]
    html = response.get_data(as_text=True)
    assert "Movies and shows" in html
    assert "https://jellyfin.example.com" in page.hrefs
    assert 'data-icon="https://api.iconify.design/mdi/home.svg"' in html


def test_tag_path_shows_untagged_and_any_of_the_tags() -> None:
    client = client_for(ITEMS)
    assert parse(client.get("/admin").get_data(as_text=True)).names == [
        "Home Assistant",
        "Jellyfin",
        "Sonarr",
        "Kubernetes docs",
    ]
    assert parse(client.get("/OPS,nothing").get_data(as_text=True)).names == [
        "Home Assistant",
        "Jellyfin",
        "Grafana",
        "Kubernetes docs",
    ]
    html = client.get("/admin").get_data(as_text=True)
    assert '<span class="tag">admin</span><span class="tag">Media</span>' in html
    assert initial_state(html)["tags"] == ["admin"]


def test_a_name_that_is_html_is_shown_as_text() -> None:
    html = (
        client_for([items.application(XSS, XSS, url="https://x.example.com", info=XSS)])
        .get("/")
        .get_data(as_text=True)
    )
    assert XSS not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert parse(html).names == [XSS]
    assert initial_state(html)["applications"][0]["name"] == XSS


@pytest.mark.parametrize(
    "url",
    ["javascript:alert(1)", "JavaScript:alert(1)", " javascript:alert(1)", "data:text/html,x"],
)
def test_an_unsafe_url_never_becomes_a_link(url: str) -> None:
    html = (
        client_for([items.application("Evil", "G", url=url, icon=url)])
        .get("/")
        .get_data(as_text=True)
    )
    hrefs = parse(html).hrefs
    assert not [h for h in hrefs if not h.startswith(("/", "#", "http://", "https://"))]
    assert "javascript:" not in " ".join(hrefs).lower()
    assert 'class="card card--app card--nolink" tabindex="0"' in html
    assert "data-icon=" not in html


def test_unavailable_apps_are_marked_and_not_links() -> None:
    cat = catalog.Catalog()
    cat.replace("test:page", [items.application("Down", "G", url="https://down.example.com")])
    cat.set_available("https://down.example.com", False)
    html = startpunkt.create_app(Settings(), catalog=cat, start=False).test_client().get("/")
    text = html.get_data(as_text=True)
    assert "https://down.example.com" not in parse(text).hrefs
    assert "card--down" in text
    assert ">Unavailable</span>" in text


def test_groups_and_sections_count_their_available_items() -> None:
    """Both counts are rendered; the stylesheet picks one by the layout preference."""
    cat = catalog.Catalog()
    shown = [
        items.application("Up 1", "Lab", url="https://up.example.com"),
        items.application("Up 2", "Lab", url="https://up.example.com/2"),
        items.application("Down", "Lab", url="https://down.example.com"),
        items.application("Later", "Attic", url="https://later.example.com"),
        items.bookmark("Docs", "Docs", url="https://docs.example.com"),
    ]
    cat.replace("test:page", shown)
    cat.set_available("https://down.example.com", False)
    cat.set_available("https://later.example.com", False)
    client = startpunkt.create_app(Settings(), catalog=cat, start=False).test_client()
    text = client.get("/").get_data(as_text=True)
    counts = re.findall(
        r'data-key="(\w+:\w+)" data-available="(\d+)">.*?'
        r'<span class="group__total">(\d+)</span><span class="group__available">(\d+)</span>',
        text,
        re.DOTALL,
    )
    assert counts == [
        ("apps:attic", "0", "1", "0"),
        ("apps:lab", "2", "3", "2"),
        ("bookmarks:docs", "1", "1", "1"),
    ]
    assert 'id="applications" aria-labelledby="applications-title" data-available="2"' in text
    assert 'id="bookmarks" aria-labelledby="bookmarks-title" data-available="1"' in text


def test_theme_colours_are_css_variables_and_cannot_break_out() -> None:
    """The loader refuses such a colour (tests/test_config_ranges.py); the page checks again."""
    evil = "red;}</style><script>alert(1)"
    with pytest.raises(config.ConfigError):
        config.from_mapping({"startpunkt": {"web": {"theme": {"light": {"bodyColor": evil}}}}}, {})
    base = config.Settings()
    light = dataclasses.replace(base.web.theme.light, body_bg_color="#101010", body_color=evil)
    theme = dataclasses.replace(base.web.theme, light=light)
    settings = dataclasses.replace(base, web=dataclasses.replace(base.web, theme=theme))
    html = client_for(ITEMS, settings).get("/").get_data(as_text=True)
    assert "--body-bg-color: #101010;" in html
    assert "<script>alert(1)" not in html
    assert "--body-color: #696969;" in html


def test_icon_colour_cannot_inject_css() -> None:
    evil = items.application(
        "A", "G", url="https://a.example.com", icon_color="red; background: url(x)"
    )
    good = items.application("B", "G", url="https://b.example.com", icon_color="#ff8800")
    html = client_for([evil, good]).get("/").get_data(as_text=True)
    assert "url(x)" not in html.split('id="initial-state"')[0]
    assert "--icon-color: #ff8800" in html


def test_the_default_language_is_rendered_first() -> None:
    settings = config.from_mapping({"startpunkt": {"defaultLanguage": "sv-SE"}}, environ={})
    html = client_for(ITEMS, settings).get("/").get_data(as_text=True)
    assert '<html lang="sv-SE"' in html
    assert 'data-i18n="home.applications">Program</h2>' in html
    assert 'data-i18n="home.bookmarks">Bokmärken</h2>' in html


def test_an_empty_catalog_shows_how_to_add_items() -> None:
    html = client_for([]).get("/").get_data(as_text=True)
    assert '<div class="empty" id="empty">' in html
    assert "startpunkt.ullberg.us/enable" in html
    assert 'id="applications" aria-labelledby="applications-title" hidden' in html


def test_the_page_forbids_inline_scripts() -> None:
    response = client_for(ITEMS).get("/")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "<script>" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/xyz", "/api", "/q/xyz", "/static", "/q"])
def test_other_prefixes_are_not_served_by_the_page(path: str) -> None:
    response = client_for(ITEMS).get(path)
    assert response.status_code == 404
    assert response.mimetype == "application/json"
    assert "Jellyfin" not in response.get_data(as_text=True)


def test_every_script_module_is_preloaded() -> None:
    html = client_for(ITEMS).get("/").get_data(as_text=True)
    modules = {p.name for p in (startpunkt.ROOT / "static" / "js").glob("*.js")}
    preloaded = set(re.findall(r'<link rel="modulepreload" href="/static/js/([\w-]+\.js)">', html))
    classic = {"theme-init.js", "prefs-init.js", "swagger-init.js"}  # not modules
    assert preloaded == modules - {"main.js"} - classic
