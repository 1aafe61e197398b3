"""Serving under a path prefix: `web.rootPath: /start` puts every route under `/start`.

The configured prefix is the public one, whatever the request looks like: a request under it
(the browser talks to us directly, or a proxy forwards the path as it is) has it moved from
`PATH_INFO` to `SCRIPT_NAME`; a request without it (a proxy that strips the prefix, with or
without `X-Forwarded-Prefix`) gets it as `SCRIPT_NAME` too. Flask builds every URL from
`SCRIPT_NAME`, so links, assets, API calls and the stream all carry the prefix either way, and
no header a client can forge changes a link. The prefix is read at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from startpunkt import config

KEY = "startpunkt.web.rootPath"
_SEGMENTS = re.compile(r"(?:/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)+")
"""One or more path segments of characters allowed in a URL path, none of them empty."""

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def normalise(value: str | None) -> str:
    """`/start/` → `/start`, `/` or empty → `` (no prefix); anything else fails start-up."""
    trimmed = (value or "").strip().rstrip("/")
    if not trimmed:
        return ""
    if not _SEGMENTS.fullmatch(trimmed) or any(s in (".", "..") for s in trimmed.split("/")):
        raise config.ConfigError(
            f"{KEY}: {value!r} is not a path prefix; expected something like /start"
        )
    return trimmed


class Mount:
    """WSGI middleware that serves `app` under `prefix` (see the module docstring)."""

    def __init__(self, app: WsgiApp, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["PATH_INFO"] = path[len(self.prefix) :] or "/"
        environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)
