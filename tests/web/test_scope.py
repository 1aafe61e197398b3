"""`?scope=local`: what another instance following this one reads. Its own items only (never
those it follows, so instances following each other do not echo), every application whether
tagged or not, a stream of their changes with ids of its own; everything else as before."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

import gevent
import pytest
from flask import Flask
from gevent.queue import Queue

from startpunkt import model, runtime
from startpunkt.config import RealtimeSettings, Settings
from testkit import items, sse, wait

OWN = items.application("Plex", "Media", url="https://plex.example")
TAGGED = items.application("Admin", "Ops", url="https://admin.example", tags="admin")
MARK = items.bookmark("Docs", "Links", url="https://docs.example")
FOLLOWED = dataclasses.replace(
    items.application("Grafana", "Ops", url="https://grafana.west"),
    id=model.remote_id("west", "ingress/ops/grafana"),
    cluster="west",
    remote=True,
)
FOLLOWED_MARK = dataclasses.replace(
    MARK, id=model.remote_id("west", MARK.id), cluster="west", remote=True
)


@pytest.fixture
def app(web) -> Iterator[Flask]:
    settings = Settings(realtime=RealtimeSettings(event_debounce_ms=10))
    made = web.make_app([OWN, TAGGED, MARK], settings)
    runtime.get(made).catalog.replace("remote:west", [FOLLOWED, FOLLOWED_MARK])
    yield made
    for broadcaster in runtime.get(made).broadcasters():
        broadcaster.stop()


def ids(body: dict, member: str) -> list[str]:
    return [item["id"] for group in body["groups"] for item in group[member]]


def test_pages_see_every_cluster(app) -> None:
    client = app.test_client()
    assert ids(client.get("/api/apps").json, "applications") == [
        "application/default/plex",
        "west:ingress/ops/grafana",
    ]
    assert ids(client.get("/api/apps?scope=all").json, "applications") == ids(
        client.get("/api/apps").json, "applications"
    )
    assert len(ids(client.get("/api/bookmarks").json, "bookmarks")) == 2


def test_local_scope_is_own_items_every_application_tagged_or_not(app) -> None:
    client = app.test_client()
    own = client.get("/api/apps?scope=local")
    assert sorted(ids(own.json, "applications")) == [
        "application/default/admin",
        "application/default/plex",
    ]
    assert ids(client.get("/api/bookmarks?scope=local").json, "bookmarks") == [MARK.id]
    # The tags of the path do not apply: a follower needs everything.
    assert ids(client.get("/api/apps/admin?scope=local").json, "applications") == ids(
        own.json, "applications"
    )


def test_the_local_etag_moves_only_with_own_items(app) -> None:
    client = app.test_client()
    rt = runtime.get(app)
    etag = client.get("/api/apps?scope=local").headers["ETag"]
    page_etag = client.get("/api/apps").headers["ETag"]
    assert etag != page_etag
    rt.catalog.put("remote:west", dataclasses.replace(FOLLOWED, info="changed"))
    assert client.get("/api/apps").headers["ETag"] != page_etag
    again = client.get("/api/apps?scope=local", headers={"If-None-Match": etag})
    assert again.status_code == 304
    rt.catalog.put("test:items", dataclasses.replace(OWN, info="changed"))
    assert client.get("/api/apps?scope=local", headers={"If-None-Match": etag}).status_code == 200


@pytest.mark.parametrize("path", ["/api/apps", "/api/bookmarks", "/api/updates/stream"])
def test_an_unknown_scope_is_a_clear_error(app, path: str) -> None:
    answer = app.test_client().get(f"{path}?scope=remote")
    assert answer.status_code == 400
    assert answer.json["error"] == "The scope parameter must be one of all, local."


def read(app: Flask, url: str) -> tuple[Queue, object]:
    response = app.test_client().get(url, buffered=False)
    assert response.status_code == 200
    got: Queue = Queue()

    def pump() -> None:
        decoder = sse.Decoder()
        for chunk in response.response:
            for message in decoder.feed(chunk):
                if message.event not in (None, "HEARTBEAT"):
                    got.put((message.event, json.loads(message.data)["data"]))

    reader = gevent.spawn(pump)
    return got, (response, reader)


def test_the_local_stream_tells_only_of_own_items(app) -> None:
    rt = runtime.get(app)
    own, own_handle = read(app, "/api/updates/stream?scope=local")
    every, every_handle = read(app, "/api/updates/stream")
    try:
        gevent.sleep(0.05)
        rt.catalog.put("remote:west", dataclasses.replace(FOLLOWED, info="followed"))
        rt.catalog.put("test:items", dataclasses.replace(OWN, info="own"))
        first = own.get(timeout=5)
        assert first[0] == "APPLICATION_UPDATED" and first[1]["id"] == OWN.id
        seen: set[str] = set()
        while seen != {OWN.id, FOLLOWED.id}:  # (after the fixture's own additions)
            kind, data = every.get(timeout=5)
            if kind == "APPLICATION_UPDATED":
                seen.add(data["id"])
        assert wait.stays(lambda: own.empty(), seconds=0.2)
        # Its own ids: the page's stream and the followers' never resume on each other's.
        assert rt.local_broadcaster.epoch != rt.broadcaster.epoch
    finally:
        for response, reader in (own_handle, every_handle):
            reader.kill()
            response.close()


def test_the_local_stream_follows_its_resync_with_own_items_only(app) -> None:
    """A follower reconnecting after a restart is told of its own items (Plex), never of one
    followed from elsewhere, even where that one comes first on the page."""
    alerts = dataclasses.replace(
        items.application("Alerts", "Alarms", url="https://alerts.west"),
        id=model.remote_id("west", "ingress/alarms/alerts"),
        cluster="west",
        remote=True,
    )
    runtime.get(app).catalog.put("remote:west", alerts)
    own, own_handle = read(app, "/api/updates/stream?scope=local&lastEventId=0badcafe-1")
    every, every_handle = read(app, "/api/updates/stream?lastEventId=0badcafe-1")
    try:
        for got, application, bookmark in ((own, OWN, MARK), (every, alerts, MARK)):
            assert got.get(timeout=5) == ("RESYNC", {"reason": "epoch", "followedBy": 2})
            kind, data = got.get(timeout=5)
            assert (kind, data["id"]) == ("APPLICATION_UPDATED", application.id)
            kind, data = got.get(timeout=5)
            assert (kind, data["id"]) == ("BOOKMARK_UPDATED", bookmark.id)
    finally:
        for response, reader in (own_handle, every_handle):
            reader.kill()
            response.close()
