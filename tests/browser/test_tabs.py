"""One stream for all tabs (issue 15): seven tabs of the page in one browser context get every
live edit while the server holds ONE stream; when the leader tab closes another takes over
within a second and resumes by event id, so no event is lost. Also without Web Locks (plain
http to another host), and each tab on its own where BroadcastChannel is missing."""

from __future__ import annotations

import contextlib
import re
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from testkit.live import Server

from . import manifests
from .support import DEADLINE_MS, card, ready

NO_LOCKS = "Object.defineProperty(Navigator.prototype, 'locks', {get: () => undefined});"
"""What a page served over plain http to another host sees: no Web Locks (not a secure context)."""
NO_CHANNEL = "delete window.BroadcastChannel;"

FAST = {"STARTPUNKT_REALTIME_HEARTBEATINTERVAL": "1s"}
"""Frequent heartbeats: the server notices a closed tab's stream within about two seconds."""


def open_streams(server: Server) -> int:
    with urllib.request.urlopen(server.url + "/q/metrics", timeout=5) as response:
        text = response.read().decode()
    found = re.search(r"^startpunkt_sse_clients (\S+)$", text, re.M)
    assert found, "the open-stream gauge is missing"
    return int(float(found[1]))


def wait_for_streams(server: Server, count: int) -> None:
    deadline = time.monotonic() + DEADLINE_MS / 1000
    while (seen := open_streams(server)) != count:
        assert time.monotonic() < deadline, f"{seen} open streams, expected {count}"
        time.sleep(0.1)


def grafana(info: str) -> dict[str, Any]:
    return manifests.application("Grafana", "Monitoring", "https://grafana.example", info=info)


def add(directory: Path, n: int) -> None:
    app = manifests.application(f"New {n}", "New", "https://new.example")
    manifests.write(directory / f"new-{n}.yaml", [app])


def open_tabs(browser: Any, count: int, url: str, init: str | None = None) -> tuple[Any, list]:
    """`count` tabs of `url` in one new context, each live."""
    context = browser.new_context()
    context.set_default_timeout(DEADLINE_MS)
    context.route("https://**", lambda route: route.abort())
    if init:
        context.add_init_script(init)
    pages = [ready(context.new_page(), url) for _ in range(count)]
    for page in pages:
        expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    return context, pages


@contextlib.contextmanager
def grafana_tabs(
    tmp_path: Path,
    servers: Any,
    browser: Any,
    count: int,
    *,
    init: str | None = None,
    env: dict[str, str] | None = None,
) -> Iterator[tuple[Path, Server, list]]:
    """`count` live tabs (one context, closed after) of a server whose manifests hold Grafana."""
    directory = tmp_path / "manifests"
    manifests.write(directory / "apps.yaml", [grafana("Dashboards")])
    server = servers(directory, **(env or {}))
    context, pages = open_tabs(browser, count, server.url, init)
    try:
        yield directory, server, pages
    finally:
        context.close()


def edit_live(directory: Path, pages: list[Any]) -> None:
    """Edit Grafana's info; every tab shows the edit."""
    manifests.write(directory / "apps.yaml", [grafana("Edited live")])
    for page in pages:
        expect(card(page, "Grafana").locator(".card__info")).to_have_text("Edited live")


def leader_of(pages: list[Any]) -> Any:
    roles = [p.evaluate("window.startpunkt.tabs.role()") for p in pages]
    assert roles.count("leader") == 1, roles
    return pages[roles.index("leader")]


def close_leader_while_apps_are_added(pages: list[Any], directory: Path, server: Server) -> None:
    """Add apps just before, during and after the leader closes: every other tab shows each,
    delivered as events (no RESYNC refetch), and a new leader holds the one stream."""
    leader = leader_of(pages)
    rest = [p for p in pages if p is not leader]
    add(directory, 1)
    expect(card(rest[0], "New 1")).to_be_visible()
    add(directory, 2)
    leader.close()
    closed = time.time()  # wall clock, as the tabs report when they took over
    for n in (3, 4, 5):
        add(directory, n)
        time.sleep(0.15)
    rest[0].wait_for_function(
        "() => ['leader', 'follower'].includes(window.startpunkt.tabs.role())"
    )
    for page in rest:
        for n in range(1, 6):
            expect(card(page, f"New {n}")).to_be_visible()
        expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
        assert page.evaluate("window.startpunkt.live.resyncs()") == 0, "resumed, not refetched"
    leader_of(rest)
    taken_over = [p.evaluate("window.startpunkt.tabs.takenOverAt()") for p in rest]
    handover = max(t for t in taken_over if t) / 1000 - closed
    assert handover < 1.0, f"the new leader took over {handover:.2f} s after the close"
    wait_for_streams(server, 1)


def test_seven_tabs_share_one_stream_and_survive_their_leader(
    tmp_path: Path, servers: Any, browser: Any
) -> None:
    with grafana_tabs(tmp_path, servers, browser, 7, env=FAST) as (directory, server, pages):
        wait_for_streams(server, 1)
        edit_live(directory, pages)
        assert open_streams(server) == 1
        close_leader_while_apps_are_added(pages, directory, server)


def test_without_web_locks_the_tabs_elect_a_leader_over_the_channel(
    tmp_path: Path, servers: Any, browser: Any
) -> None:
    tabs = grafana_tabs(tmp_path, servers, browser, 3, init=NO_LOCKS, env=FAST)
    with tabs as (directory, server, pages):
        wait_for_streams(server, 1)
        close_leader_while_apps_are_added(pages, directory, server)


def test_without_broadcast_channel_each_tab_keeps_its_own_stream(
    tmp_path: Path, servers: Any, browser: Any
) -> None:
    with grafana_tabs(tmp_path, servers, browser, 2, init=NO_CHANNEL) as (directory, server, pages):
        assert [p.evaluate("window.startpunkt.tabs.role()") for p in pages] == ["solo", "solo"]
        wait_for_streams(server, 2)
        edit_live(directory, pages)
