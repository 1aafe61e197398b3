"""Configuration: the reference's keys and defaults, SmallRye environment names, clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from startpunkt import config
from startpunkt.config import ConfigError, Settings

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "application.yaml"


def build(doc: object, **env: str) -> Settings:
    return config.from_mapping(doc, env)


def error(doc: object, **env: str) -> str:
    with pytest.raises(ConfigError) as info:
        config.from_mapping(doc, env)
    return str(info.value)


def test_defaults_equal_the_reference():
    """Values from the reference's application.yaml and @ConfigProperty defaults."""
    s = Settings()
    assert (s.default_protocol, s.default_language) == ("http", "en-US")
    assert s.namespace_selector.any is True and s.namespace_selector.match_names == ()
    for kind in (s.ingress, s.openshift, s.istio.virtualservice, s.gatewayapi.httproute):
        assert (kind.enabled, kind.only_annotated) == (True, True)
    assert s.hajimari.enabled is True
    assert (s.web.title, s.web.root_path, s.web.github_link.enabled) == ("Startpunkt", "/", True)
    assert vars(s.web.theme.light) == {
        "body_bg_color": "#F8F6F1",
        "body_color": "#696969",
        "emphasis_color": "#000000",
        "text_primary_color": "#4C432E",
        "text_accent_color": "#AA9A73",
    }
    assert vars(s.web.theme.dark) == {
        "body_bg_color": "#232530",
        "body_color": "#696969",
        "emphasis_color": "#FAB795",
        "text_primary_color": "#FAB795",
        "text_accent_color": "#E95678",
    }
    assert (s.realtime.enabled, s.realtime.heartbeat_interval, s.realtime.event_debounce_ms) == (
        True,
        30.0,
        500,
    )
    assert (s.availability.enabled, s.availability.interval, s.availability.timeout) == (
        True,
        60.0,
        5.0,
    )
    assert s.availability.ignore_certificates is False


def test_deliberate_departures_from_the_reference():
    """checkForUpdates: the page must work offline (the reference defaulted to true)."""
    assert Settings().web.check_for_updates is False


def test_own_defaults():
    s = Settings()
    assert s.manifests.enabled is None
    assert s.manifests.directory == config.EXAMPLE_DIRECTORY
    assert Path(config.EXAMPLE_DIRECTORY).is_dir()
    assert s.kubernetes.enabled == "auto"
    assert "Secret" not in s.url_from.allowed_kinds


def test_the_example_file_spells_out_every_default():
    """examples/application.yaml loads to exactly the defaults and names every key."""
    doc = yaml.safe_load(EXAMPLE.read_text())
    assert config.from_mapping(doc, {}) == Settings()
    missing = [key for key in leaf_keys(Settings(), "startpunkt") if not has_key(doc, key)]
    # The default directory is where startpunkt is installed, so the file can only comment it.
    assert missing == ["startpunkt.manifests.directory"]
    assert "# directory:" in EXAMPLE.read_text()


def leaf_keys(settings: object, path: str) -> list[str]:
    import dataclasses

    keys = []
    for f in dataclasses.fields(settings):  # type: ignore[arg-type]
        if {"maps_to", "unsupported"} & f.metadata.keys():
            continue  # the reference's keys, for its files: not ours to document as defaults
        value = getattr(settings, f.name)
        key = f"{path}.{config.camel(f.name)}"
        keys += leaf_keys(value, key) if dataclasses.is_dataclass(value) else [key]
    return keys


def has_key(doc: object, dotted: str) -> bool:
    for part in dotted.split("."):
        if not isinstance(doc, dict) or part not in doc:
            return False
        doc = doc[part]
    return True


