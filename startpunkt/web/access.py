"""One access-log line per event stream, through gunicorn's logger, when the stream ends.

gunicorn writes its line when it is done with a request. For a stream it never is: streams
admitted early (`early`) never reach it, and streams handed over (`handover`) leave it after
their first chunk, which would log a stream that lasted an hour as a 0.01 s response of a few
hundred bytes. So each stream carries a callback its broadcaster runs once when the stream is
forgotten (`Subscriber.on_close`), which gives `worker.log.access` what its atoms read: a
response (status, headers, `sent`), a request (headers) and an environ, and the stream's
duration. gunicorn's own line for a handed-over stream is left out by our logger class
(`serving.ACCESS_AT_END`). `bytes` counts what went out after the response head, chunk framing
included (gunicorn counts the payload only: a few bytes less per event). Nothing happens
unless gunicorn's access log is on; should its logger ever want something else, the stream
goes unlogged rather than failing.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from startpunkt import serving
from startpunkt.events import Subscriber

log = logging.getLogger(__name__)


@dataclass
class Response:
    """What gunicorn's access atoms read from a response."""

    status: str
    headers: Sequence[tuple[str, str]]
    sent: int


@dataclass
class Request:
    """What gunicorn's access atoms read from a request: its header fields (names in capitals)."""

    headers: Sequence[tuple[str, str]]


class AccessLog:
    """Writes the lines of one gunicorn worker's streams through its logger."""

    def __init__(self, logger: Any) -> None:
        self._logger = logger
        self._failed = False

    def opened_early(
        self,
        sub: Subscriber,
        *,
        target: str,
        fields: Mapping[str, str],
        peer: tuple[Any, ...],
        head_size: int,
        headers: Sequence[tuple[str, str]],
    ) -> None:
        """Log `sub`, admitted early (`target` and lower-case `fields` from its request, the
        response `headers` behind a head of `head_size` bytes), when it ends."""
        path, _, query = target.partition("?")
        environ = {
            "REQUEST_METHOD": "GET",
            "RAW_URI": target,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": str(peer[0]),
            "REMOTE_PORT": str(peer[1]),
            **{"HTTP_" + name.upper().replace("-", "_"): v for name, v in fields.items()},
        }
        request = Request([(name.upper(), value) for name, value in fields.items()])
        response = Response("200 OK", headers, -head_size)
        self._on_close(sub, response, request, environ)

    def handed_over(self, sub: Subscriber, environ: dict[str, Any], gunicorn_response: Any) -> bool:
        """Log `sub`, taken from gunicorn after `gunicorn_response` sent its start, when it ends
        instead of now; False (gunicorn logs it now) if the logger cannot leave its line out."""
        if not isinstance(self._logger, serving.TextLogger):
            return False
        try:
            response = Response(
                str(gunicorn_response.status),
                list(gunicorn_response.headers),
                int(gunicorn_response.sent),
            )
            request = Request(list(getattr(gunicorn_response.req, "headers", ())))
        except (AttributeError, TypeError, ValueError):  # another gunicorn: its line stands
            return False
        environ[serving.ACCESS_AT_END] = True
        kept = {key: value for key, value in environ.items() if isinstance(value, str)}
        self._on_close(sub, response, request, kept)
        return True

    def _on_close(
        self, sub: Subscriber, response: Response, request: Request, environ: dict[str, Any]
    ) -> None:
        started = time.monotonic()
        sent = response.sent

        def write(sub: Subscriber) -> None:
            response.sent = max(0, sent + sub.sent)
            took = datetime.timedelta(seconds=time.monotonic() - started)
            self._write(response, request, environ, took)

        sub.on_close = write

    def _write(
        self, response: Response, request: Request, environ: dict[str, Any], took: Any
    ) -> None:
        try:
            self._logger.access(response, request, environ, took)
        except Exception:  # runs in the event loop: a logger that wants more must not break it
            if not self._failed:
                self._failed = True
                log.warning("cannot write an event stream's access-log line", exc_info=True)


def for_worker(worker: Any) -> AccessLog | None:
    """The access log of a gunicorn worker whose access log is on; None when it is off."""
    logger = getattr(worker, "log", None)
    enabled = getattr(logger, "access_log_enabled", None)
    if enabled is None:  # an older gunicorn: the setting itself
        enabled = bool(getattr(getattr(worker, "cfg", None), "accesslog", None))
    if not enabled or not callable(getattr(logger, "access", None)):
        return None
    return AccessLog(logger)
