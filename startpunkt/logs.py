"""Log lines as text for people, or as one JSON object per line for log collectors.

`STARTPUNKT_LOG_FORMAT=json` switches every line of the process: the app's own loggers (through
the root logger) and gunicorn's error and access logs (`serving.JsonLogger`), so a collector
never has to parse two shapes. Only the standard library and python-json-logger are imported:
gunicorn.conf.py loads this in the master, before any worker patches with gevent.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from typing import Any, TextIO

from pythonjsonlogger import json as jsonlogger

FORMATS = ("text", "json")
LEVELS = ("debug", "info", "warning", "error", "critical")
TEXT_FORMAT = "[%(asctime)s] [%(process)d] [%(levelname)s] %(name)s: %(message)s"
"""gunicorn's own line shape, plus the logger's name."""
DATE_FORMAT = "%Y-%m-%d %H:%M:%S %z"

_ACCESS_FIELDS = {
    "h": "remote",
    "m": "method",
    "U": "path",
    "q": "query",
    "H": "protocol",
    "s": "status",
    "B": "bytes",
    "D": "duration_us",
    "a": "user_agent",
    "f": "referer",
}
"""gunicorn access-log atoms worth a JSON field of their own (the line itself stays in message)."""


class JsonFormatter(jsonlogger.JsonFormatter):
    """time, level, logger, process and message; an access line also gets an `http` object."""

    def __init__(self) -> None:
        super().__init__(
            "%(levelname)s %(name)s %(process)d %(message)s",
            rename_fields={"levelname": "level", "name": "logger"},
            timestamp="time",
        )

    def add_fields(
        self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]
    ) -> None:
        super().add_fields(log_data, record, message_dict)
        fields = dict(log_data)
        log_data.clear()  # the time first, as collectors and people expect
        log_data["time"] = fields.pop("time")
        log_data.update(fields)
        if record.name == "gunicorn.access" and isinstance(record.args, Mapping):
            log_data["http"] = _access_fields(record.args)


def _access_fields(atoms: Mapping[str, Any]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for atom, name in _ACCESS_FIELDS.items():
        value = atoms.get(atom)
        if value in (None, "-", ""):
            continue
        if name in ("status", "bytes", "duration_us"):
            try:
                value = int(value)
            except (TypeError, ValueError):
                continue
        fields[name] = value
    return fields


def formatter(log_format: str) -> logging.Formatter:
    """The formatter for `text` or `json`."""
    if log_format == "json":
        return JsonFormatter()
    return logging.Formatter(TEXT_FORMAT, DATE_FORMAT)


def setup(level: str, log_format: str, *, stream: TextIO | None = None) -> None:
    """Send the app's logs (the root logger) to stderr in `log_format`, once.

    A no-op when logging is configured already, as `logging.basicConfig` is: under gunicorn the
    logger class has done it in the master, with the same format.
    """
    root = logging.getLogger()
    if root.handlers:
        return
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(formatter(log_format))
    root.addHandler(handler)
    root.setLevel(level.upper())