def test_file_values_are_read():
    s = build(
        {
            "startpunkt": {
                "defaultProtocol": "https",
                "namespaceSelector": {"any": False, "matchNames": ["media", "home"]},
                "istio": {"virtualservice": {"onlyAnnotated": False}},
                "web": {"title": "Homelab", "theme": {"dark": {"bodyBgColor": "#000"}}},
                "kubernetes": {"enabled": "auto", "context": "lab"},
            }
        }
    )
    assert s.default_protocol == "https"
    assert s.namespace_selector.match_names == ("media", "home")
    assert s.istio.virtualservice.only_annotated is False
    assert s.istio.virtualservice.enabled is True
    assert (s.web.title, s.web.theme.dark.body_bg_color) == ("Homelab", "#000")
    assert s.web.theme.dark.body_color == "#696969"
    assert s.kubernetes.context == "lab"


def test_environment_overrides_use_smallrye_names():
    s = build(
        {"startpunkt": {"realtime": {"enabled": True}, "web": {"title": "From file"}}},
        STARTPUNKT_REALTIME_ENABLED="false",
        STARTPUNKT_REALTIME_HEARTBEATINTERVAL="10s",
        STARTPUNKT_REALTIME_EVENTDEBOUNCEMS="250",
        STARTPUNKT_WEB_TITLE="From env",
        STARTPUNKT_WEB_THEME_LIGHT_BODYBGCOLOR="#fff",
        STARTPUNKT_GATEWAYAPI_HTTPROUTE_ONLYANNOTATED="FALSE",
        STARTPUNKT_MANIFESTS_DIRECTORY="/srv/manifests",
        STARTPUNKT_MANIFESTS_ENABLED="true",
        STARTPUNKT_KUBERNETES_ENABLED="false",
        STARTPUNKT_AVAILABILITY_UPSTATUSES="200, 204",
        STARTPUNKT_URLFROM_ALLOWEDKINDS="Ingress,Service",
    )
    assert s.realtime.enabled is False
    assert (s.realtime.heartbeat_interval, s.realtime.event_debounce_ms) == (10.0, 250)
    assert s.web.title == "From env"
    assert s.web.theme.light.body_bg_color == "#fff"
    assert s.gatewayapi.httproute.only_annotated is False
    assert (s.manifests.directory, s.manifests.enabled) == ("/srv/manifests", True)
    assert s.kubernetes.enabled is False
    assert s.availability.up_statuses == (200, 204)
    assert s.url_from.allowed_kinds == ("Ingress", "Service")
    assert config.env_name("startpunkt.realtime.heartbeatInterval") == (
        "STARTPUNKT_REALTIME_HEARTBEATINTERVAL"
    )


def test_environment_values_are_checked_and_named():
    message = error({}, STARTPUNKT_REALTIME_EVENTDEBOUNCEMS="soon")
    assert message.startswith(
        "startpunkt.realtime.eventDebounceMs (from the environment variable "
        "STARTPUNKT_REALTIME_EVENTDEBOUNCEMS): expected an integer"
    )
    assert "got str 'soon'" in message
    assert error({}, STARTPUNKT_KUBERNETES_ENABLED="maybe") == (
        "startpunkt.kubernetes.enabled (from the environment variable "
        "STARTPUNKT_KUBERNETES_ENABLED): expected a boolean (true/false) or 'auto', got str 'maybe'"
    )
    assert build({}, STARTPUNKT_KUBERNETES_ENABLED="auto").kubernetes.enabled == "auto"
    assert build({}, STARTPUNKT_MANIFESTS_ENABLED="").manifests.enabled is None


def test_unknown_keys_fail_naming_the_key():
    message = error({"startpunkt": {"web": {"titel": "x"}}})
    assert message.startswith("startpunkt.web.titel: unknown key")
    assert "title" in message
    assert error({"startpunkt": {"realtme": {}}}).startswith("startpunkt.realtme: unknown key")
    assert error({"spring": {}}).startswith("spring: unknown top-level key")


