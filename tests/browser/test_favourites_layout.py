"""Favourites and layout preferences (issue 15): pin from the keyboard, survive a reload and a
rename made live; columns and compact cards change the measured layout, survive a reload and
are in place before the first paint; the panel speaks all three languages."""

from __future__ import annotations

import contextlib
import http.server
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from testkit.live import Server, free_port

from . import manifests
from .support import card, ready

FIRST_FRAME = """
requestAnimationFrame(() => {
  const root = document.documentElement;
  window.__firstFrame = {
    columns: root.dataset.columns || null,
    density: root.dataset.density || null,
    favourites: document.querySelectorAll("#favourites .grid__cell").length,
    collapsed: document.querySelectorAll(".group--collapsed").length,
    counts: Object.fromEntries(Array.from(document.querySelectorAll("#applications .group"),
      (g) => [g.querySelector(".group__name").textContent,
              getComputedStyle(g).display === "none" ? null
                : g.querySelector(".group__count").innerText])),
  };
});
"""
"""Runs before the page's scripts: what the first frame (before any paint) shows; `counts` is
each application group's count as shown, null for a hidden group."""

CLOSED = "http://127.0.0.1:9/"
"""The discard port: nothing listens there, so the probe fails at once."""


def favourites(page: Any) -> list[str]:
    return page.locator("#favourites .card__name").all_text_contents()


def test_pin_reload_and_rename_live(tmp_path: Path, servers: Any, new_page: Any) -> None:
    directory = tmp_path / "manifests"
    file = directory / "apps.yaml"
    app = manifests.application("Grafana", "Monitoring", "https://grafana.example")
    other = manifests.application("Loki", "Monitoring", "https://loki.example")
    manifests.write(file, [app, other])
    server = servers(directory)
    page = new_page()
    page.add_init_script(FIRST_FRAME)
    ready(page, server.url)
    expect(page.locator("#favourites")).to_be_hidden()

    pin = page.locator('#applications .grid__cell:has(.card__name:text-is("Grafana")) .pin')
    pin.focus()
    page.keyboard.press("Enter")
    expect(pin).to_have_attribute("aria-pressed", "true")
    expect(pin).to_be_focused()
    expect(page.locator("#favourites")).to_be_visible()
    assert favourites(page) == ["Grafana"]
    assert page.locator("#favourites-title").text_content() == "Favourites"

    ready(page, server.url)
    assert favourites(page) == ["Grafana"]
    assert page.evaluate("window.__firstFrame.favourites") == 1, "pinned before the first paint"

    renamed = manifests.application("Grafana", "Monitoring", "https://grafana.example")
    renamed["spec"]["name"] = "Grafana (prod)"
    manifests.write(file, [renamed, other])
    expect(page.locator("#favourites .card__name")).to_have_text(["Grafana (prod)"])
    expect(page.locator("#favourites .pin")).to_have_attribute("aria-pressed", "true")

    page.locator("#favourites .pin").click()
    expect(page.locator("#favourites")).to_be_hidden()
    ready(page, server.url)
    expect(page.locator("#favourites")).to_be_hidden()


def group_columns(page: Any) -> int:
    """How many distinct columns the application groups are laid out in."""
    lefts = page.locator("#applications .group").evaluate_all(
        "groups => groups.map(g => Math.round(g.getBoundingClientRect().left))"
    )
    return len(set(lefts))


def card_height(page: Any) -> float:
    return page.locator("#applications .card").first.evaluate(
        "c => c.getBoundingClientRect().height"
    )


def test_columns_and_compact_cards_change_the_layout_and_survive_a_reload(
    ui_server: Server, new_page: Any
) -> None:
    page = new_page(viewport={"width": 1400, "height": 900})
    page.add_init_script(FIRST_FRAME)
    ready(page, ui_server.url)
    comfortable = card_height(page)
    page.locator("#prefs-open").click()
    expect(page.locator("#prefs")).to_be_visible()
    expect(page.locator("#pref-columns")).to_be_focused()
    page.locator("#pref-columns").select_option("2")
    assert group_columns(page) == 2
    page.locator("#pref-columns").select_option("4")
    assert group_columns(page) == 4
    page.get_by_label("Compact").check()
    assert card_height(page) < comfortable * 0.85
    page.keyboard.press("Escape")
    expect(page.locator("#prefs")).to_be_hidden()
    expect(page.locator("#prefs-open")).to_be_focused()

    ready(page, ui_server.url)
    assert group_columns(page) == 4
    assert card_height(page) < comfortable * 0.85
    first = page.evaluate("window.__firstFrame")
    assert first["columns"] == "4" and first["density"] == "compact", first


