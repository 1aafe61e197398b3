"""One availability check of one URL: does something answer there, and how?

`HEAD` first (cheap), `GET` when the server refuses HEAD; the body is never read. Redirects are
followed between http and https only, a few hops at most, and the whole check, hops included,
has one deadline. The answer is up or down with a short reason that labels the failure metric.
"""

from __future__ import annotations

import time
from collections.abc import Container
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import gevent
import urllib3
from urllib3 import exceptions
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

HEAD_REFUSED = frozenset({405, 501})
"""Statuses meaning "this server does not do HEAD": ask again with GET."""
REDIRECTS = frozenset({301, 302, 303, 307, 308})
MAX_HOPS = 5
"""Enough for http→https→login page chains; a longer chain is a loop in practice."""
SCHEMES = frozenset({"http", "https"})
SOCKET_MARGIN = 0.05
"""Socket timeouts end this much before the deadline, so urllib3 closes its own sockets: the
deadline interrupting a connect() would leave that socket to the garbage collector."""


@dataclass(frozen=True)
class Result:
    """What one check found."""

    up: bool
    reason: str | None = None
    """Why it is down: timeout, connect, dns, tls, status, redirects, protocol, url, error."""
    status: int | None = None
    detail: str = ""
    """For the log: the status line or the error."""


def http_pool(*, verify: bool, size: int) -> urllib3.PoolManager:
    """A connection manager for probes; `verify=False` accepts any certificate."""
    manager = urllib3.PoolManager(
        num_pools=max(size, 10),
        maxsize=size,
        cert_reqs="CERT_REQUIRED" if verify else "CERT_NONE",
    )
    if not verify:
        manager.pool_classes_by_scheme = {"http": HTTPConnectionPool, "https": _UnverifiedPool}
    return manager


def check(
    url: str,
    *,
    http: urllib3.PoolManager,
    timeout: float,
    up_statuses: Container[int],
    user_agent: str,
) -> Result:
    """Probe `url`; `timeout` bounds the whole check, redirects and GET fallback included."""
    if urlsplit(url).scheme.lower() not in SCHEMES:
        return Result(up=False, reason="url", detail="not an http(s) URL")
    # A fresh connection per probe: a kept-alive one the server has just closed would read as down.
    headers = {"User-Agent": user_agent, "Accept": "*/*", "Connection": "close"}
    ends = time.monotonic() + timeout
    deadline = gevent.Timeout(timeout)
    deadline.start()
    try:
        return _follow(url, http=http, headers=headers, ends=ends, up_statuses=up_statuses)
    except gevent.Timeout as exc:
        if exc is not deadline:
            raise
        return Result(up=False, reason="timeout", detail=f"no answer within {timeout:g} s")
    except exceptions.HTTPError as exc:
        return Result(up=False, reason=failure_reason(exc), detail=str(exc))
    finally:
        deadline.close()


_FAILURES: tuple[tuple[type[Exception], str], ...] = (
    (exceptions.NameResolutionError, "dns"),  # before NewConnectionError, its base class
    (exceptions.NewConnectionError, "connect"),
    (exceptions.SSLError, "tls"),
    (exceptions.TimeoutError, "timeout"),
    (exceptions.LocationValueError, "url"),
    (exceptions.ProtocolError, "protocol"),
)
"""urllib3 errors and their metric labels, subclasses first."""


def failure_reason(exc: exceptions.HTTPError) -> str:
    """The metric label for a urllib3 error."""
    return next((label for cls, label in _FAILURES if isinstance(exc, cls)), "error")


def _follow(
    url: str,
    *,
    http: urllib3.PoolManager,
    headers: dict[str, str],
    ends: float,
    up_statuses: Container[int],
) -> Result:
    """Ask `url`, following http(s) redirects; judge the last answer by `up_statuses`."""
    for _ in range(MAX_HOPS + 1):
        status, location = _ask(http, url, headers=headers, ends=ends)
        if status in REDIRECTS and location:
            target = urljoin(url, location)
            # Only http(s) is followed; a redirect elsewhere is judged by its own status.
            if urlsplit(target).scheme.lower() in SCHEMES:
                url = target
                continue
        up = status in up_statuses
        return Result(
            up=up, reason=None if up else "status", status=status, detail=f"HTTP {status}"
        )
    return Result(up=False, reason="redirects", status=status, detail=f"over {MAX_HOPS} redirects")


def _ask(
    http: urllib3.PoolManager, url: str, *, headers: dict[str, str], ends: float
) -> tuple[int, str | None]:
    """HEAD `url`, or GET it when HEAD is refused: the status and any Location."""
    status, location = _request(http, "HEAD", url, headers=headers, ends=ends)
    if status in HEAD_REFUSED:
        status, location = _request(http, "GET", url, headers=headers, ends=ends)
    return status, location


def _request(
    http: urllib3.PoolManager, method: str, url: str, *, headers: dict[str, str], ends: float
) -> tuple[int, str | None]:
    """One request without retries or redirects, due by `ends`; the body is left unread."""
    seconds = max(ends - time.monotonic() - SOCKET_MARGIN, 0.001)
    response = http.request(
        method,
        url,
        headers=headers,
        timeout=urllib3.Timeout(total=seconds),
        retries=False,
        redirect=False,
        preload_content=False,
    )
    try:
        return response.status, response.headers.get("Location")
    finally:
        response.close()
        response.release_conn()


class _UnverifiedPool(HTTPSConnectionPool):
    """An HTTPS pool for `ignoreCertificates`, without urllib3's per-request warning.

    The operator asked for unverified probes, so the warning says nothing new; silencing it
    globally (`urllib3.disable_warnings`) would also hide it for the Kubernetes client.
    """

    def _validate_conn(self, conn: HTTPConnection) -> None:
        HTTPConnectionPool._validate_conn(self, conn)
        if conn.is_closed:
            conn.connect()
