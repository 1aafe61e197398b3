"""Icons served from the installed Iconify sets: SVG, immutable URLs, aliases and flips as
Iconify draws them, the page pointing at them, and the CDN when no data is installed."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import pytest
from flask.testing import FlaskClient

import startpunkt
from startpunkt import bundled, catalog, iconsets
from startpunkt.config import Settings
from testkit import items

SET = {
    "prefix": "mdi",
    "width": 24,
    "height": 24,
    "icons": {
        "home": {"body": '<path fill="currentColor" d="M10 20v-6h4v6h5v-8h3L12 3L2 12h3v8z"/>'},
        "wide": {"body": "<path d='M0 0h32v16z'/>", "width": 32, "height": 16, "left": 2},
    },
    "aliases": {
        "house": {"parent": "home"},
        "home-flipped": {"parent": "home", "hFlip": True},
        "wide-turned": {"parent": "wide", "rotate": 1},
        "both": {"parent": "home", "hFlip": True, "vFlip": True},
        "loop": {"parent": "loop"},
    },
}


@pytest.fixture
def modules(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A node_modules holding one small set, as `npm ci` lays it out; the app reads it."""
    directory = tmp_path / "node_modules" / "@iconify-json" / "mdi"
    directory.mkdir(parents=True)
    (directory / "icons.json").write_text(json.dumps(SET))
    monkeypatch.setenv(bundled.ASSETS_ENV, str(tmp_path))
    return tmp_path / "node_modules"


def client(root_path: str = "/") -> FlaskClient:
    cat = catalog.Catalog()
    cat.replace("test", [items.application("HA", "Home", url="https://ha.example", icon="home")])
    defaults = Settings()
    web = dataclasses.replace(defaults.web, root_path=root_path)
    settings = dataclasses.replace(defaults, web=web)
    return startpunkt.create_app(settings, catalog=cat, start=False).test_client()


def token(modules: Path) -> str:
    return iconsets.discover(modules)["mdi"].token


def test_an_installed_icon_is_an_immutable_svg(modules: Path) -> None:
    response = client().get(f"/icons/mdi/{token(modules)}/home.svg")
    assert response.status_code == 200
    assert response.mimetype == "image/svg+xml"
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.data == (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="24" height="24" viewBox="0 0 24 24">'
        + SET["icons"]["home"]["body"].encode()
        + b"</svg>"
    )
    again = client().get(response.request.path, headers={"If-None-Match": response.headers["ETag"]})
    assert again.status_code == 304


def test_an_old_token_still_draws_but_is_revalidated(modules: Path) -> None:
    response = client().get("/icons/mdi/000000000000/home.svg")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "path", ["/icons/mdi/x/nothing.svg", "/icons/logos/x/home.svg", "/icons/mdi/x/loop.svg"]
)
def test_unknown_icons_and_sets_are_404(modules: Path, path: str) -> None:
    assert client().get(path).status_code == 404


def test_aliases_flips_and_rotation_follow_iconify(modules: Path) -> None:
    sets = iconsets.discover(modules)["mdi"]
    assert sets.svg("house") == sets.svg("home")
    flipped = sets.svg("home-flipped") or b""
    assert b'<g transform="translate(24 0) scale(-1 1)">' in flipped
    turned = sets.svg("wide-turned") or b""
    assert b'width="16" height="32" viewBox="0 2 16 32"' in turned
    assert b'<g transform="rotate(90 8 8)">' in turned
    assert b'<g transform="rotate(180 12 12)">' in (sets.svg("both") or b"")


def test_the_page_draws_installed_sets_from_the_app_and_others_from_the_cdn(
    modules: Path,
) -> None:
    html = client("/start").get("/start/").get_data(as_text=True)
    local = f"/start/icons/mdi/{token(modules)}"
    assert f'data-icon="{local}/home.svg"' in html
    assert 'data-icon-fallback="https://api.iconify.design/mdi/home.svg"' in html
    state = json.loads(
        html.split('<script id="initial-state" type="application/json">')[1].split("</script>")[0]
    )
    assert state["icons"] == {"mdi": local}
    assert state["root"] == "/start"


def test_without_icon_data_the_page_uses_the_cdn(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(bundled.ASSETS_ENV, str(tmp_path))
    html = client().get("/").get_data(as_text=True)
    assert 'data-icon="https://api.iconify.design/mdi/home.svg"' in html
    assert "data-icon-fallback" not in html
