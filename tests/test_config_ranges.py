"""Finding 6 of issue 12: configuration that cannot hurt.

Every value the issue found harmful (a zero heartbeat sent 110,682 heartbeats in 4 s, a negative
retry turned every stream into a 500, a zero concurrency silently stopped probing, ...) now
fails start-up and live reload with one line naming the key, the value and what is allowed; a
misspelt `STARTPUNKT_*` variable is named with the closest real one; and `maxConnections` is
lowered below the open-file limit, keeping a reserve, with a warning.
"""

from __future__ import annotations

import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest

from startpunkt import config, serving
from startpunkt.config import ConfigError
from testkit.live import ROOT


def refused(doc: object = None, **env: str) -> str:
    with pytest.raises(ConfigError) as info:
        config.from_mapping(doc or {}, env)
    message = str(info.value)
    assert "\n" not in message
    return message


def file(**sections: object) -> dict[str, object]:
    return {"startpunkt": sections}


@pytest.mark.parametrize(
    ("doc", "env", "expected"),
    [
        (
            file(realtime={"heartbeatInterval": "0s"}),
            {},
            "startpunkt.realtime.heartbeatInterval: expected a duration from 1s to 1h, "
            "got str '0s'",
        ),
        (
            None,
            {"STARTPUNKT_REALTIME_RETRYMS": "-1"},
            "startpunkt.realtime.retryMs (from the environment variable "
            "STARTPUNKT_REALTIME_RETRYMS): expected a whole number from 100 to 3,600,000 (ms), "
            "got str '-1'",
        ),
        (
            file(realtime={"maxConnections": -1}),
            {},
            "startpunkt.realtime.maxConnections: expected a whole number from 1 to 1,000,000 "
            "(streams), got int -1",
        ),
        (
            file(realtime={"maxConnectionsPerClient": 0}),
            {},
            "startpunkt.realtime.maxConnectionsPerClient: expected a whole number from 1 to "
            "1,000,000 (streams), got int 0",
        ),
        (
            file(availability={"concurrency": 0}),
            {},
            "startpunkt.availability.concurrency: expected a whole number from 1 to 1,000 "
            "(probes), got int 0",
        ),
        (
            file(availability={"concurrency": -1}),
            {},
            "startpunkt.availability.concurrency: expected a whole number from 1 to 1,000 "
            "(probes), got int -1",
        ),
        (
            file(defaultProtocol="ftp"),
            {},
            "startpunkt.defaultProtocol: expected http or https, got str 'ftp'",
        ),
        (
            file(defaultLanguage="xx-XX"),
            {},
            "startpunkt.defaultLanguage: expected de-DE, en-US or sv-SE, got str 'xx-XX'",
        ),
        (
            file(web={"refreshInterval": -5}),
            {},
            "startpunkt.web.refreshInterval: expected a whole number from 1 to 86,400 (s), "
            "got int -5",
        ),
        (
            file(realtime={"eventDebounceMs": -100}),
            {},
            "startpunkt.realtime.eventDebounceMs: expected a whole number from 0 to 60,000 (ms), "
            "got int -100",
        ),
        (
            file(web={"theme": {"dark": {"bodyBgColor": "url(//evil.example/x.png)"}}}),
            {},
            "startpunkt.web.theme.dark.bodyBgColor: expected a CSS colour: #rgb, #rrggbb, a "
            "name, rgb(…) or hsl(…), got str 'url(//evil.example/x.png)'",
        ),
        (
            file(web={"searchEngine": "javascript:alert(1)//{query}"}),
            {},
            "startpunkt.web.searchEngine: expected an http(s) URL with {query} where the search "
            "words go, or ending where they go, got str 'javascript:alert(1)//{query}'",
        ),
        (
            file(availability={"upStatuses": [200, 1200]}),
            {},
            "startpunkt.availability.upStatuses[1]: expected a whole number from 100 to 599, "
            "got int 1200",
        ),
        (
            file(availability={"interval": "0s"}),
            {},
            "startpunkt.availability.interval: expected a duration from 1s to 1d, got str '0s'",
        ),
        (
            file(clusters={"remote": [{"name": "edge", "url": "ftp://edge"}]}),
            {},
            "startpunkt.clusters.remote[0].url: expected an absolute http(s) URL, "
            "got str 'ftp://edge'",
        ),
    ],
)
def test_a_harmful_value_fails_with_one_line_naming_key_value_and_range(doc, env, expected):
    assert refused(doc, **env) == expected


def test_a_huge_value_is_quoted_short() -> None:
    message = refused(file(web={"title": "x" * 1_000_000}))
    assert message.startswith("startpunkt.web.title: expected one line of text, up to 200")
    assert len(message) < 300


def test_a_secret_is_never_quoted() -> None:
    remote = {"name": "edge", "url": "https://edge.example", "token": "x\nsecret-value"}
    message = refused(file(clusters={"remote": [remote]}))
    assert "secret-value" not in message


def test_the_prefix_style_search_engine_is_still_accepted() -> None:
    doc = file(web={"searchEngine": "https://www.google.com/search?q="})
    assert config.from_mapping(doc, {}).web.search_engine.endswith("?q={query}")


