"""The reference's own browser client keeps working against this API (issue 11).

That client knows only the original nine event types, so a burst's RESYNC alone would leave it
stale: 1,001 Ingresses added in one debounce window must still reach it, through the ordinary
events that follow the RESYNC. Its tag page `/admin/` asks `/api/apps/admin%2F`. Both it and our
page are driven through the same burst; our page must refetch once, not twice. A server restart
(a new stream epoch, so the resumed stream's Last-Event-ID is unknown) must reach both as well.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from testkit import live, wait

from . import manifests
from .support import DEADLINE_MS, card, names, ready

CLIENT = (Path(__file__).parent / "reference_client" / "index.html").read_text(encoding="utf-8")
BURST = 1001
"""One more than the coalescer's burst limit: the stream sends RESYNC."""


def ingress(i: int) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": f"burst-{i:04d}",
            "namespace": "burst",
            "annotations": {
                "startpunkt.ullberg.us/enable": "true",
                "startpunkt.ullberg.us/appName": f"Burst {i:04d}",
                "startpunkt.ullberg.us/group": "Burst",
            },
        },
        "spec": {"rules": [{"host": f"burst-{i:04d}.example.com"}]},
    }


def base() -> list[dict[str, Any]]:
    return [
        manifests.application(
            "Grafana", "Monitoring", "https://grafana.example.com", tags="admin", info="Dashboards"
        ),
        manifests.application("Plex", "Media", "https://plex.example.com"),
        manifests.application("Kept Out", "Media", "https://dev.example.com", tags="dev"),
        manifests.bookmark("Docs", "Links", "https://docs.example.com"),
    ]


def reference_client(new_page: Any, url: str) -> Any:
    """The stand-in reference UI, served at `url` on the server's own origin, as the reference's
    server serves its UI at every page path."""
    page = new_page()
    page.route(url, lambda route: route.fulfill(status=200, content_type="text/html", body=CLIENT))
    apps: list[str] = []
    page.on("request", lambda r: "/api/apps" in r.url and apps.append(r.url))
    page.goto(url)
    expect(page.locator("#status")).to_have_text("loaded")
    expect(page.locator("body")).to_have_attribute("data-stream", "open")
    page.apps_requests = apps
    return page


def test_a_burst_and_the_admin_path_reach_the_reference_client_and_our_page(
    tmp_path: Path, servers: Any, new_page: Any
) -> None:
    directory = tmp_path / "manifests"
    manifests.write(directory / "base.yaml", base())
    server = servers(directory)

    theirs = reference_client(new_page, server.url + "/admin/")
    assert theirs.apps_requests[0].endswith("/api/apps/admin%2F")
    expect(theirs.locator("#apps li")).to_have_text(["Plex", "Grafana"])  # by group
    expect(theirs.locator("#bookmarks li")).to_have_text(["Docs"])

    ours = ready(new_page(), server.url + "/admin/")
    assert sorted(names(ours)) == ["Grafana", "Plex"]
    expect(ours.locator("#connection")).to_have_attribute("data-state", "connected")
    our_fetches: list[str] = []
    ours.on("request", lambda r: "/api/apps" in r.url and our_fetches.append(r.url))

    manifests.write(directory / "burst.yaml", [ingress(i) for i in range(BURST)])

    # The reference client heard no RESYNC, yet refetched on the event that followed it.
    expect(theirs.locator("#apps")).to_have_attribute(
        "data-count", str(BURST + 2), timeout=DEADLINE_MS * 2
    )
    assert "APPLICATION_UPDATED" in theirs.evaluate("window.events")
    # Our page refetched on the RESYNC, once, and shows the burst too.
    expect(card(ours, "Burst 1000")).to_have_count(1, timeout=DEADLINE_MS * 2)
    expect(ours.locator('[data-section="apps"] .card__name')).to_have_count(BURST + 2)
    ours.wait_for_function("window.startpunkt.live.resyncs() >= 1")
    ours.wait_for_timeout(500)  # room for a second refetch, were one coming
    assert len(our_fetches) == 1, our_fetches

    # Live edits keep reaching both.
    edited = base()
    edited[0]["spec"]["info"] = "Edited live"
    manifests.write(directory / "base.yaml", edited)
    expect(theirs.locator("#apps li", has_text="Grafana")).to_have_attribute(
        "data-info", "Edited live"
    )
    expect(card(ours, "Grafana").locator(".card__info")).to_have_text("Edited live")


