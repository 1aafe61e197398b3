"""A hostile or broken remote cannot break the follower: every field passes our rules, sizes are
capped, broken frames are skipped, and the rest of what it sends still arrives."""

from __future__ import annotations

import json
import logging

import pytest

from startpunkt import model, sse
from startpunkt.sources.remote import http
from testkit.remote import event

GOOD = {"id": "ingress/media/plex", "name": "Plex", "group": "Media", "url": "https://plex.example"}


def app(n: int, **fields: object) -> dict[str, object]:
    return {"id": f"ingress/x/a{n}", "name": f"App {n}", "group": "G", **fields}


def test_what_a_hostile_remote_sends_arrives_only_as_safe_items(remote, caplog) -> None:
    caplog.set_level(logging.WARNING)
    scripted = remote.Scripted(
        applications=[
            GOOD,
            app(1, url="javascript:alert(1)"),
            app(2, name="<img src=x onerror=alert(1)>", info="<script>x</script>"),
            app(3, iconColor="red;background:url(https://evil)", icon="javascript:alert(1)"),
            app(4, name="n" * 100_000),  # oversize: skipped
            app(5, id={"no": "string"}),
            "not an object",
            app(6, location="9" * 50, targetBlank="yes"),
            app(7, source="<b>Evil</b>", cluster="local"),
        ],
        bookmarks=[{"id": "b", "name": "Docs", "group": "L", "url": "data:text/html,<b>x</b>"}],
    )
    west = remote.follow(remote.serve(scripted).url)
    remote.synced(west)

    snap = remote.catalog.snapshot()
    by_id = {i.id: i for i in (*snap.applications, *snap.bookmarks)}
    assert sorted(by_id) == [
        "west:b",
        "west:ingress/media/plex",
        "west:ingress/x/a1",
        "west:ingress/x/a2",
        "west:ingress/x/a3",
        "west:ingress/x/a6",
        "west:ingress/x/a7",
    ]
    assert by_id["west:ingress/x/a1"].url is None and by_id["west:b"].url is None
    assert by_id["west:ingress/x/a2"].name == "<img src=x onerror=alert(1)>"  # text, as text
    a3 = by_id["west:ingress/x/a3"]
    assert isinstance(a3, model.Application) and (a3.icon_color, a3.icon) == (None, None)
    assert by_id["west:ingress/x/a6"].location == model.DEFAULT_LOCATION
    assert by_id["west:ingress/x/a7"].source == "Application"
    assert "ingress/x/a4" in caplog.text and "skipped" in caplog.text


def test_broken_frames_are_skipped_and_the_stream_goes_on(remote) -> None:
    scripted = remote.Scripted(applications=[GOOD])
    west = remote.follow(remote.serve(scripted).url)
    remote.synced(west)

    big = json.dumps({"data": app(10, info="x" * (sse.MAX_DATA + 10))})
    scripted.push(b"event: APPLICATION_ADDED\ndata: " + big.encode() + b"\n\n")  # oversize
    scripted.push(b"event: APPLICATION_ADDED\ndata: {not json\n\n")
    scripted.push(b"event: APPLICATION_ADDED\ndata: [1, 2]\n\n")
    scripted.push(b"event: APPLICATION_ADDED\ndata: " + b"[" * 100_000 + b"\n\n")  # too deep
    scripted.push(b"\xff\xfe\x00garbage without a line end ")
    scripted.push(b"\n\n")
    scripted.push(event("NO_SUCH_TYPE", {"id": "x"}))
    scripted.push(event("APPLICATION_REMOVED", {"id": {"x": 1}}))
    scripted.push(event("STATUS_CHANGED", {"id": "ingress/media/plex", "available": "no"}))
    scripted.push(event("APPLICATION_ADDED", app(11, url="javascript:x"), event_id="s-9"))
    remote.wait_for(lambda: "west:ingress/x/a11" in remote.ids(), timeout=5)

    assert remote.ids() == ["west:ingress/media/plex", "west:ingress/x/a11"]
    assert remote.catalog.snapshot().get("west:ingress/x/a11").url is None
    assert remote.catalog.snapshot().get("west:ingress/media/plex").available is True
    assert west.last_event_id == "s-9" and west.connected


