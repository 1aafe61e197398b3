"""Icons without the internet (issue 15): `mdi:` and `simple-icons:` names draw from the sets the
app serves itself, with Iconify's CDN blocked; a name the sets lack falls back to the CDN; with
no icon data installed the CDN and the letter avatars work as before."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from testkit.live import Server

from . import manifests
from .support import card, needs_npm_data, ready, save

ICONIFY = "https://api.iconify.design/"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle r="9"/></svg>'


def answer_from_cdn(page: Any, path: str) -> None:
    """Iconify's CDN, answering `path` (a glob below it) with one SVG."""
    page.route(
        ICONIFY + path,
        lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=SVG),
    )


@pytest.fixture(autouse=True)
def _data() -> None:
    needs_npm_data()


def test_with_the_cdn_blocked_every_set_icon_draws_from_the_app(
    ui_server: Server, new_page: Any
) -> None:
    page = new_page(color_scheme="light")  # the fixture refuses every request to the CDN
    cdn: list[str] = []
    icons: list[Any] = []
    page.on("request", lambda r: r.url.startswith(ICONIFY) and cdn.append(r.url))
    page.on("response", lambda r: "/icons/" in r.url and icons.append(r))
    ready(page, ui_server.url)
    named = [
        name
        for name, _, icon, _, more in manifests.APPS
        if re.match(r"(mdi|simple-icons):", icon) and "tags" not in more  # shown at /
    ]
    for name in named:
        box = card(page, name).first.locator(".card__icon")
        expect(box).to_have_class(re.compile("card__icon--loaded"))
        expect(box.locator(".card__glyph--mask")).to_have_count(1)
        expect(box.locator(".card__letter")).to_be_hidden()
    assert cdn == []
    assert icons and all(r.status == 200 for r in icons)
    assert all(r.headers["content-type"].startswith("image/svg+xml") for r in icons)
    assert all("immutable" in r.headers["cache-control"] for r in icons)
    page.evaluate("document.fonts.ready")
    save(page, "offline-icons")


def test_a_name_the_installed_sets_lack_falls_back_to_the_cdn(
    tmp_path: Path, servers: Any, new_page: Any
) -> None:
    directory = tmp_path / "manifests"
    manifests.write(
        directory / "apps.yaml",
        [
            manifests.application("New", "G", "https://n.example", icon="mdi:not-in-this-release"),
            manifests.application("Gone", "G", "https://gone.example", icon="mdi:no-such-icon"),
        ],
    )
    server = servers(directory)
    page = new_page()
    answer_from_cdn(page, "mdi/not-in-this-release.svg")
    ready(page, server.url)
    found = card(page, "New").locator(".card__icon")
    expect(found).to_have_class(re.compile("card__icon--loaded"))
    style = found.locator(".card__glyph").get_attribute("style") or ""
    assert ICONIFY in style
    expect(card(page, "Gone").locator(".card__letter")).to_be_visible()


def test_without_icon_data_the_cdn_and_letters_work_as_before(
    tmp_path: Path, servers: Any, new_page: Any
) -> None:
    directory = tmp_path / "manifests"
    manifests.write(directory / "apps.yaml", manifests.homelab())
    server = servers(directory, STARTPUNKT_ASSETS=str(tmp_path / "nothing"))
    page = new_page()
    answer_from_cdn(page, "mdi/**")
    ready(page, server.url)
    jellyfin = card(page, "Jellyfin").locator(".card__icon")
    expect(jellyfin).to_have_class(re.compile("card__icon--loaded"))
    assert ICONIFY in (jellyfin.get_attribute("data-icon") or "")
    grafana = card(page, "Grafana").locator(".card__icon")
    expect(grafana.locator(".card__letter")).to_be_visible()
    assert "card__icon--loaded" not in (grafana.get_attribute("class") or "")
