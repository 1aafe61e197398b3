"""Every `application.yaml` layout a Startpunkt release shipped starts here unchanged.

The files under `fixtures/reference_configs/` are written from each release's key list (SPEC §7).
For each: start-up succeeds, the keys that map to ours take effect, and the keys of features not
built here are named in exactly one WARNING.
"""

from __future__ import annotations

import itertools
import logging
import time
from pathlib import Path

import pytest

import startpunkt
from startpunkt import config
from testkit import sse

LAYOUTS = Path(__file__).resolve().parent / "fixtures" / "reference_configs"


def load(name: str, caplog: pytest.LogCaptureFixture) -> tuple[config.Settings, list[str]]:
    """The settings of one layout, and the WARNINGs loading it logged."""
    with caplog.at_level(logging.WARNING, logger="startpunkt.config"):
        settings = config.load(LAYOUTS / name, environ={})
    return settings, [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_v2_1_bare_numbers_are_seconds(caplog: pytest.LogCaptureFixture) -> None:
    settings, warnings = load("v2.1.yaml", caplog)
    assert (settings.availability.interval, settings.availability.timeout) == (60.0, 5.0)
    assert settings.web.check_for_updates is True  # accepted; the page never calls out for it
    assert warnings == []


def test_v3_websocket_keys_drive_the_live_stream(caplog: pytest.LogCaptureFixture) -> None:
    settings, warnings = load("v3.yaml", caplog)
    rt = settings.realtime
    assert (rt.enabled, rt.heartbeat_interval, rt.event_debounce_ms) == (True, 2.0, 250)
    assert warnings == []


def test_v3_heartbeat_interval_paces_the_stream() -> None:
    """`websocket.heartbeatInterval: 2s` gives a heartbeat every 2 s on /api/updates/stream."""
    app = startpunkt.create_app(config_path=str(LAYOUTS / "v3.yaml"), start=False)
    response = app.test_client().get("/api/updates/stream", buffered=False)
    try:
        decoder, beats = sse.Decoder(), []
        for chunk in response.response:
            for message in decoder.feed(chunk):
                if message.event == "HEARTBEAT":
                    beats.append(time.monotonic())
            if len(beats) == 3:  # the opening one, then two paced ones
                break
        gaps = [b - a for a, b in itertools.pairwise(beats[1:])]
        assert beats[1] - beats[0] == pytest.approx(2.0, abs=0.5)
        assert all(gap == pytest.approx(2.0, abs=0.5) for gap in gaps)
    finally:
        response.close()


def test_realtime_wins_over_websocket() -> None:
    doc = {
        "startpunkt": {
            "websocket": {"enabled": False, "heartbeatInterval": "2s", "eventDebounceMs": 100},
            "realtime": {"enabled": True, "heartbeatInterval": "10s"},
        }
    }
    rt = config.from_mapping(doc, {}).realtime
    assert (rt.enabled, rt.heartbeat_interval, rt.event_debounce_ms) == (True, 10.0, 100)


def test_realtime_from_the_environment_wins_too() -> None:
    doc = {"startpunkt": {"websocket": {"heartbeatInterval": "2s"}}}
    env = {"STARTPUNKT_REALTIME_HEARTBEATINTERVAL": "7s"}
    assert config.from_mapping(doc, env).realtime.heartbeat_interval == 7.0


def test_v4_0_graphql_subscriptions_mean_the_live_stream(caplog: pytest.LogCaptureFixture) -> None:
    """v4.0 switched websocket off for GraphQL subscriptions: live updates stay on here."""
    settings, warnings = load("v4.0.yaml", caplog)
    assert settings.realtime.enabled is True
    assert len(warnings) == 1
    assert "startpunkt.graphql.subscription.enabled" in warnings[0]


def test_websocket_off_alone_switches_the_stream_off() -> None:
    doc = {"startpunkt": {"websocket": {"enabled": False}}}
    assert config.from_mapping(doc, {}).realtime.enabled is False


def test_v4_7_every_key_starts_and_maps(caplog: pytest.LogCaptureFixture) -> None:
    settings, warnings = load("v4.7.yaml", caplog)
    av = settings.availability
    assert (av.max_retries, av.initial_delay_ms, av.max_delay_ms, av.backoff_multiplier) == (
        3,
        1000,
        300000,
        1.5,
    )
    assert settings.ingress.ingress_class_names == ("traefik", "nginx")
    assert settings.ingress.include_unclassified is False
    assert settings.web.search_engine == "https://www.google.com/search?q={query}"
    assert settings.web.default_show_all_clusters is False
    assert settings.clusters.local.name == "home"
    (office,) = settings.clusters.remote
    assert (office.name, office.enabled) == ("office", True)
    assert office.graphql_url == "https://office.example.com/graphql"
    assert office.graphql_token == "s3cr3t-token-value"
    assert "s3cr3t" not in repr(settings)
    assert settings.realtime.enabled is True
    # One warning names every accepted-but-unused key, and never the token.
    assert len(warnings) == 1
    for key in (
        "graphql.subscription.enabled",
        "bingimage.fallback.urlbase",
        "bingimage.fallback.copyright",
        "bingimage.fallback.title",
        "watch.enabled",
        "watch.resyncPeriodSeconds",
    ):
        assert f"startpunkt.{key}" in warnings[0]
    assert "s3cr3t" not in warnings[0]


@pytest.mark.parametrize("name", ["v2.1.yaml", "v3.yaml", "v4.0.yaml", "v4.7.yaml"])
def test_each_layout_serves(name: str) -> None:
    """The whole app starts from each file and answers its API."""
    app = startpunkt.create_app(config_path=str(LAYOUTS / name), start=False)
    client = app.test_client()
    assert client.get("/api/config").status_code == 200
    assert client.get("/api/apps").json == {"groups": []}


def test_unknown_keys_still_fail() -> None:
    with pytest.raises(config.ConfigError, match=r"startpunkt\.websocket\.heartbeat: unknown key"):
        config.from_mapping({"startpunkt": {"websocket": {"heartbeat": "2s"}}}, {})
    with pytest.raises(config.ConfigError, match=r"startpunkt\.graphql\.query: unknown key"):
        config.from_mapping({"startpunkt": {"graphql": {"query": True}}}, {})


def test_a_token_of_the_wrong_type_is_not_shown() -> None:
    doc = {"startpunkt": {"clusters": {"remote": [{"name": "x", "graphqlToken": 12345678}]}}}
    with pytest.raises(config.ConfigError) as info:
        config.from_mapping(doc, {})
    assert "clusters.remote[0].graphqlToken" in str(info.value)
    assert "12345678" not in str(info.value)


def test_a_remote_needs_a_name() -> None:
    doc = {"startpunkt": {"clusters": {"remote": [{"enabled": True}]}}}
    with pytest.raises(config.ConfigError, match=r"clusters\.remote\[0\]: missing name"):
        config.from_mapping(doc, {})


def test_an_impossible_class_name_is_dropped_with_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    doc = {"startpunkt": {"ingress": {"ingressClassNames": ["nginx", "Not A Class", "traefik"]}}}
    with caplog.at_level(logging.WARNING, logger="startpunkt.config"):
        settings = config.from_mapping(doc, {})
    assert settings.ingress.ingress_class_names == ("nginx", "traefik")
    assert "startpunkt.ingress.ingressClassNames[1]: 'Not A Class'" in caplog.text


def test_search_engine_with_a_placeholder_is_kept() -> None:
    doc = {"startpunkt": {"web": {"searchEngine": "https://example.com/?s={query}&x=1"}}}
    assert config.from_mapping(doc, {}).web.search_engine == "https://example.com/?s={query}&x=1"


def test_config_maps_opt_in_extends_the_url_from_kinds() -> None:
    assert "ConfigMap" not in config.Settings().url_from_kinds()
    doc = {"startpunkt": {"urlFrom": {"configMaps": True}}}
    assert "ConfigMap" in config.from_mapping(doc, {}).url_from_kinds()
