"""The start page people use (SPEC §5): search, themes, languages, tag paths, collapsible groups,
keyboard-only use, and cluster text that stays text. One server for the module; a fresh
browser context per test.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from startpunkt.testing.live import Server
from startpunkt.web import page as view

from . import manifests
from .support import card, names, ready, start_server

LIGHT_BG = "rgb(248, 246, 241)"
DARK_BG = "rgb(35, 37, 48)"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("ui")
    manifests.write(directory / "manifests" / "homelab.yaml", manifests.homelab())
    manifests.write(directory / "manifests" / "extras.yaml", manifests.extras())
    running = start_server(directory / "manifests", directory / "server.log")
    yield running
    running.stop()


def fulfil(route: Any) -> None:
    route.fulfill(status=200, content_type="text/html", body="<title>opened</title>")


def search(page: Any, query: str) -> Any:
    """Open the search by typing outside any field, as a user would."""
    page.locator("body").press("/")
    expect(page.locator("#search")).to_be_visible()
    page.locator("#search-input").fill(query)
    return page.locator("#search-results [role=option]")


def background(page: Any) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_search_by_name_part_and_by_tag(server: Server, new_page: Any) -> None:
    page = ready(new_page(), server.url + "/streaming")
    results = search(page, "afan")
    expect(results).to_have_count(1)
    expect(results.first.locator(".result__name")).to_have_text("Grafana")
    page.locator("#search-input").fill("stream")
    expect(results.first.locator(".result__name")).to_have_text("Navidrome")
    page.locator("#search-input").fill("no such thing at all")
    expect(results).to_have_count(0)
    expect(page.locator(".result--empty")).to_have_text("No results")


def test_typing_anywhere_opens_search_and_escape_closes(server: Server, new_page: Any) -> None:
    page = ready(new_page(), server.url)
    page.keyboard.type("sona")
    expect(page.locator("#search-input")).to_be_focused()
    expect(page.locator("#search-input")).to_have_value("sona")
    selected = page.locator("#search-results [aria-selected=true] .result__name")
    expect(selected).to_have_text("Sonarr")
    page.keyboard.press("Escape")
    expect(page.locator("#search")).to_be_hidden()


def test_arrows_and_enter_open_the_selected_url(server: Server, new_page: Any) -> None:
    page = ready(new_page(), server.url)
    page.route("https://**.home.example/**", fulfil)
    results = search(page, "arr")
    expect(results.locator(".result__name")).to_have_text(["Radarr", "Sonarr"])
    page.keyboard.press("ArrowDown")
    expect(results.nth(1)).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    page.wait_for_url("https://sonarr.home.example/")


def test_enter_opens_a_new_tab_when_the_app_asks(server: Server, new_page: Any) -> None:
    page = ready(new_page(), server.url)
    page.context.route("https://**.home.example/**", fulfil)
    search(page, "jelly")
    with page.context.expect_page() as popup:
        page.keyboard.press("Enter")
    popup.value.wait_for_load_state()
    assert popup.value.url == "https://jellyfin.home.example/"
    assert page.url.startswith(server.url)


def test_question_mark_searches_the_web(server: Server, new_page: Any) -> None:
    page = ready(new_page(), server.url)
    page.route("https://duckduckgo.com/**", fulfil)
    results = search(page, "?gevent hub")
    expect(results).to_have_count(1)
    page.keyboard.press("Enter")
    page.wait_for_url("https://duckduckgo.com/?q=gevent%20hub")


def test_theme_switch_changes_colours_and_survives_reload(server: Server, new_page: Any) -> None:
    page = ready(new_page(color_scheme="light"), server.url)
    toggle = page.locator("#theme-toggle")
    assert background(page) == LIGHT_BG
    toggle.click()
    expect(toggle).to_have_attribute("data-mode", "light")
    toggle.click()
    expect(toggle).to_have_attribute("data-mode", "dark")
    expect(toggle).to_have_attribute("aria-label", "Toggle theme: Dark")
    assert background(page) == DARK_BG
    ready(page, server.url)
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(page) == DARK_BG


def test_auto_theme_follows_the_system(server: Server, new_page: Any) -> None:
    page = ready(new_page(color_scheme="dark"), server.url)
    expect(page.locator("#theme-toggle")).to_have_attribute("data-mode", "auto")
    assert background(page) == DARK_BG
    page.emulate_media(color_scheme="light")
    assert background(page) == LIGHT_BG


def test_swedish_browser_gets_swedish_texts(server: Server, new_page: Any) -> None:
    page = ready(new_page(locale="sv-SE"), server.url)
    expect(page.locator("#applications-title")).to_have_text("Program")
    expect(page.locator("#bookmarks-title")).to_have_text("Bokmärken")
    expect(page.locator("html")).to_have_attribute("lang", "sv-SE")


def test_tag_path_shows_tagged_and_untagged_only(server: Server, new_page: Any) -> None:
    everything = names(ready(new_page(), server.url))
    page = ready(new_page(), server.url + "/ops")
    shown = names(page)
    assert "Kibana" in shown and "Kibana" not in everything
    assert set(shown) - {"Kibana"} == set(everything)
    assert "Argo CD" not in shown and "Navidrome" not in shown
    expect(page.locator(".filter .tag")).to_have_text(["ops"])


def test_html_in_a_name_is_shown_as_text(server: Server, new_page: Any) -> None:
    page = ready(new_page(), server.url)
    expect(card(page, manifests.XSS)).to_be_visible()
    expect(card(page, manifests.XSS).locator(".card__info")).to_have_text(manifests.XSS)
    results = search(page, "onerror")
    expect(results.first.locator(".result__name")).to_have_text(manifests.XSS)
    assert page.locator("img[src=x]").count() == 0


def test_keyboard_reaches_search_and_every_card(server: Server, new_page: Any) -> None:
    page = ready(new_page(), server.url)
    cards = set(page.locator(".grid__cell").evaluate_all("cells => cells.map(c => c.dataset.id)"))
    reached: set[str] = set()
    for _ in range(len(cards) + 20):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                const cell = el.closest(".grid__cell");
                return {id: el.id, card: cell ? cell.dataset.id : null,
                        outline: getComputedStyle(el).outlineStyle};
            }"""
        )
        if focused["id"] or focused["card"]:
            assert focused["outline"] != "none", f"focus is visible on {focused}"
        reached.add(focused["card"] or focused["id"])
    assert cards <= reached
    assert "search-open" in reached
    page.locator("#search-open").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#search-input")).to_be_focused()


