"""`/api/apps*`: the reference's three-application fixture, tags, ordering, single lookups."""

from __future__ import annotations

import json

import pytest


def test_plain_list_holds_untagged_applications_only(client, web):
    response = client.get("/api/apps")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    body = response.get_json()
    assert [g["name"] for g in body["groups"]] == ["Utilities"]
    assert web.names(body) == [["CyberChef"]]
    cyberchef = body["groups"][0]["applications"][0]
    assert cyberchef == {
        "id": "application/default/cyberchef",
        "name": "CyberChef",
        "group": "Utilities",
        "namespace": "default",
        "resourceName": "cyberchef",
        "source": "Application",
        "url": "https://cyberchef.ullberg.us",
        "icon": "mdi:chef-hat",
        "info": "Cyber Swiss Army Knife",
        "targetBlank": True,
        "location": 1000,
        "cluster": "local",
        "enabled": True,
        "available": True,
    }


def test_trailing_slash_is_the_plain_list(client):
    assert client.get("/api/apps/").get_json() == client.get("/api/apps").get_json()


@pytest.mark.parametrize(
    ("tags", "expected"),
    [
        ("admin", [["Home Assistant"], ["CyberChef"]]),
        ("dev", [["Node-RED"], ["CyberChef"]]),
        ("home", [["Node-RED", "Home Assistant"], ["CyberChef"]]),
        ("admin,dev", [["Node-RED", "Home Assistant"], ["CyberChef"]]),
        (" ADMIN , Dev ", [["Node-RED", "Home Assistant"], ["CyberChef"]]),
        ("nonexistent", [["CyberChef"]]),
    ],
)
def test_tags_add_matching_applications_to_the_untagged(client, web, tags, expected):
    response = client.get(f"/api/apps/{tags}")

    assert response.status_code == 200
    assert web.names(response.get_json()) == expected


def test_tag_filtered_groups_keep_their_names(client):
    body = client.get("/api/apps/admin,dev").get_json()

    assert [g["name"] for g in body["groups"]] == ["Home Automation", "Utilities"]


def test_a_tag_matches_whole_tags_only(client, web):
    assert web.names(client.get("/api/apps/adm").get_json()) == [["CyberChef"]]


def test_single_application_matches_case_insensitively(client):
    response = client.get("/api/apps/home automation/HOME ASSISTANT")

    assert response.status_code == 200
    app = response.get_json()
    assert app["name"] == "Home Assistant"
    assert app["group"] == "Home Automation"
    assert app["tags"] == "admin,home"
    assert app["location"] == 1000


def test_single_application_missing_is_a_json_404(client):
    response = client.get("/api/apps/Home Automation/missing")

    assert response.status_code == 404
    assert response.content_type == "application/json"
    body = response.get_json()
    assert body["status"] == 404
    assert "missing" in body["error"]


def test_order_is_group_then_location_then_name_case_insensitive(web):
    items = [
        web.application("zeta", "beta"),
        web.application("Alpha", "beta"),
        web.application("first", "beta", location=5),
        web.application("Omega", "Alpha"),
        web.application("b-side", "alpha", location=1000),
    ]
    client = web.make_app(items).test_client()

    body = client.get("/api/apps").get_json()

    assert [g["name"] for g in body["groups"]] == ["alpha", "beta"]
    assert web.names(body) == [["b-side", "Omega"], ["first", "Alpha", "zeta"]]


def test_groups_differing_in_case_are_one_group(web):
    items = [
        web.application("Grafana", "Monitoring"),
        web.application("Alertmanager", "monitoring"),
        web.application("Prometheus", "MONITORING"),
    ]
    client = web.make_app(items).test_client()

    body = client.get("/api/apps").get_json()

    assert len(body["groups"]) == 1
    assert body["groups"][0]["name"] == "monitoring"
    assert web.names(body) == [["Alertmanager", "Grafana", "Prometheus"]]


def test_empty_catalog_answers_200_with_no_groups(web):
    client = web.make_app().test_client()

    for path in ("/api/apps", "/api/apps/admin"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.get_json() == {"groups": []}


def test_cluster_text_comes_back_as_a_json_string(web):
    hostile = "<img src=x onerror=alert(1)>"
    client = web.make_app([web.application(hostile, "x", resource_name="evil")]).test_client()

    response = client.get("/api/apps")

    assert response.content_type == "application/json"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert json.loads(response.data)["groups"][0]["applications"][0]["name"] == hostile


def test_cached_answers_are_kept_apart_by_tags(client):
    plain = client.get("/api/apps").get_json()
    tagged = client.get("/api/apps/admin").get_json()

    assert tagged != plain
    assert client.get("/api/apps").get_json() == plain
    assert client.get("/api/apps/ADMIN").get_json() == tagged
