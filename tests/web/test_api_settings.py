"""`/api/config`, `/api/theme` and the ping routes."""

from __future__ import annotations

import dataclasses

import pytest

from startpunkt import config, runtime
from startpunkt.config import Settings


def test_config_is_the_public_configuration(client):
    response = client.get("/api/config")

    assert response.status_code == 200
    assert response.content_type == "application/json"
    body = response.get_json()
    rt = runtime.get(client.application)
    assert body == config.public(rt.settings, rt.version)
    assert body["config"]["version"] == rt.version
    assert body["config"]["realtime"] == {
        "enabled": True,
        "heartbeatInterval": 30.0,
        "eventDebounceMs": 500,
    }
    assert body["config"]["web"]["title"] == "Startpunkt"


def test_config_reflects_realtime_disabled(web):
    settings = dataclasses.replace(
        Settings(), realtime=config.RealtimeSettings(enabled=False, event_debounce_ms=250)
    )
    client = web.make_app(settings=settings).test_client()

    realtime = client.get("/api/config").get_json()["config"]["realtime"]

    assert realtime["enabled"] is False
    assert realtime["eventDebounceMs"] == 250


def test_config_follows_live_settings(reference_app):
    client = reference_app.test_client()
    rt = runtime.get(reference_app)

    rt.settings = dataclasses.replace(
        rt.settings, web=dataclasses.replace(rt.settings.web, title="Homelab")
    )

    assert client.get("/api/config").get_json()["config"]["web"]["title"] == "Homelab"


def test_theme_has_both_palettes_under_the_reference_names(client):
    response = client.get("/api/theme")

    assert response.status_code == 200
    assert response.get_json() == {
        "light": {
            "bodyBgColor": "#F8F6F1",
            "bodyColor": "#696969",
            "emphasisColor": "#000000",
            "textPrimaryColor": "#4C432E",
            "textAccentColor": "#AA9A73",
        },
        "dark": {
            "bodyBgColor": "#232530",
            "bodyColor": "#696969",
            "emphasisColor": "#FAB795",
            "textPrimaryColor": "#FAB795",
            "textAccentColor": "#E95678",
        },
    }


def test_theme_comes_from_settings(web):
    dark = config.ThemeColors("#000001", "#000002", "#000003", "#000004", "#000005")
    settings = dataclasses.replace(
        Settings(),
        web=dataclasses.replace(Settings().web, theme=config.ThemeSettings(dark=dark)),
    )
    client = web.make_app(settings=settings).test_client()

    theme = client.get("/api/theme").get_json()

    assert theme["dark"]["bodyBgColor"] == "#000001"
    assert theme["dark"]["textAccentColor"] == "#000005"
    assert theme["light"]["bodyBgColor"] == "#F8F6F1"


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("/api/apps/ping", "Application"),
        ("/api/bookmarks/ping", "Bookmark"),
        ("/api/config/ping", "Config"),
        ("/api/i8n/ping", "I8n"),
        ("/api/theme/ping", "Theme"),
    ],
)
def test_ping_answers_plain_text_like_the_reference(client, path, resource):
    response = client.get(path)

    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.text == f"Pong from {resource} Resource"