def test_a_restart_with_changes_reaches_the_reference_client_and_our_page(
    tmp_path: Path, servers: Any, new_page: Any
) -> None:
    """EventSource resumes with the old process's id, which the new one answers with RESYNC:
    the reference client ignores that and refetches on the ordinary events that follow it.

    While the server is away its stream requests fail as a refused connection would (a request
    answered 503 by a server shutting down would end an EventSource for good), and they reach
    the new process only once it has synced, so its start-up events cannot be what the client
    refetches on.
    """
    directory = tmp_path / "manifests"
    manifests.write(directory / "base.yaml", base())
    server = servers(directory)
    theirs = reference_client(new_page, server.url + "/")
    expect(theirs.locator("#apps li")).to_have_text(["Plex"])  # the others are tagged
    ours = ready(new_page(), server.url + "/")
    expect(ours.locator("#connection")).to_have_attribute("data-state", "connected")
    away = [True]

    def stream(route: Any) -> None:
        if away[0]:
            route.abort("connectionrefused")
        else:
            route.continue_()

    for page in (theirs, ours):
        page.route("**/api/updates/stream*", stream)
    old_id = theirs.evaluate("window.lastEventId")
    assert old_id, "the opening heartbeat told the reference client where it stands"
    before = theirs.evaluate("window.refetches")
    heard = len(theirs.evaluate("window.events"))

    server.stop()
    changed = base()
    changed[1]["spec"]["info"] = "Changed while down"
    changed.append(manifests.application("Jellyfin", "Media", "https://jellyfin.example.com"))
    changed.append(manifests.bookmark("Wiki", "Links", "https://wiki.example.com"))
    manifests.write(directory / "base.yaml", changed)
    restarted = servers(directory, port=server.port)
    wait.wait_for(lambda: "Jellyfin" in live.apps(restarted), timeout=DEADLINE_MS / 1000)
    assert theirs.evaluate("window.refetches") == before, "nothing told it of the change yet"
    away[0] = False

    expect(theirs.locator("#apps li")).to_have_text(["Jellyfin", "Plex"], timeout=DEADLINE_MS * 2)
    expect(theirs.locator("#apps li", has_text="Plex")).to_have_attribute(
        "data-info", "Changed while down"
    )
    expect(theirs.locator("#bookmarks li")).to_have_text(["Docs", "Wiki"])
    # It refetched on what followed the RESYNC (a new process: another epoch in the ids).
    after = theirs.evaluate("window.events")[heard:]
    assert "APPLICATION_UPDATED" in after and "BOOKMARK_UPDATED" in after, after
    assert theirs.evaluate("window.lastEventId").split("-")[0] != old_id.split("-")[0]

    # Our page (which polled while the stream was away) shows the change too, and the resumed
    # stream's RESYNC made it refetch once (it skips the events after it, as followedBy says).
    expect(card(ours, "Jellyfin")).to_have_count(1, timeout=DEADLINE_MS * 2)
    expect(card(ours, "Plex").locator(".card__info")).to_have_text("Changed while down")
    ours.wait_for_function("window.startpunkt.live.resyncs() >= 1", timeout=DEADLINE_MS * 2)
    ours.wait_for_timeout(500)  # room for a second RESYNC, were one coming
    assert ours.evaluate("window.startpunkt.live.resyncs()") == 1
