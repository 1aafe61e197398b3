"""Live updates in a real browser (SPEC §4, §5): events change the page in place, an outage
turns into polling, and the page recovers, with what changed meanwhile, when the server is back.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from testkit.live import Server

from . import manifests
from .support import DEADLINE_MS, card, names, ready


def indicator(page: Any) -> Any:
    return page.locator("#connection")


def expect_state(page: Any, state: str, glyph: str) -> None:
    expect(indicator(page)).to_have_attribute("data-state", state)
    expect(indicator(page).locator(".connection__glyph")).to_have_text(glyph)


def grafana(info: str) -> dict[str, Any]:
    return manifests.application("Grafana", "Monitoring", "https://grafana.home.example", info=info)


def is_poll(request: Any) -> bool:
    return "/api/apps" in request.url or "/api/bookmarks" in request.url


def configured(tmp_path: Path, servers: Any, config: str) -> tuple[Server, Path, Path]:
    """A server showing Grafana, reading `application.yaml` that starts as `config`; the server,
    its manifest directory and that file."""
    directory = tmp_path / "manifests"
    manifests.write(directory / "apps.yaml", [grafana("Dashboards")])
    settings = tmp_path / "application.yaml"
    settings.write_text(config, encoding="utf-8")
    return servers(directory, STARTPUNKT_CONFIG=str(settings)), directory, settings


def test_events_update_the_page_in_place_and_survive_an_outage(
    tmp_path: Path, servers: Any, new_page: Any
) -> None:
    directory = tmp_path / "manifests"
    file = directory / "apps.yaml"
    manifests.write(file, [grafana("Dashboards")])
    server = servers(directory)
    page = ready(new_page(), server.url)
    polls: list[str] = []
    page.on("request", lambda request: is_poll(request) and polls.append(request.url))

    expect_state(page, "connected", "●")
    assert re.search(r"since \d", indicator(page).get_attribute("title") or "")
    page.evaluate("window.__noReload = 'still here'")

    manifests.write(file, [grafana("Edited live")])
    expect(card(page, "Grafana").locator(".card__info")).to_have_text("Edited live")
    assert page.evaluate("window.__noReload") == "still here"
    assert polls == [], "no polling while the stream is connected"

    with page.expect_request(is_poll, timeout=DEADLINE_MS):
        server.stop()
    expect_state(page, "disconnected", "◌")
    expect(indicator(page)).to_have_attribute("title", re.compile(r"^Disconnected since"))

    manifests.write(file, [grafana("Changed during the outage")])
    servers(directory, port=server.port)
    expect_state(page, "connected", "●")
    expect(card(page, "Grafana").locator(".card__info")).to_have_text("Changed during the outage")
    assert page.evaluate("window.__noReload") == "still here"
    # A new server process has a new stream epoch: the resumed stream starts with RESYNC.
    page.wait_for_function("window.startpunkt.live.resyncs() >= 1")


def test_reloading_the_page_25_times_keeps_it_connected(
    tmp_path: Path, servers: Any, new_page: Any
) -> None:
    """Issue 12, finding 3: a reload's closed stream used to count against the per-client cap
    (20) until the server next wrote to it, so about the 21st reload got 503 for up to a
    minute. Now the server notices the close at once."""
    directory = tmp_path / "manifests"
    manifests.write(directory / "apps.yaml", [grafana("Dashboards")])
    server = servers(directory)  # realtime.maxConnectionsPerClient: the default, 20
    page = ready(new_page(), server.url)
    statuses: list[int] = []
    page.on("response", lambda r: "/api/updates/stream" in r.url and statuses.append(r.status))
    expect_state(page, "connected", "●")
    for _ in range(25):
        page.reload()
        page.wait_for_selector("html[data-ready=true]", state="attached")
        expect_state(page, "connected", "●")
    assert len(statuses) >= 25 and set(statuses) == {200}, statuses


def test_groups_follow_events_and_the_tag_filter(
    tmp_path: Path, servers: Any, new_page: Any
) -> None:
    directory = tmp_path / "manifests"
    base = [grafana("Dashboards")]
    manifests.write(directory / "base.yaml", base)
    server = servers(directory)
    page = ready(new_page(), server.url + "/admin")
    expect_state(page, "connected", "●")
    page.evaluate("window.__noReload = true")

    manifests.write(
        directory / "more.yaml",
        [
            manifests.application("Argo CD", "Delivery", "https://argo.home.example", tags="Admin"),
            manifests.application("Kibana", "Logs", "https://kibana.home.example", tags="ops"),
            manifests.bookmark("Docs", "Reading", "https://docs.home.example"),
        ],
    )
    expect(card(page, "Argo CD")).to_be_visible()
    expect(card(page, "Docs")).to_be_visible()
    groups = page.locator('[data-section="apps"] .group__name')
    expect(groups).to_have_text(["Delivery", "Monitoring"])
    assert names(page) == ["Argo CD", "Grafana"], "an app of another tag stays hidden"

    manifests.write(directory / "more.yaml", [])
    expect(groups).to_have_text(["Monitoring"])
    expect(page.locator("#bookmarks")).to_be_hidden()

    manifests.write(directory / "base.yaml", [])
    expect(page.locator("#empty")).to_be_visible()
    assert page.evaluate("window.__noReload") is True


def test_without_realtime_the_page_polls_with_etags_until_it_is_switched_on(
    tmp_path: Path, servers: Any, new_page: Any
) -> None:
    config = "startpunkt:\n  realtime:\n    enabled: false\n"
    server, directory, settings = configured(tmp_path, servers, config)
    page = new_page()
    answers: list[tuple[int, str | None]] = []
    page.on(
        "response",
        lambda r: (
            "/api/apps" in r.url
            and answers.append((r.status, r.request.headers.get("if-none-match")))
        ),
    )
    streams: list[str] = []
    page.on("request", lambda r: "/api/updates/stream" in r.url and streams.append(r.url))
    ready(page, server.url)
    expect_state(page, "polling", "◌")
    expect(indicator(page)).to_have_attribute("title", re.compile("refreshing every 1 s"))

    with page.expect_response(lambda r: "/api/apps" in r.url and r.status == 304):
        pass
    manifests.write(directory / "apps.yaml", [grafana("Seen by polling")])
    expect(card(page, "Grafana").locator(".card__info")).to_have_text("Seen by polling")
    assert streams == [], "no stream is opened when realtime is off"
    assert answers[0] == (200, None)
    assert all(etag for status, etag in answers if status == 304)

    manifests.write_text(settings, "startpunkt:\n  realtime:\n    enabled: true\n")
    expect_state(page, "connected", "●")


def test_a_config_change_retitles_and_recolours_the_open_page(
    tmp_path: Path, servers: Any, new_page: Any
) -> None:
    server, _, settings = configured(tmp_path, servers, "startpunkt:\n  web:\n    title: Before\n")
    page = ready(new_page(color_scheme="light"), server.url)
    expect_state(page, "connected", "●")
    page.evaluate("window.__noReload = true")
    expect(page.locator("#page-title")).to_have_text("Before")

    manifests.write_text(
        settings,
        "startpunkt:\n  web:\n    title: After\n"
        "    theme:\n      light:\n        bodyBgColor: '#FFFFFF'\n",
    )
    expect(page).to_have_title("After")
    expect(page.locator("#page-title")).to_have_text("After")
    expect(page.locator("body")).to_have_css("background-color", "rgb(255, 255, 255)")
    assert page.evaluate("window.__noReload") is True
