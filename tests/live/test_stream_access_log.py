"""With gunicorn's access log on, every event stream gets exactly one line, when it ends.

Plain streams admitted before gunicorn parses them (web/early.py) and streams handed over from
gunicorn after their first chunk (web/handover.py) are logged by web/access.py through
gunicorn's logger; an HTTP/1.0 stream stays with gunicorn, which logs it itself; a refused
stream is gunicorn's 503. In text (gunicorn's format) and in JSON lines alike.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from testkit import wait
from testkit.live import Server

Serve = Callable[..., Server]
STREAM = "/api/updates/stream"
AGENT = "Mozilla/5.0 (X11; Linux x86_64) startpunkt-test"
REFERER = "https://start.home.arpa/"
HELD = 1.0
"""Seconds the streams stay open: their logged duration is at least this."""


def stream_lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [line for line in path.read_text().splitlines() if STREAM in line]


def open_streams(server: Server, live: SimpleNamespace) -> list[Any]:
    """Two early, one handed over (it has an Origin), one HTTP/1.0; each has sent a heartbeat."""
    browser = {"User-Agent": AGENT, "Referer": REFERER}
    streams = [
        live.stream(server.port, headers=browser),
        live.stream(server.port, path=STREAM + "?lastEventId=x-1", headers=browser),
        live.stream(server.port, headers={**browser, "Origin": server.url}),
        live.stream(server.port, headers=browser, version="1.0"),
    ]
    for stream in streams:
        assert stream.head(timeout=30) == 200
        stream.until(lambda m: m.event == "HEARTBEAT", timeout=30)
    return streams


def test_each_stream_is_logged_once_when_it_ends(
    serve: Serve, tmp_path: Path, live: SimpleNamespace
) -> None:
    access_log = tmp_path / "access.log"
    server = serve(
        MAXCONNECTIONS="4",
        HEARTBEATINTERVAL="1s",  # the HTTP/1.0 stream learns its client left when it writes
        env={"STARTPUNKT_ACCESS_LOG": str(access_log)},
    )
    streams = open_streams(server, live)
    refused = live.stream(server.port, headers={"User-Agent": AGENT})
    assert refused.head(timeout=30) == 503
    refused.close()
    wait.wait_for(lambda: stream_lines(access_log), timeout=10, what="the 503's line")
    # Open streams are not logged yet: not when admitted, not when gunicorn lets go of them.
    assert wait.stays(lambda: len(stream_lines(access_log)) == 1, seconds=HELD)
    for stream in streams:
        stream.close()
    wait.wait_for(
        lambda: len(stream_lines(access_log)) >= 5, timeout=15, what="a line for every stream"
    )
    assert wait.stays(lambda: len(stream_lines(access_log)) == 5, seconds=1.0)
    lines = stream_lines(access_log)
    assert sum(f'"GET {STREAM} HTTP/1.1" 503 ' in line for line in lines) == 1
    assert sum(f'"GET {STREAM} HTTP/1.1" 200 ' in line for line in lines) == 2
    assert sum(f'"GET {STREAM}?lastEventId=x-1 HTTP/1.1" 200 ' in line for line in lines) == 1
    assert sum(f'"GET {STREAM} HTTP/1.0" 200 ' in line for line in lines) == 1
    for line in lines:
        assert line.startswith("127.0.0.1 - - [")
        assert line.endswith(f'"{AGENT}"')
        sent = line.split('" ')[1].split()[1]  # `%(b)s` after the status
        assert sent.isdigit() and int(sent) > 0, line
    assert sum(f'"{REFERER}" "{AGENT}"' in line for line in lines) == 4


def test_json_lines_carry_path_status_bytes_and_duration(
    serve: Serve, tmp_path: Path, live: SimpleNamespace
) -> None:
    access_log = tmp_path / "access.log"
    server = serve(
        HEARTBEATINTERVAL="1s",
        env={"STARTPUNKT_ACCESS_LOG": str(access_log), "STARTPUNKT_LOG_FORMAT": "json"},
    )
    streams = open_streams(server, live)
    opened = time.monotonic()
    assert wait.stays(lambda: not stream_lines(access_log), seconds=HELD)
    for stream in streams:
        stream.close()
    held = time.monotonic() - opened
    wait.wait_for(
        lambda: len(stream_lines(access_log)) >= 4, timeout=15, what="a line for every stream"
    )
    assert wait.stays(lambda: len(stream_lines(access_log)) == 4, seconds=1.0)
    records = [json.loads(line) for line in stream_lines(access_log)]
    for record in records:
        assert record["logger"] == "gunicorn.access"
        http = record["http"]
        assert (http["method"], http["path"], http["status"]) == ("GET", STREAM, 200)
        assert (http["remote"], http["user_agent"], http["referer"]) == (
            "127.0.0.1",
            AGENT,
            REFERER,
        )
        assert http["bytes"] > 0
        assert HELD * 1e6 <= http["duration_us"] < (held + 15) * 1e6, http
    assert sorted(r["http"].get("query", "") for r in records) == ["", "", "", "lastEventId=x-1"]
    print(
        "[figures] access log, JSON: "
        + ", ".join(
            f"{r['http']['bytes']} B in {r['http']['duration_us'] / 1e6:.2f} s" for r in records
        )
    )
