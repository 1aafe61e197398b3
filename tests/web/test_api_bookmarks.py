"""`/api/bookmarks`: grouped like applications, defaults filled, empty is a 200."""

from __future__ import annotations


def test_bookmarks_are_grouped_and_ordered(web):
    items = [
        web.bookmark("Python docs", "Reading", url="https://docs.python.org", location=2),
        web.bookmark("kubernetes.io", "reading", url="https://kubernetes.io"),
        web.bookmark("Flask", "Reading", url="https://flask.palletsprojects.com", location=1),
        web.bookmark("Search", "Daily", url="https://duckduckgo.com", target_blank=True),
    ]
    client = web.make_app(items).test_client()

    response = client.get("/api/bookmarks")

    assert response.status_code == 200
    body = response.get_json()
    assert [g["name"] for g in body["groups"]] == ["Daily", "Reading"]
    assert web.names(body, "bookmarks") == [
        ["Search"],
        ["Flask", "Python docs", "kubernetes.io"],
    ]


def test_a_bookmark_has_defaults_and_omits_empty_fields(web):
    client = web.make_app([web.bookmark("Docs", "Reading", url="https://example.org/Docs")])
    client = client.test_client()

    bookmark = client.get("/api/bookmarks").get_json()["groups"][0]["bookmarks"][0]

    assert bookmark == {
        "id": "bookmark/default/docs",
        "name": "Docs",
        "group": "Reading",
        "namespace": "default",
        "resourceName": "docs",
        "source": "Bookmark",
        "url": "https://example.org/Docs",
        "targetBlank": False,
        "location": 1000,
        "cluster": "local",
    }


def test_no_bookmarks_is_an_empty_200(client):
    response = client.get("/api/bookmarks")

    assert response.status_code == 200
    assert response.get_json() == {"groups": []}


def test_applications_never_appear_among_bookmarks(web):
    items = [web.application("Grafana", "Reading"), web.bookmark("Docs", "Reading")]
    client = web.make_app(items).test_client()

    assert web.names(client.get("/api/bookmarks").get_json(), "bookmarks") == [["Docs"]]
    assert web.names(client.get("/api/apps").get_json()) == [["Grafana"]]
