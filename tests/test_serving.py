"""The operational variables gunicorn.conf.py reads, and configuration errors on the gunicorn path.

A mistake must stop start-up with one line naming the variable or key and a non-zero exit, not
a traceback from every worker ending in "Worker failed to boot". The tests that run gunicorn
start it for real, as a pod would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from startpunkt import serving
from testkit import live

BASE_ENV = {
    "PATH": os.environ["PATH"],
    "STARTPUNKT_KUBERNETES_ENABLED": "false",
    "STARTPUNKT_AVAILABILITY_ENABLED": "false",
}


def test_defaults_suit_one_pod():
    assert serving.from_environ({}) == serving.Operations(
        bind=("0.0.0.0:8080",),
        workers=1,
        worker_connections=12_000,
        graceful_timeout=30,
        access_log=None,
        log_level="info",
        log_format="text",
    )


@pytest.mark.parametrize(
    ("variable", "value", "field", "expected"),
    [
        ("STARTPUNKT_BIND", "127.0.0.1:9000", "bind", ("127.0.0.1:9000",)),
        ("STARTPUNKT_BIND", "[::]:80, unix:/tmp/s.sock", "bind", ("[::]:80", "unix:/tmp/s.sock")),
        ("STARTPUNKT_BIND", "localhost:80", "bind", ("localhost:80",)),
        ("STARTPUNKT_WORKERS", "4", "workers", 4),
        ("STARTPUNKT_WORKER_CONNECTIONS", "20000", "worker_connections", 20_000),
        ("STARTPUNKT_GRACEFUL_TIMEOUT", "45", "graceful_timeout", 45),
        ("STARTPUNKT_GRACEFUL_TIMEOUT", "1m", "graceful_timeout", 60),
        ("STARTPUNKT_GRACEFUL_TIMEOUT", "1500ms", "graceful_timeout", 2),
        ("STARTPUNKT_ACCESS_LOG", "-", "access_log", "-"),
        ("STARTPUNKT_ACCESS_LOG", "true", "access_log", "-"),
        ("STARTPUNKT_ACCESS_LOG", "off", "access_log", None),
        ("STARTPUNKT_ACCESS_LOG", "", "access_log", None),
        ("STARTPUNKT_ACCESS_LOG", "/tmp/access.log", "access_log", "/tmp/access.log"),
        ("STARTPUNKT_LOG_LEVEL", "DEBUG", "log_level", "debug"),
        ("STARTPUNKT_LOG_FORMAT", "JSON", "log_format", "json"),
    ],
)
def test_each_variable_is_read(variable, value, field, expected):
    assert getattr(serving.from_environ({variable: value}), field) == expected


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("STARTPUNKT_BIND", "8080", "HOST:PORT"),
        ("STARTPUNKT_BIND", "0.0.0.0:99999", "HOST:PORT"),
        ("STARTPUNKT_BIND", " ", "an address"),
        ("STARTPUNKT_WORKERS", "0", "a whole number from 1 to 64"),
        ("STARTPUNKT_WORKERS", "two", "a whole number from 1 to 64"),
        ("STARTPUNKT_WORKERS", "100", "a whole number from 1 to 64"),
        ("STARTPUNKT_WORKER_CONNECTIONS", "-5", "a whole number of at least 1"),
        ("STARTPUNKT_GRACEFUL_TIMEOUT", "0", "a duration of at least 1s"),
        ("STARTPUNKT_GRACEFUL_TIMEOUT", "soon", "a duration of at least 1s"),
        ("STARTPUNKT_ACCESS_LOG", "/no/such/dir/access.log", "- (standard output), off, or"),
        ("STARTPUNKT_ACCESS_LOG", "/tmp", "- (standard output), off, or"),
        ("STARTPUNKT_LOG_LEVEL", "verbose", "debug or info or warning or error or critical"),
        ("STARTPUNKT_LOG_FORMAT", "yaml", "text or json"),
    ],
)
def test_a_bad_value_names_the_variable_the_value_and_what_is_allowed(variable, value, expected):
    with pytest.raises(serving.OperationError) as caught:
        serving.from_environ({variable: value})
    message = str(caught.value)
    assert message.startswith(f"{variable}: expected {expected}")
    assert message.endswith(f"got {value!r}")


def test_startup_exits_with_one_line_for_a_bad_key(tmp_path):
    with pytest.raises(SystemExit) as caught:
        serving.startup({"STARTPUNKT_REALTIME_HEARTBEATINTERVAL": "often"})
    assert str(caught.value) == (
        "startpunkt: configuration error: startpunkt.realtime.heartbeatInterval (from the "
        "environment variable STARTPUNKT_REALTIME_HEARTBEATINTERVAL): expected a "
        "duration like 30s, 500ms, 5m or PT30S, got str 'often'"
    )


def test_startup_folds_a_multi_line_yaml_error_into_one_line(tmp_path):
    broken = tmp_path / "application.yaml"
    broken.write_text("startpunkt:\n  web: [\n")
    with pytest.raises(SystemExit) as caught:
        serving.startup({"STARTPUNKT_CONFIG": str(broken)})
    message = str(caught.value)
    assert "\n" not in message
    assert message.startswith(f"startpunkt: configuration error: {broken}: not valid YAML")


def _gunicorn(env: dict[str, str], tmp_path: Path, timeout: float = 60):
    """gunicorn with gunicorn.conf.py as a pod runs it; it must exit by itself."""
    return subprocess.run(
        live.gunicorn_command(live.free_port()),
        cwd=live.ROOT,
        env={**BASE_ENV, "HOME": str(tmp_path), **env},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_gunicorn_with_a_bad_heartbeat_interval_says_so_in_one_line(tmp_path):
    result = _gunicorn({"STARTPUNKT_REALTIME_HEARTBEATINTERVAL": "every minute"}, tmp_path)
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "startpunkt: configuration error: startpunkt.realtime.heartbeatInterval (from the "
        "environment variable STARTPUNKT_REALTIME_HEARTBEATINTERVAL): expected a "
        "duration like 30s, 500ms, 5m or PT30S, got str 'every minute'"
    ]
    assert "Traceback" not in result.stdout + result.stderr


def test_gunicorn_with_a_bad_worker_count_says_so_in_one_line(tmp_path):
    result = _gunicorn({"STARTPUNKT_WORKERS": "lots"}, tmp_path)
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "startpunkt: configuration error: STARTPUNKT_WORKERS: expected a whole number from 1 "
        "to 64, got 'lots'"
    ]


PROBE = """
import runpy, sys
runpy.run_path("gunicorn.conf.py")
loaded = sorted(m for m in ("urllib3", "kubernetes", "flask", "gevent", "startpunkt.sources",
                            "startpunkt.web") if m in sys.modules)
print("loaded", loaded)
"""


def test_gunicorn_conf_loads_nothing_that_must_wait_for_gevent(tmp_path):
    """The master reads gunicorn.conf.py before any worker patches: no sockets or HTTP clients."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=live.ROOT,
        env={**BASE_ENV, "PYTHONPATH": str(live.ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "loaded []"