def test_a_collapsed_group_stays_collapsed(server: Server, new_page: Any) -> None:
    page = ready(new_page(), server.url)
    toggle = page.locator(".group__toggle", has_text="Media")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(card(page, "Sonarr")).to_be_hidden()
    ready(page, server.url)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(card(page, "Sonarr")).to_be_hidden()
    expect(card(page, "Grafana")).to_be_visible()


def test_cards_built_in_the_browser_match_the_server(server: Server, new_page: Any) -> None:
    page = ready(new_page(), server.url)
    mismatches = page.evaluate(
        """async () => {
            const html = await (await fetch(location.href)).text();
            const doc = new DOMParser().parseFromString(html, "text/html");
            const out = [];
            for (const [section, kind] of [["apps", "app"], ["bookmarks", "bookmark"]]) {
                for (const cell of doc.querySelectorAll(`[data-section=${section}] .grid__cell`)) {
                    const item = window.startpunkt.store.get(section, cell.dataset.id);
                    const built = window.startpunkt.buildCard(item, kind).outerHTML;
                    if (built !== cell.outerHTML) out.push([cell.outerHTML, built]);
                }
            }
            return [doc.querySelectorAll(".grid__cell").length, out];
        }"""
    )
    count, different = mismatches
    assert count > 10
    assert different == []


def test_reduced_motion_is_honoured(server: Server, new_page: Any) -> None:
    page = ready(new_page(reduced_motion="reduce"), server.url)
    first = page.locator("a.card").first
    duration = first.evaluate("el => getComputedStyle(el).transitionDuration")
    assert all(float(d.rstrip("s")) < 0.001 for d in re.split(r",\s*", duration))