def test_bookmarks_and_groups_from_the_panel(ui_server: Server, new_page: Any) -> None:
    page = new_page()
    page.add_init_script(FIRST_FRAME)
    ready(page, ui_server.url)
    page.locator("#prefs-open").click()
    page.get_by_label("Show bookmarks").uncheck()
    expect(page.locator("#bookmarks")).to_be_hidden()
    page.get_by_role("button", name="Collapse all groups").click()
    groups = page.locator(".group")
    expect(page.locator(".group--collapsed")).to_have_count(groups.count())
    ready(page, ui_server.url)
    expect(page.locator("#bookmarks")).to_be_hidden()
    assert page.evaluate("window.__firstFrame.collapsed") == groups.count()
    page.locator("#prefs-open").click()
    page.get_by_role("button", name="Expand all groups").click()
    expect(page.locator(".group--collapsed")).to_have_count(0)
    page.get_by_label("Show bookmarks").check()
    expect(page.locator("#bookmarks")).to_be_visible()


def test_unavailable_apps_can_be_hidden(tmp_path: Path, servers: Any, new_page: Any) -> None:
    directory = tmp_path / "manifests"
    manifests.write(
        directory / "apps.yaml",
        [
            manifests.application("Down", "Lab", "http://127.0.0.1:9/"),
            manifests.application("Up", "Lab", "http://127.0.0.1:9/"),
        ],
    )
    server = servers(directory)
    page = ready(new_page(), server.url)
    page.evaluate(
        """() => window.startpunkt.store.apply("STATUS_CHANGED",
            {id: window.startpunkt.store.applications().find(a => a.name === "Down").id,
             available: false})"""
    )
    expect(card(page, "Down")).to_have_class(re.compile("card--down"))
    page.locator("#prefs-open").click()
    page.get_by_label("Show unavailable applications").uncheck()
    expect(card(page, "Down")).to_be_hidden()
    expect(card(page, "Up")).to_be_visible()


def test_the_panel_is_translated(ui_server: Server, new_page: Any) -> None:
    for locale, columns, compact in (
        ("sv-SE", "Kolumner", "Kompakta"),
        ("de-DE", "Spalten", "Kompakt"),
    ):
        page = ready(new_page(locale=locale), ui_server.url)
        page.locator("#prefs-open").click()
        expect(page.locator("#prefs")).to_contain_text(columns)
        expect(page.get_by_label(compact, exact=True)).to_be_visible()


@contextlib.contextmanager
def answering(port: int) -> Iterator[None]:
    """An HTTP server on `port` answering 200 to everything: a down app's URL coming back."""

    class Up(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_HEAD = do_GET

        def log_message(self, *args: Any) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), Up)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        httpd.shutdown()
        httpd.server_close()


def group(page: Any, name: str) -> Any:
    return page.locator("#applications .group").filter(
        has=page.locator(".group__name").get_by_text(name, exact=True)
    )


def listed(page: Any, name: str) -> Any:
    """The card of application `name` in its group (not its copy among the favourites)."""
    return page.locator("#applications .card").filter(
        has=page.locator(".card__name").get_by_text(name, exact=True)
    )


