"""`STARTPUNKT_LOG_FORMAT=json`: one JSON object per line, for the app's and gunicorn's logs."""

from __future__ import annotations

import json
import logging
import urllib.request

from startpunkt import logs
from testkit import wait
from testkit.live import Server, files_env


def _record(name: str, message: str, args: object = None) -> logging.LogRecord:
    return logging.LogRecord(name, logging.WARNING, __file__, 1, message, args, None)


def test_a_json_line_carries_time_level_logger_process_and_message():
    line = logs.formatter("json").format(_record("startpunkt.sources", "%s: skipped", ("a.yaml",)))
    entry = json.loads(line)
    assert next(iter(entry)) == "time"
    assert entry["time"].endswith("+00:00")
    assert {k: entry[k] for k in ("level", "logger", "message")} == {
        "level": "WARNING",
        "logger": "startpunkt.sources",
        "message": "a.yaml: skipped",
    }
    assert isinstance(entry["process"], int)


def test_an_access_line_gets_its_request_as_fields():
    atoms = {"h": "10.0.0.1", "m": "GET", "U": "/api/apps", "q": "", "s": "304", "B": "-"}
    atoms |= {"D": "812", "a": "curl/8", "H": "HTTP/1.1", "f": "-"}
    record = _record("gunicorn.access", '%(h)s "%(m)s %(U)s" %(s)s', (atoms,))
    entry = json.loads(logs.formatter("json").format(record))
    assert entry["message"] == '10.0.0.1 "GET /api/apps" 304'
    assert entry["http"] == {
        "remote": "10.0.0.1",
        "method": "GET",
        "path": "/api/apps",
        "protocol": "HTTP/1.1",
        "status": 304,
        "duration_us": 812,
        "user_agent": "curl/8",
    }


def test_a_traceback_stays_inside_its_json_line():
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record = logging.LogRecord("startpunkt", logging.ERROR, __file__, 1, "failed", None, None)
        record.exc_info = sys.exc_info()
    line = logs.formatter("json").format(record)
    assert "\n" not in line
    assert "RuntimeError: boom" in json.loads(line)["exc_info"]


def test_setup_does_nothing_when_logging_is_configured_already(monkeypatch):
    root = logging.getLogger()
    existing = logging.NullHandler()
    monkeypatch.setattr(root, "handlers", [existing])
    logs.setup("debug", "json")
    assert root.handlers == [existing]


def test_gunicorn_and_the_app_both_log_json_lines(tmp_path):
    """Real gunicorn: its own lines, the access log and the app's lines, each one JSON object."""
    manifests = tmp_path / "manifests"
    manifests.mkdir()
    env = {
        **files_env(manifests),
        "STARTPUNKT_LOG_FORMAT": "json",
        "STARTPUNKT_ACCESS_LOG": "-",
        "HOME": str(tmp_path),
    }
    server = Server(env, log_path=tmp_path / "server.log").start(ready=True)
    with urllib.request.urlopen(server.url + "/api/apps/ping", timeout=5) as response:
        assert response.status == 200

    def logged() -> list[dict]:
        text = (tmp_path / "server.log").read_text()
        return [json.loads(line) for line in text.splitlines()]  # fails on any non-JSON line

    def pinged() -> list[dict]:
        return [e for e in logged() if e.get("http", {}).get("path") == "/api/apps/ping"]

    wait.wait_for(pinged, timeout=10, what="the access line of the ping")
    assert pinged()[0]["logger"] == "gunicorn.access"
    assert pinged()[0]["http"]["status"] == 200
    assert server.stop() == 0
    entries = logged()
    loggers = {e["logger"] for e in entries}
    assert {"gunicorn.error", "gunicorn.access", "startpunkt.readiness"} <= loggers
    synced = next(e for e in entries if e["logger"] == "startpunkt.readiness")
    assert synced["message"].startswith(f"source files:{manifests} synced: 0 objects in ")
    assert any("event streams opened=0 closed=0 open=0" in e["message"] for e in entries)