def test_every_key_has_a_rule_or_an_obvious_type() -> None:
    """Each key is a boolean, a reference key, or has a rule saying its range or its choices."""
    loose = []
    for path, f in config.schema_keys():
        kinds = str(f.type)
        plain = kinds in ("bool", "bool | None") or "Literal" in kinds
        special = {"rule", "each", "maps_to", "unsupported", "secret"} & f.metadata.keys()
        if not plain and not special and path != "startpunkt.clusters.remote":
            loose.append(path)
    assert loose == []


def test_a_misspelt_variable_is_named_with_the_closest_key(caplog) -> None:
    caplog.set_level(logging.WARNING, "startpunkt.config")
    env = {
        "STARTPUNKT_REALTIME_HEARTBEAT_INTERVAL": "5s",
        "STARTPUNKT_WORKER": "2",
        "STARTPUNKT_NOTHING_LIKE_IT_AT_ALL_ZZZ": "1",
        "STARTPUNKT_WEB_TITLE": "Known",
        "STARTPUNKT_LOG_LEVEL": "info",
    }
    assert config.from_mapping({}, env).web.title == "Known"
    lines = [r.getMessage() for r in caplog.records]
    assert lines == [
        "environment variable STARTPUNKT_NOTHING_LIKE_IT_AT_ALL_ZZZ is not used: no startpunkt "
        "setting has that name",
        "environment variable STARTPUNKT_REALTIME_HEARTBEAT_INTERVAL is not used: did you mean "
        "STARTPUNKT_REALTIME_HEARTBEATINTERVAL?",
        "environment variable STARTPUNKT_WORKER is not used: did you mean STARTPUNKT_WORKERS?",
    ]


def test_gunicorns_variables_are_known() -> None:
    assert set(serving.VARIABLES) <= config.known_variables().keys()
    assert set(serving.VARIABLES) == {
        name for name, why in config.OTHER_VARIABLES.items() if name in serving.VARIABLES
    }


LOWERED = """
import json, logging, resource, sys
hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (int(sys.argv[1]), hard))
lines = []
class Keep(logging.Handler):
    def emit(self, record):
        lines.append((record.levelname, record.getMessage()))
logging.basicConfig(level=logging.INFO, handlers=[Keep()])
from startpunkt import config
env = {} if sys.argv[2] == "-" else {"STARTPUNKT_REALTIME_MAXCONNECTIONS": sys.argv[2]}
print(json.dumps([config.from_mapping({}, env).realtime.max_connections, lines]))
"""


def lowered(limit: int, given: str = "-") -> tuple[int, list[list[str]]]:
    """maxConnections and the log lines of a process whose open-file limit is `limit`."""
    out = subprocess.run(
        [sys.executable, "-c", LOWERED, str(limit), given],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={"PATH": "/usr/bin:/bin"},
    ).stdout
    value, lines = json.loads(out)
    return value, lines


def test_max_connections_is_lowered_below_the_open_file_limit_with_a_warning() -> None:
    value, lines = lowered(1024, "5000")
    assert value == 1024 - 102
    assert lines == [
        [
            "WARNING",
            "startpunkt.realtime.maxConnections lowered from 5000 to 922: the process may open "
            "1024 files, and 102 are kept for health checks, REST, watches and files",
        ]
    ]


def test_the_default_is_lowered_on_a_small_machine_with_an_info_line() -> None:
    value, lines = lowered(512)
    assert value == 512 - 64
    assert [level for level, _ in lines] == ["INFO"]


def test_a_value_that_fits_is_kept() -> None:
    assert lowered(20000, "10000") == (10000, [])


def test_a_live_reload_with_a_harmful_value_keeps_the_running_settings(tmp_path: Path, caplog):
    """The reload path uses the same loader: one ERROR line, the running settings stay."""
    import startpunkt
    from startpunkt import reload, runtime

    path = tmp_path / "application.yaml"
    path.write_text("startpunkt:\n  kubernetes: {enabled: false}\n  manifests: {enabled: false}\n")
    app = startpunkt.create_app(config.load(path, {}), start=False, config_path=str(path))
    before = runtime.get(app).settings
    path.write_text("startpunkt:\n  realtime: {heartbeatInterval: 0s}\n")
    assert reload.apply(app) is False
    assert runtime.get(app).settings is before
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == [
        "configuration not applied, keeping the running settings: "
        "startpunkt.realtime.heartbeatInterval: expected a duration from 1s to 1h, got str '0s'"
    ]


@pytest.mark.parametrize(
    ("variable", "value"), [("STARTPUNKT_LOG_LEVEL", "verbose"), ("STARTPUNKT_WORKERS", "two")]
)
def test_the_operational_variables_the_issue_tried_fail_in_one_line(variable, value) -> None:
    """They ended in raw tracebacks; gunicorn.conf.py's variables are checked by `serving`."""
    with pytest.raises(SystemExit) as caught:
        serving.startup({variable: value})
    message = str(caught.value)
    assert message.startswith(f"startpunkt: configuration error: {variable}: expected ")
    assert f"got '{value}'" in message and "\n" not in message