def test_screens_down_to_phone_width_have_no_sideways_scroll(
    server: Server, new_page: Any, tmp_path: Path
) -> None:
    page = ready(new_page(viewport={"width": 390, "height": 844}, is_mobile=True), server.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    columns = page.locator('[data-section="apps"] .grid').first.evaluate(
        "el => getComputedStyle(el).gridTemplateColumns.split(' ').length"
    )
    assert columns == 1


def test_icons_replace_the_letter_only_once_they_load(server: Server, new_page: Any) -> None:
    page = new_page()
    svg = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24"><circle r="9"/></svg>'
    page.route(
        "https://api.iconify.design/mdi/**",
        lambda route: route.fulfill(status=200, content_type="image/svg+xml", body=svg),
    )
    ready(page, server.url)
    jellyfin = card(page, "Jellyfin").locator(".card__icon")
    expect(jellyfin).to_have_class(re.compile("card__icon--loaded"))
    expect(jellyfin.locator(".card__glyph--mask")).to_have_count(1)
    expect(jellyfin.locator(".card__letter")).to_be_hidden()
    grafana = card(page, "Grafana").locator(".card__icon")
    expect(grafana.locator(".card__letter")).to_be_visible()
    assert "card__icon--loaded" not in (grafana.get_attribute("class") or "")


def test_reconnect_backoff_doubles_from_one_to_thirty_seconds(
    server: Server, new_page: Any
) -> None:
    page = ready(new_page(), server.url)
    delays = page.evaluate(
        """async () => {
            const { backoff } = await import("/static/js/live.js");
            return [0, 1, 2, 3, 4, 5, 9].map(
                (n) => [0, 0.5, 0.999].map((r) => backoff(n, () => r)));
        }"""
    )
    assert [mid for _, mid, _ in delays] == [1000, 2000, 4000, 8000, 16000, 30000, 30000]
    for low, mid, high in delays:
        assert 0.8 * mid <= low < mid < high <= min(30000, 1.2 * mid) or mid == high == 30000


RULE_INPUTS = {
    "urls": [
        "https://a.example",
        "HTTP://A.example/x?y#z",
        "javascript:alert(1)",
        " https://x",
        "https://",
        "https:///x",
        "https://a b",
        "//a.example",
        "data:,x",
        "",
    ],
    "colors": ["#F46800", " red ", "rgb(1, 2, 3)", "red; x: y", "a}b{", "url(x)", ""],
    "icons": [
        "mdi:home",
        "home",
        "MDI:Home-Assistant",
        "logos:k8s",
        "https://a.example/i.png",
        "javascript:x",
        "mdi:../x",
        "mdi:",
        "a:b:c",
        "",
    ],
    "names": ["Grafana", "<img src=x onerror=alert(1)>", "ßeta", "!!!", "Élan", "日本", "Node-RED"],
}


def test_browser_and_server_apply_the_same_rules(server: Server, new_page: Any) -> None:
    page = ready(new_page(), server.url)
    browser = page.evaluate(
        """async (inputs) => {
            const c = await import("/static/js/cards.js");
            return {
                urls: inputs.urls.map((u) => c.safeUrl(u)),
                colors: inputs.colors.map((v) => c.cssColor(v)),
                icons: inputs.icons.map((i) => c.iconSource(i)),
                names: inputs.names.map((n) => [c.avatarLetter(n), c.avatarHue(n)]),
            };
        }""",
        RULE_INPUTS,
    )
    assert browser == {
        "urls": [view.safe_url(u) for u in RULE_INPUTS["urls"]],
        "colors": [view.css_color(v) for v in RULE_INPUTS["colors"]],
        "icons": [list(s) if (s := view.icon_source(i)) else None for i in RULE_INPUTS["icons"]],
        "names": [[view.avatar_letter(n), view.avatar_hue(n)] for n in RULE_INPUTS["names"]],
    }
