"""Search (SPEC §5): `/` or typing anywhere opens it over apps and bookmarks; arrows move, Enter
opens (a new tab when the app asks), Esc closes, `?` searches the web.
"""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from testkit.live import Server

from .support import ready, search


def fulfil(route: Any) -> None:
    route.fulfill(status=200, content_type="text/html", body="<title>opened</title>")


def test_search_by_name_part_and_by_tag(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(), ui_server.url + "/streaming")
    results = search(page, "afan")
    expect(results).to_have_count(1)
    expect(results.first.locator(".result__name")).to_have_text("Grafana")
    page.locator("#search-input").fill("stream")
    expect(results.first.locator(".result__name")).to_have_text("Navidrome")
    page.locator("#search-input").fill("no such thing at all")
    expect(results).to_have_count(0)
    expect(page.locator(".result--empty")).to_have_text("No results")


def test_typing_anywhere_opens_search_and_escape_closes(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(), ui_server.url)
    page.keyboard.type("sona")
    expect(page.locator("#search-input")).to_be_focused()
    expect(page.locator("#search-input")).to_have_value("sona")
    selected = page.locator("#search-results [aria-selected=true] .result__name")
    expect(selected).to_have_text("Sonarr")
    page.keyboard.press("Escape")
    expect(page.locator("#search")).to_be_hidden()


def test_arrows_and_enter_open_the_selected_url(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(), ui_server.url)
    page.route("https://**.home.example/**", fulfil)
    results = search(page, "arr")
    expect(results.locator(".result__name")).to_have_text(["Radarr", "Sonarr"])
    page.keyboard.press("ArrowDown")
    expect(results.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    page.wait_for_url("https://sonarr.home.example/")


def test_enter_opens_a_new_tab_when_the_app_asks(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(), ui_server.url)
    page.context.route("https://**.home.example/**", fulfil)
    search(page, "jelly")
    with page.context.expect_page() as popup:
        page.keyboard.press("Enter")
    popup.value.wait_for_load_state()
    assert popup.value.url == "https://jellyfin.home.example/"
    assert page.url.startswith(ui_server.url)


def test_question_mark_searches_the_web(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(), ui_server.url)
    page.route("https://duckduckgo.com/**", fulfil)
    results = search(page, "?gevent hub")
    expect(results).to_have_count(1)
    page.keyboard.press("Enter")
    page.wait_for_url("https://duckduckgo.com/?q=gevent%20hub")