def test_a_remote_cannot_grow_our_memory_past_its_cap(remote, caplog) -> None:
    caplog.set_level(logging.WARNING)
    scripted = remote.Scripted(applications=[app(n) for n in range(30)])
    west = remote.follow(remote.serve(scripted).url, maxItems=10)
    remote.synced(west)
    assert len(remote.ids()) == 10
    for n in range(30, 40):
        scripted.push(event("APPLICATION_ADDED", app(n)))
    scripted.push(event("APPLICATION_UPDATED", app(0, info="changed"), event_id="s-2"))
    remote.wait_for(lambda: west.last_event_id == "s-2", timeout=5)

    assert len(remote.ids()) == 10
    assert remote.catalog.snapshot().get("west:ingress/x/a0").info == "changed"  # kept ones change
    warnings = [r for r in caplog.records if "maxItems" in r.getMessage()]
    assert len(warnings) == 1  # said once, not per item
    assert "more than 10 items" in warnings[0].getMessage()


def test_an_oversize_answer_is_refused_and_retried_not_read_whole(remote, monkeypatch) -> None:
    monkeypatch.setattr(http, "MAX_BODY", 4096)
    scripted = remote.Scripted()
    scripted.bodies["/api/apps"] = (200, b'{"groups": [' + b" " * 10_000 + b"]}")
    west = remote.follow(remote.serve(scripted).url)
    remote.wait_for(lambda: remote.readiness.sources()[west.name].state == "error", timeout=5)
    assert "larger than 4096 bytes" in remote.readiness.sources()[west.name].last_error


@pytest.mark.parametrize(
    ("path", "body", "message"),
    [
        ("/api/config", b"<html>", "not JSON"),
        ("/api/config", b'{"config": 1}', "not a startpunkt config"),
        ("/api/apps", b'{"groups": 3}', "no groups"),
    ],
)
def test_answers_that_are_not_startpunkts_say_so(remote, path, body, message) -> None:
    scripted = remote.Scripted()
    scripted.bodies[path] = (200, body)
    west = remote.follow(remote.serve(scripted).url)
    remote.wait_for(lambda: remote.readiness.sources()[west.name].state == "error", timeout=5)
    assert message in remote.readiness.sources()[west.name].last_error


def test_a_stream_that_is_not_an_event_stream_is_refused(remote) -> None:
    scripted = remote.Scripted()
    scripted.bodies["/api/updates/stream"] = (200, b"{}")
    west = remote.follow(remote.serve(scripted).url)
    remote.wait_for(lambda: remote.readiness.sources()[west.name].state == "error", timeout=5)
    assert "not an event stream" in remote.readiness.sources()[west.name].last_error


def test_items_another_cluster_re_exports_are_never_taken(remote) -> None:
    """An instance that ignores `scope=local` would pass on what it follows: not ours to echo."""
    scripted = remote.Scripted(
        cluster="west-own",
        applications=[{**GOOD, "cluster": "west-own"}, {**app(1), "cluster": "elsewhere"}],
    )
    west = remote.follow(remote.serve(scripted).url)
    remote.synced(west)
    scripted.push(event("APPLICATION_ADDED", {**app(2), "cluster": "east"}))
    scripted.push(event("APPLICATION_ADDED", {**app(3), "cluster": "west-own"}, event_id="s-3"))
    remote.wait_for(lambda: west.last_event_id == "s-3", timeout=5)
    assert remote.ids() == ["west:ingress/media/plex", "west:ingress/x/a3"]


def test_an_event_id_that_cannot_travel_back_means_reading_the_state(remote) -> None:
    scripted = remote.Scripted(heartbeat=0.3, applications=[GOOD])
    west = remote.follow(remote.serve(scripted).url)
    remote.synced(west)
    scripted.push('id: caf\u00e9 \u20ac\nevent: HEARTBEAT\ndata: {"data": null}\n\n'.encode())
    remote.wait_for(lambda: west.last_event_id is None, timeout=5)
    # The stream goes silent, is given up, and the next connection reads the state again.
    remote.wait_for(lambda: scripted.paths().count("/api/apps") >= 2, timeout=5)
    remote.wait_for(lambda: remote.readiness.sources()[west.name].state == "synced", timeout=5)
    assert all("last-event-id" not in r.headers for r in scripted.requests)