def test_wrong_types_name_the_key_and_the_expected_type():
    assert error({"startpunkt": {"realtime": {"eventDebounceMs": "fast"}}}) == (
        "startpunkt.realtime.eventDebounceMs: expected an integer, got str 'fast'"
    )
    assert error({"startpunkt": {"realtime": {"eventDebounceMs": True}}}) == (
        "startpunkt.realtime.eventDebounceMs: expected an integer, got bool True"
    )
    assert error({"startpunkt": {"web": {"refreshInterval": 1.5}}}).endswith(
        "expected an integer, got float 1.5"
    )
    assert error({"startpunkt": {"ingress": {"enabled": "yes please"}}}) == (
        "startpunkt.ingress.enabled: expected a boolean (true/false), got str 'yes please'"
    )
    assert error({"startpunkt": {"namespaceSelector": {"matchNames": "media"}}}) == (
        "startpunkt.namespaceSelector.matchNames: expected a list, got str 'media'"
    )
    assert error({"startpunkt": {"availability": {"upStatuses": [200, "x"]}}}) == (
        "startpunkt.availability.upStatuses[1]: expected an integer, got str 'x'"
    )
    assert error({"startpunkt": {"web": "Homelab"}}).startswith(
        "startpunkt.web: expected a mapping"
    )
    assert error(["startpunkt"]).startswith("configuration: expected a mapping")


def test_a_falsy_section_that_is_not_a_mapping_fails():
    assert error({"startpunkt": {"web": False}}).startswith("startpunkt.web: expected a mapping")


def test_an_empty_list_from_the_environment_is_empty():
    s = build({}, STARTPUNKT_NAMESPACESELECTOR_MATCHNAMES="")
    assert s.namespace_selector.match_names == ()


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30.0),
        ("500ms", 0.5),
        ("5m", 300.0),
        ("1h", 3600.0),
        ("PT30S", 30.0),
        ("PT1M30S", 90.0),
        (45, 45.0),
        ("2", 2.0),
    ],
)
def test_durations(text: object, seconds: float):
    s = build({"startpunkt": {"health": {"outageGrace": text}}})
    assert s.health.outage_grace == seconds


@pytest.mark.parametrize("text", ["soon", "-5s", "", None, True, "PT"])
def test_bad_durations_name_the_key(text: object):
    message = error({"startpunkt": {"realtime": {"maxStreamLifetime": text}}})
    assert message.startswith("startpunkt.realtime.maxStreamLifetime: expected a duration")


def test_quarkus_keys_are_ignored():
    doc = {
        "quarkus": {"http": {"port": 9090}, "log": {"level": "DEBUG"}},
        "startpunkt": {"web": {"title": "Kept"}},
    }
    assert build(doc).web.title == "Kept"
    assert build({"quarkus": {"anything": 1}}) == Settings()


def test_config_path_precedence(tmp_path: Path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert config.config_path(None, {}) is None
    (tmp_path / "application.yaml").write_text("startpunkt: {}\n")
    assert config.config_path(None, {}) == Path("application.yaml")
    env = {"STARTPUNKT_CONFIG": "/etc/startpunkt/application.yaml"}
    assert config.config_path(None, env) == Path("/etc/startpunkt/application.yaml")
    assert config.config_path("cli.yaml", env) == Path("cli.yaml")
    assert config.config_path(None, {"STARTPUNKT_CONFIG": ""}) == Path("application.yaml")


def test_load_reads_the_file_then_the_environment(tmp_path: Path):
    path = tmp_path / "application.yaml"
    path.write_text("startpunkt:\n  web:\n    title: File\n    refreshInterval: 30\n")
    s = config.load(path, {"STARTPUNKT_WEB_TITLE": "Env"})
    assert (s.web.title, s.web.refresh_interval) == ("Env", 30)
    assert config.load(None, {}) == Settings()
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    assert config.load(empty, {}) == Settings()


def test_load_errors_name_the_file(tmp_path: Path):
    broken = tmp_path / "broken.yaml"
    broken.write_text("startpunkt:\n  web: [unclosed\n")
    with pytest.raises(ConfigError, match=f"{broken}: not valid YAML"):
        config.load(broken, {})
    with pytest.raises(ConfigError, match="cannot read the configuration file"):
        config.load(tmp_path / "missing.yaml", {})
