"""Building item URLs, and dropping every URL a browser should not follow.

Only what `startpunkt.safe.url` accepts (absolute `http`/`https` URLs) reaches clients, so
`javascript:`, `data:`, `ftp:` or relative links are dropped with a problem. Derived URLs are
assembled from a scheme, a host and a plain path; wildcard hosts and regex paths give nothing.
"""

from __future__ import annotations

import re
from typing import Any

from startpunkt import safe
from startpunkt.mappers import fields, results

SCHEMES = ("http", "https")
_HOST = re.compile(r"[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_])?(:\d{1,5})?")
"""A DNS name or IPv4 address with an optional port; `*.example.com` is not a host."""
_PLAIN_PATH = re.compile(r"/[\w.~%!&',;=:@/-]*")
"""A path meant literally: no regex syntax such as `(`, `*`, `$` or `[`."""


def link(value: Any, *, field: str, report: results.Report) -> str | None:
    """An explicit URL field: kept when safe, else reported and dropped."""
    if value is None:
        return None
    if not isinstance(value, str):
        report.bad_field(field, f"{results.show(value)} is not a URL, dropped")
        return None
    url = value.strip()
    if not url or not fields.fits(url, field=field, report=report, what="URL"):
        return None
    if safe.url(url):
        return url
    report.bad_field(field, f"{results.show(url)} is not an absolute http(s) URL, dropped")
    return None


def base_url(scheme: str, host: Any) -> str | None:
    """`scheme://host`, or None when the host is missing, a wildcard or not a host."""
    if scheme.lower() not in SCHEMES or not isinstance(host, str) or not _HOST.fullmatch(host):
        return None
    return safe.url(f"{scheme.lower()}://{host}")  # refuses a port past 65535


def with_port(url: str, port: int) -> str:
    """A derived URL (`scheme://host[:port][/path]`) with its port replaced by `port`."""
    scheme, _, rest = url.partition("://")
    authority, slash, path = rest.partition("/")
    host = authority.rsplit(":", 1)[0] if ":" in authority else authority
    return f"{scheme}://{host}:{port}{slash}{path}"


def plain_path(path: Any) -> str | None:
    """The path to append to a derived URL: None for `/`, for nothing and for regex paths."""
    if not isinstance(path, str) or not _PLAIN_PATH.fullmatch(path) or not path.strip("/"):
        return None
    return path


def join_root_path(url: str, root_path: str) -> str:
    """Drop one trailing `/` from the URL, ensure one leading `/` on the path, join."""
    base = url[:-1] if url.endswith("/") else url
    return base + (root_path if root_path.startswith("/") else "/" + root_path)


def with_root_path(
    url: str | None, root_path: str | None, *, field: str, report: results.Report
) -> str | None:
    """`url` with `root_path` appended; a root path that spoils the URL, or makes it longer than
    a field may be, is reported, not used."""
    if url is None or not root_path:
        return url
    joined = join_root_path(url, root_path)
    if len(joined) > report.max_length:
        report.bad_field(field, f"appending it makes the URL over {report.max_length} characters")
        return url
    if safe.url(joined):
        return joined
    report.bad_field(field, f"{results.show(root_path)} cannot be appended to the URL, ignored")
    return url