def test_hidden_unavailable_apps_leave_the_counts_and_empty_groups(
    tmp_path: Path, servers: Any, new_page: Any
) -> None:
    """The prober runs for real: Lab holds two apps that answer and one whose port is closed;
    Attic's only app answers once a server starts on its port, sent to the page live."""
    port = free_port()
    later = free_port()
    up = f"http://127.0.0.1:{port}/q/health/live"
    directory = tmp_path / "manifests"
    manifests.write(
        directory / "apps.yaml",
        [
            manifests.application("Up 1", "Lab", up),
            manifests.application("Up 2", "Lab", up),
            manifests.application("Down", "Lab", CLOSED),
            manifests.application("Later", "Attic", f"http://127.0.0.1:{later}/"),
        ],
    )
    server = servers(
        directory,
        port=port,
        STARTPUNKT_AVAILABILITY_ENABLED="true",
        STARTPUNKT_AVAILABILITY_TIMEOUT="2s",
        STARTPUNKT_AVAILABILITY_INITIALDELAYMS="200",
        STARTPUNKT_AVAILABILITY_MAXDELAYMS="500",
    )
    page = new_page()
    page.add_init_script(FIRST_FRAME)
    ready(page, server.url)
    expect(listed(page, "Down")).to_have_class(re.compile("card--down"))
    expect(listed(page, "Later")).to_have_class(re.compile("card--down"))
    page.locator('.grid__cell:has(.card__name:text-is("Down")) .pin').first.click()
    expect(page.locator("#favourites")).to_be_visible()
    expect(group(page, "Lab").locator(".group__count")).to_have_text("3", use_inner_text=True)

    page.locator("#prefs-open").click()
    page.get_by_label("Show unavailable applications").uncheck()
    expect(listed(page, "Down")).to_be_hidden()
    expect(group(page, "Lab").locator(".group__count")).to_have_text("2", use_inner_text=True)
    expect(group(page, "Attic")).to_be_hidden()
    expect(page.locator("#favourites")).to_be_hidden()  # its only favourite is unavailable

    ready(page, server.url)
    assert page.evaluate("window.__firstFrame.counts") == {"Lab": "2", "Attic": None}
    expect(group(page, "Attic")).to_be_hidden()
    expect(page.locator("#favourites")).to_be_hidden()

    with answering(later):
        expect(group(page, "Attic")).to_be_visible()
        expect(group(page, "Attic").locator(".group__count")).to_have_text("1", use_inner_text=True)
        expect(listed(page, "Later")).not_to_have_class(re.compile("card--down"))
    expect(group(page, "Lab").locator(".group__count")).to_have_text("2", use_inner_text=True)
    page.locator("#prefs-open").click()
    page.get_by_label("Show unavailable applications").check()
    expect(group(page, "Lab").locator(".group__count")).to_have_text("3", use_inner_text=True)
    expect(page.locator("#favourites")).to_be_visible()


def test_favourites_and_folds_need_no_render_blocking_script(
    ui_server: Server, new_page: Any
) -> None:
    """Browsers without `blocking="render"` may paint before the page's modules run: with the
    attribute removed and main.js held back, the first frame still shows both."""
    page = new_page()
    page.add_init_script(FIRST_FRAME)
    ready(page, ui_server.url)
    page.locator('#applications .grid__cell:has(.card__name:text-is("Grafana")) .pin').click()
    page.locator("#prefs-open").click()
    page.get_by_role("button", name="Collapse all groups").click()
    groups = page.locator(".groups > .group").count()
    expect(page.locator(".group--collapsed")).to_have_count(groups)

    stripped: list[bool] = []

    def without_blocking(route: Any) -> None:
        response = route.fetch()
        html = response.text()
        stripped.append('blocking="render"' in html)
        route.fulfill(response=response, body=html.replace(' blocking="render"', ""))

    held: list[Any] = []

    def hold(route: Any) -> None:
        held.append(route)

    page.route(ui_server.url + "/", without_blocking)
    page.route("**/static/js/main.js*", hold)
    page.goto(ui_server.url, wait_until="commit")
    page.wait_for_function("() => window.__firstFrame !== undefined")
    assert stripped == [True]
    first = page.evaluate("window.__firstFrame")
    assert first["favourites"] == 1, first
    assert first["collapsed"] == groups, first
    assert page.evaluate("document.documentElement.dataset.ready") is None, "main.js ran early"
    assert len(held) == 1
    held[0].continue_()
    page.wait_for_selector("html[data-ready=true]", state="attached")
    assert favourites(page) == ["Grafana"]
    expect(page.locator(".group--collapsed")).to_have_count(groups)
    expect(page.locator("#favourites .pin")).to_have_attribute("aria-pressed", "true")
