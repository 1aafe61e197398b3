"""What clients written for the reference expect: field shapes, trailing-slash tag paths, CORS."""

from __future__ import annotations

import dataclasses

import pytest

from startpunkt import config
from startpunkt.config import Settings

REFERENCE_APP_FIELDS = {
    "name",
    "group",
    "icon",
    "iconColor",
    "url",
    "info",
    "targetBlank",
    "location",
    "enabled",
    "rootPath",
    "tags",
    "available",
}
"""The reference's application JSON (its ApplicationSpec plus availability)."""


def apps_of(body: dict) -> list[dict]:
    return [a for g in body["groups"] for a in g["applications"]]


def test_every_reference_field_is_served_and_booleans_are_never_left_out(web):
    plain = web.application("Plain", "Tools", url="https://plain.example.com")
    full = web.application(
        "Full",
        "Tools",
        url="https://full.example.com/ui",
        icon="mdi:home",
        icon_color="red",
        info="Everything set",
        target_blank=True,
        location=3,
        enabled=True,
        root_path="/ui",
        tags="",
    )
    client = web.make_app([plain, full]).test_client()
    body = client.get("/api/apps").get_json()
    by_name = {a["name"]: a for a in apps_of(body)}
    assert REFERENCE_APP_FIELDS - {"tags"} <= by_name["Full"].keys()
    assert by_name["Plain"]["targetBlank"] is False
    assert by_name["Plain"]["enabled"] is True
    assert by_name["Plain"]["available"] is True
    assert by_name["Plain"]["location"] == 1000
    # Our additions stay.
    assert {"id", "namespace", "resourceName", "source"} <= by_name["Plain"].keys()


def test_bookmarks_carry_target_blank_false_too(web):
    client = web.make_app([web.bookmark("Docs", "Links", url="https://d.example.com")])
    (mark,) = client.test_client().get("/api/bookmarks").get_json()["groups"][0]["bookmarks"]
    assert mark["targetBlank"] is False


def test_config_has_the_reference_web_keys(client):
    web_config = client.get("/api/config").get_json()["config"]["web"]
    assert {"title", "refreshInterval", "showGithubLink", "checkForUpdates", "rootPath"} <= (
        web_config.keys()
    )
    assert web_config["rootPath"] == "/"


def test_theme_has_five_colours_per_palette(client):
    theme = client.get("/api/theme").get_json()
    for palette in ("light", "dark"):
        assert set(theme[palette]) == {
            "bodyBgColor",
            "bodyColor",
            "emphasisColor",
            "textPrimaryColor",
            "textAccentColor",
        }


@pytest.mark.parametrize(
    "path", ["/api/apps/admin", "/api/apps/admin/", "/api/apps/admin%2F", "/api/apps/ADMIN%2f"]
)
def test_a_trailing_slash_or_encoded_slash_on_tags_is_ignored(client, path):
    """The reference UI asks `/api/apps/admin%2F` for the page `/admin/`."""
    response = client.get(path)
    assert response.status_code == 200
    names = sorted(a["name"] for a in apps_of(response.get_json()))
    assert names == ["CyberChef", "Home Assistant"]


@pytest.mark.parametrize("path", ["/admin", "/admin/", "/admin%2F"])
def test_the_page_takes_a_trailing_slash_too(client, path):
    response = client.get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Home Assistant" in html and "Node-RED" not in html


def test_reserved_paths_stay_reserved_with_a_slash(client):
    assert client.get("/api/").status_code == 404
    assert client.get("/static/").status_code == 404


def cors_app(web, *origins: str):
    settings = Settings()
    web_settings = dataclasses.replace(
        settings.web, cors=config.CorsSettings(allowed_origins=origins)
    )
    return web.make_app(
        web.reference_applications(), dataclasses.replace(settings, web=web_settings)
    )


def test_cors_is_off_by_default(client):
    response = client.get("/api/apps", headers={"Origin": "https://elsewhere.example.com"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_cors_allows_only_the_listed_origins(web):
    client = cors_app(web, "https://dash.example.com").test_client()
    ok = client.get("/api/apps", headers={"Origin": "https://dash.example.com"})
    assert ok.headers["Access-Control-Allow-Origin"] == "https://dash.example.com"
    assert "ETag" in ok.headers["Access-Control-Expose-Headers"]
    assert "Origin" in ok.headers["Vary"]
    other = client.get("/api/apps", headers={"Origin": "https://evil.example.com"})
    assert "Access-Control-Allow-Origin" not in other.headers
    page = client.get("/", headers={"Origin": "https://dash.example.com"})
    assert "Access-Control-Allow-Origin" not in page.headers  # the API and the stream only


def test_cors_preflight_offers_read_only_methods_and_resume_headers(web):
    client = cors_app(web, "https://dash.example.com").test_client()
    response = client.options(
        "/api/updates/stream",
        headers={
            "Origin": "https://dash.example.com",
            "Access-Control-Request-Method": "GET",
            "Access-Control-Request-Headers": "last-event-id",
        },
    )
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "https://dash.example.com"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    assert "Last-Event-ID" in response.headers["Access-Control-Allow-Headers"]


def test_cors_headers_reach_the_stream(web):
    client = cors_app(web, "https://dash.example.com").test_client()
    response = client.get(
        "/api/updates/stream", headers={"Origin": "https://dash.example.com"}, buffered=False
    )
    try:
        assert response.status_code == 200
        assert response.headers["Access-Control-Allow-Origin"] == "https://dash.example.com"
    finally:
        response.close()
