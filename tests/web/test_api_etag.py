"""ETags on the lists: 304 for a current copy, a new tag after a change, cheap repeats."""

from __future__ import annotations

import pytest

from startpunkt import runtime
from startpunkt.web import api


@pytest.mark.parametrize("path", ["/api/apps", "/api/apps/admin", "/api/bookmarks"])
def test_lists_carry_an_etag_and_ask_for_revalidation(client, path):
    response = client.get(path)

    assert response.headers["ETag"].startswith('"')
    assert response.headers["Cache-Control"] == "no-cache"


@pytest.mark.parametrize(
    "header",
    [
        "{tag}",
        "W/{tag}",
        '"stale-one", {tag}',
        '"stale-one", W/{tag}',
        "*",
    ],
)
def test_if_none_match_with_the_current_tag_answers_304(client, header):
    etag = client.get("/api/apps").headers["ETag"]

    response = client.get("/api/apps", headers={"If-None-Match": header.format(tag=etag)})

    assert response.status_code == 304
    assert response.data == b""
    assert response.headers["ETag"] == etag
    assert response.headers["Cache-Control"] == "no-cache"


def test_a_stale_tag_gets_the_full_answer(client):
    response = client.get("/api/apps", headers={"If-None-Match": '"stale-one"'})

    assert response.status_code == 200
    assert response.get_json()["groups"]


def test_a_change_gives_a_new_tag_and_a_new_body(reference_app, web):
    client = reference_app.test_client()
    first = client.get("/api/apps")
    catalog = runtime.get(reference_app).catalog

    catalog.put("test:more", web.application("Grafana", "Monitoring"))
    second = client.get("/api/apps", headers={"If-None-Match": first.headers["ETag"]})

    assert second.status_code == 200
    assert second.headers["ETag"] != first.headers["ETag"]
    assert web.names(second.get_json()) == [["Grafana"], ["CyberChef"]]
    again = client.get("/api/apps", headers={"If-None-Match": second.headers["ETag"]})
    assert again.status_code == 304


def test_workers_with_the_same_items_give_the_same_tag(web):
    one = web.make_app(web.reference_applications()).test_client()
    other = web.make_app(list(reversed(web.reference_applications()))).test_client()

    assert one.get("/api/apps").headers["ETag"] == other.get("/api/apps").headers["ETag"]


def test_single_application_is_conditional_too(client):
    etag = client.get("/api/apps/utilities/cyberchef").headers["ETag"]

    response = client.get("/api/apps/utilities/cyberchef", headers={"If-None-Match": etag})

    assert response.status_code == 304


def test_not_modified_and_repeats_build_no_json(client, monkeypatch):
    built: list[str] = []
    real = api._groups
    monkeypatch.setattr(
        api, "_groups", lambda groups, member: built.append(member) or real(groups, member)
    )

    first = client.get("/api/apps")
    client.get("/api/apps", headers={"If-None-Match": first.headers["ETag"]})
    repeat = client.get("/api/apps")
    client.get("/api/apps/nonexistent")

    assert built == ["applications"]
    assert repeat.data == first.data


def test_the_cache_follows_the_catalog(reference_app, web):
    client = reference_app.test_client()
    before = client.get("/api/bookmarks").get_json()

    runtime.get(reference_app).catalog.put("test:more", web.bookmark("Docs", "Reading"))

    assert before == {"groups": []}
    assert web.names(client.get("/api/bookmarks").get_json(), "bookmarks") == [["Docs"]]


def test_the_cache_is_bounded(client, monkeypatch):
    monkeypatch.setattr(api, "MAX_CACHED_BODIES", 3)
    cache = runtime.get(client.application).api_bodies

    for tags in ("admin", "dev", "home", "admin,dev", "admin,home"):
        client.get(f"/api/apps/{tags}")

    assert len(cache._bodies) == 3
