"""The access-log line of an event stream: gunicorn's logger, its format, written once at the end.

In process, with gunicorn's real logger writing to a file; tests/live/test_stream_access_log.py
shows the same under gunicorn, for every way a stream is admitted.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from gunicorn import glogging
from gunicorn.config import Config

from startpunkt import events, serving
from startpunkt.config import RealtimeSettings
from startpunkt.web import access

STREAM = "/api/updates/stream"
FIELDS = {"host": "start.home.arpa", "user-agent": "Firefox/140.0", "referer": "https://a.example/"}


Make = Callable[..., Any]


@pytest.fixture
def gunicorn_logger() -> Iterator[Make]:
    """gunicorn's logger (or one of ours) with its access log in a file, or off; its files are
    closed and the root logger (which ours also set up) put back afterwards."""
    root = logging.getLogger()
    root_handlers, root_level = list(root.handlers), root.level
    handlers: list[logging.Handler] = []

    def make(path: Path | None, logger_class: type[glogging.Logger] = glogging.Logger) -> Any:
        cfg = Config()
        if path is not None:
            cfg.set("accesslog", str(path))
        logger = logger_class(cfg)
        handlers.extend([*logger.access_log.handlers, *logger.error_log.handlers])
        return logger

    yield make
    for handler in handlers:
        handler.close()
    root.handlers[:] = root_handlers
    root.setLevel(root_level)


def subscribe() -> tuple[events.EventBroadcaster, events.Subscriber]:
    broadcaster = events.EventBroadcaster(lambda: RealtimeSettings())
    return broadcaster, broadcaster.subscribe(last_event_id=None, client="10.0.0.7")


def test_an_early_stream_is_logged_once_when_it_ends(tmp_path: Path, gunicorn_logger: Make) -> None:
    path = tmp_path / "access.log"
    log = access.AccessLog(gunicorn_logger(path))
    broadcaster, sub = subscribe()
    log.opened_early(
        sub,
        target=STREAM + "?lastEventId=x-1",
        fields=FIELDS,
        peer=("10.0.0.7", 50123),
        head_size=150,
        headers=[("Content-Type", "text/event-stream")],
    )
    sub.sent = 150 + 420  # the head and the body, as the writer counts them
    assert not path.read_text()
    broadcaster.unsubscribe(sub)
    broadcaster.unsubscribe(sub)  # the second call forgets nothing more, and logs nothing
    [line] = path.read_text().splitlines()
    assert line.startswith("10.0.0.7 - - [")
    assert line.endswith(
        f'"GET {STREAM}?lastEventId=x-1 HTTP/1.1" 200 420 "https://a.example/" "Firefox/140.0"'
    )


def test_a_logger_that_fails_is_reported_once_and_breaks_nothing(
    caplog: pytest.LogCaptureFixture,
) -> None:
    def refuse(*args: object) -> None:
        raise AttributeError("'Response' object has no attribute 'something_new'")

    log = access.AccessLog(SimpleNamespace(access=refuse))
    for _ in range(2):
        broadcaster, sub = subscribe()
        log.opened_early(
            sub, target=STREAM, fields=FIELDS, peer=("::1", 1, 0, 0), head_size=0, headers=[]
        )
        broadcaster.unsubscribe(sub)
    assert [r.getMessage() for r in caplog.records if r.name == access.__name__] == [
        "cannot write an event stream's access-log line"
    ]


def test_gunicorn_lines_of_streams_logged_at_their_end_are_left_out(
    tmp_path: Path, gunicorn_logger: Make
) -> None:
    path = tmp_path / "access.log"
    logger = gunicorn_logger(path, serving.TextLogger)
    response = access.Response("200 OK", [], 10)
    request = access.Request([])
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": STREAM, "SERVER_PROTOCOL": "HTTP/1.1"}
    logger.access(response, request, {**environ, serving.ACCESS_AT_END: True}, _took())
    assert not path.read_text()
    logger.access(response, request, environ, _took())
    assert f'"GET {STREAM} HTTP/1.1" 200 10' in path.read_text()


def test_a_handed_over_stream_under_another_logger_keeps_gunicorns_line(
    tmp_path: Path, gunicorn_logger: Make
) -> None:
    log = access.AccessLog(gunicorn_logger(tmp_path / "access.log"))
    _, sub = subscribe()
    environ: dict[str, Any] = {}
    assert not log.handed_over(sub, environ, gunicorn_response())
    assert environ == {} and sub.on_close is None


def test_a_handed_over_stream_is_logged_when_it_ends_with_all_its_bytes(
    tmp_path: Path, gunicorn_logger: Make
) -> None:
    path = tmp_path / "access.log"
    log = access.AccessLog(gunicorn_logger(path, serving.TextLogger))
    broadcaster, sub = subscribe()
    environ: dict[str, Any] = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": STREAM,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "10.0.0.7",
        "wsgi.input": object(),  # not kept: only the environ's strings are
    }
    assert log.handed_over(sub, environ, gunicorn_response())
    assert environ[serving.ACCESS_AT_END] is True  # gunicorn's own line is left out
    sub.sent = 300  # what the writer sent after gunicorn's 12 bytes
    broadcaster.unsubscribe(sub)
    [line] = path.read_text().splitlines()
    assert line.startswith("10.0.0.7 - - [") and f'"GET {STREAM} HTTP/1.1" 200 312 ' in line


def gunicorn_response() -> SimpleNamespace:
    """What web/handover.py hands over: gunicorn's response after its first chunk."""
    return SimpleNamespace(status="200 OK", headers=[], sent=12, req=SimpleNamespace(headers=[]))


def test_no_access_log_costs_nothing(tmp_path: Path, gunicorn_logger: Make) -> None:
    on = gunicorn_logger(tmp_path / "access.log")
    off = gunicorn_logger(None)
    assert isinstance(access.for_worker(SimpleNamespace(log=on, cfg=on.cfg)), access.AccessLog)
    assert access.for_worker(SimpleNamespace(log=off, cfg=off.cfg)) is None


def _took() -> datetime.timedelta:
    return datetime.timedelta(seconds=1.5)
