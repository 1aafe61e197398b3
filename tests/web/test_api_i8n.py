"""`/api/i8n*` and the translation files: language choice, fallbacks, no file access by name."""

from __future__ import annotations

import builtins
import dataclasses
import io
import json
import pathlib
import re
from typing import Any

import pytest

from startpunkt import i18n
from startpunkt.config import Settings


def _keys(node: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Flatten nested messages into dotted keys."""
    out: dict[str, str] = {}
    for key, value in node.items():
        if isinstance(value, dict):
            out.update(_keys(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


@pytest.mark.parametrize(
    ("path", "language", "applications"),
    [
        ("/api/i8n", "en-US", "Applications"),
        ("/api/i8n/en-US", "en-US", "Applications"),
        ("/api/i8n/sv-SE", "sv-SE", "Program"),
        ("/api/i8n/sv", "sv-SE", "Program"),
        ("/api/i8n/de-DE", "de-DE", "Anwendungen"),
        ("/api/i8n/de-AT", "de-DE", "Anwendungen"),
        ("/api/i8n/sv-se", "sv-SE", "Program"),
        ("/api/i8n/en-GB", "en-US", "Applications"),
        ("/api/i8n/xx-YY", "en-US", "Applications"),
        ("/api/i8n/not-a-language", "en-US", "Applications"),
    ],
)
def test_language_choice(client, path, language, applications):
    response = client.get(path)

    assert response.status_code == 200
    assert response.content_type == "application/json"
    assert response.headers["Content-Language"] == language
    assert response.get_json()["home"]["applications"] == applications


def test_unknown_languages_get_the_configured_default(web):
    settings = dataclasses.replace(Settings(), default_language="sv-SE")
    client = web.make_app(settings=settings).test_client()

    for path in ("/api/i8n", "/api/i8n/xx-YY", "/api/i8n/../../etc/passwd"):
        response = client.get(path)
        assert response.headers["Content-Language"] == "sv-SE", path


def test_a_default_language_that_is_not_available_falls_back_to_english(web):
    settings = dataclasses.replace(Settings(), default_language="fi-FI")
    client = web.make_app(settings=settings).test_client()

    assert client.get("/api/i8n").headers["Content-Language"] == "en-US"


@pytest.mark.parametrize(
    "path",
    [
        "/api/i8n/../../etc/passwd",
        "/api/i8n/..%2F..%2Fetc%2Fpasswd",
        "/api/i8n/en-US.json",
        "/api/i8n/en-US/../../../startpunkt/config.py",
        "/api/i8n/%00",
    ],
)
def test_paths_as_languages_get_the_default_without_touching_files(client, monkeypatch, path):
    i18n.languages()  # loaded at first use; from here on nothing may be opened

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError(f"file access during the request: {args!r}")

    monkeypatch.setattr(builtins, "open", refuse)
    monkeypatch.setattr(io, "open", refuse)
    monkeypatch.setattr(pathlib.Path, "open", refuse)
    monkeypatch.setattr(pathlib.Path, "read_text", refuse)
    monkeypatch.setattr(pathlib.Path, "read_bytes", refuse)

    response = client.get(path)

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "en-US"
    assert json.loads(response.data)["home"]["applications"] == "Applications"


def test_an_empty_first_segment_is_a_json_404(client):
    response = client.get("/api/i8n/%2Fetc%2Fpasswd")  # decoded to `/api/i8n//etc/passwd`

    assert response.status_code == 404
    assert response.content_type == "application/json"


def test_translations_are_conditional(client):
    first = client.get("/api/i8n/sv-SE")

    again = client.get("/api/i8n/sv-SE", headers={"If-None-Match": first.headers["ETag"]})

    assert again.status_code == 304


def test_every_language_has_the_same_keys_and_placeholders():
    english = _keys(i18n.messages("en-US"))
    assert set(i18n.languages()) >= {"en-US", "sv-SE", "de-DE"}
    for language in i18n.languages():
        texts = _keys(i18n.messages(language))
        assert texts.keys() == english.keys(), language
        for key, text in texts.items():
            assert isinstance(text, str), (language, key)
            assert text.strip(), (language, key)
            fields = set(re.findall(r"\{\{(\w+)\}\}", text))
            assert fields == set(re.findall(r"\{\{(\w+)\}\}", english[key])), (language, key)


def test_the_reference_ui_keys_are_there():
    keys = _keys(i18n.messages("en-US"))

    for key in (
        "home.applications",
        "home.bookmarks",
        "home.theme.toggle",
        "home.theme.light",
        "home.theme.dark",
        "home.theme.auto",
        "home.skipToContent",
        "home.loading",
        "home.noItemsAvailable",
        "search.placeholder",
        "search.noResults",
    ):
        assert key in keys


def test_the_page_texts_are_there():
    texts = _keys(i18n.messages("en-US"))

    assert texts["home.empty.title"] == "No applications or bookmarks yet"
    assert "startpunkt.ullberg.us/enable" in texts["home.empty.hint"]
    assert texts["status.unavailable"] == "Unavailable"
    assert texts["link.newTab"] == "opens in a new tab"
    for key in (
        "connection.connected",
        "connection.connecting",
        "connection.disconnected",
        "connection.polling",
        "group.collapse",
        "group.expand",
    ):
        assert key in texts


def test_text_fills_placeholders_and_falls_back():
    assert i18n.text("de-DE", "connection.polling", seconds=60).endswith("alle 60 s")
    assert i18n.text("sv-SE", "home.bookmarks") == "Bokmärken"
    assert i18n.text("sv-SE", "no.such.key") == "no.such.key"
    assert i18n.text("sv-SE", "home.version") == "Version {{version}}"


@pytest.mark.parametrize(
    ("requested", "expected"),
    [("sv", "sv-SE"), ("SV-se", "sv-SE"), ("de", "de-DE"), ("fr", "en-US"), (None, "en-US")],
)
def test_resolve(requested, expected):
    assert i18n.resolve(requested, "en-US") == expected
