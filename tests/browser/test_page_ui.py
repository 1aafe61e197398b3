"""The start page people use (SPEC §5): themes, languages, tag paths, cluster text that stays
text, keyboard-only use, collapsible groups, reduced motion, phone widths, icons.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import expect

from testkit.live import Server

from . import manifests
from .support import card, names, ready, search

LIGHT_BG = "rgb(248, 246, 241)"
DARK_BG = "rgb(35, 37, 48)"


def background(page: Any) -> str:
    return page.evaluate("getComputedStyle(document.body).backgroundColor")


def test_theme_switch_changes_colours_and_survives_reload(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(color_scheme="light"), ui_server.url)
    toggle = page.locator("#theme-toggle")
    assert background(page) == LIGHT_BG
    toggle.click()
    expect(toggle).to_have_attribute("data-mode", "light")
    toggle.click()
    expect(toggle).to_have_attribute("data-mode", "dark")
    expect(toggle).to_have_attribute("aria-label", "Toggle theme: Dark")
    assert background(page) == DARK_BG
    ready(page, ui_server.url)
    expect(page.locator("html")).to_have_attribute("data-theme", "dark")
    assert background(page) == DARK_BG


def test_auto_theme_follows_the_system(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(color_scheme="dark"), ui_server.url)
    expect(page.locator("#theme-toggle")).to_have_attribute("data-mode", "auto")
    assert background(page) == DARK_BG
    page.emulate_media(color_scheme="light")
    # theme-init.js hears of the change at the next frame, not within this call: wait for it.
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert background(page) == LIGHT_BG


def test_a_chosen_theme_ignores_the_system(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(color_scheme="dark"), ui_server.url)
    page.locator("#theme-toggle").click()
    expect(page.locator("#theme-toggle")).to_have_attribute("data-mode", "light")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert background(page) == LIGHT_BG
    page.emulate_media(color_scheme="light")
    page.emulate_media(color_scheme="dark")
    page.evaluate("new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")
    expect(page.locator("html")).to_have_attribute("data-theme", "light")
    assert background(page) == LIGHT_BG


def test_swedish_browser_gets_swedish_texts(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(locale="sv-SE"), ui_server.url)
    expect(page.locator("#applications-title")).to_have_text("Program")
    expect(page.locator("#bookmarks-title")).to_have_text("Bokmärken")
    expect(page.locator("html")).to_have_attribute("lang", "sv-SE")


def test_tag_path_shows_tagged_and_untagged_only(ui_server: Server, new_page: Any) -> None:
    everything = names(ready(new_page(), ui_server.url))
    page = ready(new_page(), ui_server.url + "/ops")
    shown = names(page)
    assert "Kibana" in shown and "Kibana" not in everything
    assert set(shown) - {"Kibana"} == set(everything)
    assert "Argo CD" not in shown and "Navidrome" not in shown
    expect(page.locator(".filter .tag")).to_have_text(["ops"])


def test_html_in_a_name_is_shown_as_text(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(), ui_server.url)
    expect(card(page, manifests.XSS)).to_be_visible()
    expect(card(page, manifests.XSS).locator(".card__info")).to_have_text(manifests.XSS)
    results = search(page, "onerror")
    expect(results.first.locator(".result__name")).to_have_text(manifests.XSS)
    assert page.locator("img[src=x]").count() == 0


def test_keyboard_reaches_search_and_every_card(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(), ui_server.url)
    cards = set(page.locator(".grid__cell").evaluate_all("cells => cells.map(c => c.dataset.id)"))
    reached: set[str] = set()
    for _ in range(2 * len(cards) + 20):  # each card, then its favourite star
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


def test_a_collapsed_group_stays_collapsed(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(), ui_server.url)
    toggle = page.locator(".group__toggle", has_text="Media")
    toggle.focus()
    page.keyboard.press("Enter")
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(card(page, "Sonarr")).to_be_hidden()
    ready(page, ui_server.url)
    expect(toggle).to_have_attribute("aria-expanded", "false")
    expect(card(page, "Sonarr")).to_be_hidden()
    expect(card(page, "Grafana")).to_be_visible()


def test_reduced_motion_is_honoured(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(reduced_motion="reduce"), ui_server.url)
    first = page.locator("a.card").first
    duration = first.evaluate("el => getComputedStyle(el).transitionDuration")
    assert all(float(d.rstrip("s")) < 0.001 for d in re.split(r",\s*", duration))


def test_screens_down_to_phone_width_have_no_sideways_scroll(
    ui_server: Server, new_page: Any
) -> None:
    page = ready(new_page(viewport={"width": 390, "height": 844}, is_mobile=True), ui_server.url)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    columns = page.locator('[data-section="apps"] .grid').first.evaluate(
        "el => getComputedStyle(el).gridTemplateColumns.split(' ').length"
    )
    assert columns == 1
