"""What gunicorn.conf.py needs: the operational variables, checked, and the configuration, loaded.

The `STARTPUNKT_BIND`, `WORKERS`, `WORKER_CONNECTIONS`, `GRACEFUL_TIMEOUT`, `ACCESS_LOG`,
`LOG_LEVEL` and `LOG_FORMAT` variables shape the process, not the page, so they are not
application.yaml keys. `startup()` checks them and loads the configuration once in gunicorn's
master: a mistake in either stops start-up with one line naming it, instead of every worker
failing to boot with a traceback. Only PyYAML, python-json-logger and gunicorn's own modules are
imported here: the master must load nothing that opens sockets before a worker patches.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from gunicorn import glogging

from startpunkt import config, durations, logs

MAX_WORKERS = 64
"""Each worker watches the cluster itself; more than this is a typo, not a plan."""
_ADDRESS = re.compile(r"(?:\[[0-9A-Fa-f:.]+\]|[^\s:\[\]]+):(?P<port>\d+)")
_OFF = ("", "0", "false", "no", "off")
_STDOUT = ("-", "1", "true", "yes", "on", "stdout")


class OperationError(ValueError):
    """An operational variable that cannot be used; the message names it."""


@dataclass(frozen=True)
class Operations:
    """The process settings, each from its STARTPUNKT_* variable (defaults: one pod's needs)."""

    bind: tuple[str, ...] = ("0.0.0.0:8080",)
    workers: int = 1
    """One worker suits a pod: scale with replicas, each of which watches the cluster."""
    worker_connections: int = 12_000
    """Above realtime.maxConnections (10,000 streams), so REST still fits at the stream cap."""
    graceful_timeout: int = 30
    access_log: str | None = None
    """None: no access log; `-`: standard output; else a file."""
    log_level: str = "info"
    log_format: str = "text"


def _bind(value: str) -> tuple[str, ...]:
    addresses = tuple(a for a in re.split(r"[\s,]+", value) if a)
    if not addresses:
        raise ValueError("an address")
    for address in addresses:
        if address.startswith(("unix:", "fd://")) and len(address) > len("unix:"):
            continue
        match = _ADDRESS.fullmatch(address)
        if match is None or not 1 <= int(match["port"]) <= 65535:
            raise ValueError("HOST:PORT, [IPV6]:PORT or unix:PATH (several: comma-separated)")
    return addresses


def _count(low: int, high: int | None) -> Callable[[str], int]:
    def parse(value: str) -> int:
        above = f"from {low} to {high}" if high else f"of at least {low}"
        if not re.fullmatch(r"\s*\d+\s*", value) or not (low <= int(value) <= (high or math.inf)):
            raise ValueError(f"a whole number {above}")
        return int(value)

    return parse


def _seconds(value: str) -> int:
    try:
        seconds = durations.parse(value)
    except ValueError:
        seconds = -1.0
    if seconds < 1:
        raise ValueError("a duration of at least 1s, like 30 or 30s")
    return math.ceil(seconds)


def _access_log(value: str) -> str | None:
    lowered = value.strip().lower()
    if lowered in _OFF:
        return None
    if lowered in _STDOUT:
        return "-"
    directory = os.path.dirname(value) or "."
    if os.path.isdir(value) or not os.path.isdir(directory):
        raise ValueError("- (standard output), off, or a file in an existing directory")
    return value


def _choice(choices: tuple[str, ...]) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value.strip().lower() not in choices:
            raise ValueError(" or ".join(choices))
        return value.strip().lower()

    return parse


VARIABLES: dict[str, tuple[str, Callable[[str], Any]]] = {
    "STARTPUNKT_BIND": ("bind", _bind),
    "STARTPUNKT_WORKERS": ("workers", _count(1, MAX_WORKERS)),
    "STARTPUNKT_WORKER_CONNECTIONS": ("worker_connections", _count(1, None)),
    "STARTPUNKT_GRACEFUL_TIMEOUT": ("graceful_timeout", _seconds),
    "STARTPUNKT_ACCESS_LOG": ("access_log", _access_log),
    "STARTPUNKT_LOG_LEVEL": ("log_level", _choice(logs.LEVELS)),
    "STARTPUNKT_LOG_FORMAT": ("log_format", _choice(logs.FORMATS)),
}
"""Variable → (Operations field, parser); a parser's ValueError says what it expected."""


def from_environ(environ: Mapping[str, str] = os.environ) -> Operations:
    """The operational settings; raises OperationError naming the first bad variable."""
    values: dict[str, Any] = {}
    for name, (field, parse) in VARIABLES.items():
        if name not in environ:
            continue
        try:
            values[field] = parse(environ[name])
        except ValueError as exc:
            raise OperationError(f"{name}: expected {exc}, got {environ[name]!r}") from None
    return Operations(**values)


def startup(environ: Mapping[str, str] = os.environ) -> Operations:
    """Check the operational variables and the configuration, or exit with one line on stderr."""
    try:
        operations = from_environ(environ)
        config.load(config.config_path(None, environ), environ)
    except (OperationError, config.ConfigError) as exc:
        raise SystemExit(f"startpunkt: configuration error: {one_line(str(exc))}") from None
    return operations


def one_line(message: str) -> str:
    """A message with its line breaks folded (a YAML error spans several lines)."""
    return " ".join(message.split())


ACCESS_AT_END = "startpunkt.access_at_end"
"""Environ key of a request whose access-log line is written later (a stream handed over from
gunicorn, logged when it ends by `web/access.py`), not when gunicorn lets go of it."""


class TextLogger(glogging.Logger):
    """gunicorn's logger, also sending the app's logs (the root logger) to stderr, alike.

    Set up in the master, so the workers inherit it and `logs.setup` in app.py does nothing.
    """

    log_format = "text"

    def access(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> None:
        if not environ.get(ACCESS_AT_END):
            super().access(resp, req, environ, request_time)

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        formatter = logs.formatter(self.log_format)
        if self.log_format != "text":  # text keeps gunicorn's own lines as they are
            for handler in (*self.error_log.handlers, *self.access_log.handlers):
                handler.setFormatter(formatter)
        root = logging.getLogger()
        for handler in [h for h in root.handlers if getattr(h, "_startpunkt", False)]:
            root.removeHandler(handler)  # a configuration reload sets up again
        handler = logging.StreamHandler()
        handler._startpunkt = True  # type: ignore[attr-defined]
        handler.setFormatter(formatter)
        root.addHandler(handler)
        root.setLevel(self.loglevel)


class JsonLogger(TextLogger):
    """One JSON object per line, for gunicorn's lines and the app's alike."""

    log_format = "json"


def logger_class(operations: Operations) -> type[glogging.Logger]:
    return JsonLogger if operations.log_format == "json" else TextLogger
