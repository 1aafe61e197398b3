"""Talking to one remote startpunkt instance over urllib3: its JSON API and its event stream.

One small connection pool per remote, no retries (the follower decides when to try again) and
no redirects (one could carry the token to another host), a timeout on every request. A JSON
answer is read up to `MAX_BODY`; the stream is read as it arrives and parsed by
`startpunkt.sse.Decoder`, and a stream silent for `silence` seconds raises `Unreachable` (the
remote's heartbeats stopped). Failures come out translated (`errors.py`). The token is read
when a request is made (a mounted Secret may rotate) and appears in no message.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import gevent
import urllib3
from urllib3 import exceptions
from urllib3.connection import HTTPConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.response import BaseHTTPResponse

from startpunkt import sse
from startpunkt.config import RemoteClusterSettings
from startpunkt.sources.remote import errors

MAX_BODY = 32 * 1024 * 1024
"""Bytes of one JSON answer: 10,000 items are about 4 MiB; a remote must not fill our memory."""
READ_SIZE = 64 * 1024
KILL_WAIT = 1.0
"""Seconds `kill` waits for a greenlet to get past its request (a connect takes ms)."""
_VARIABLE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_.]*)(?::([^}]*))?\}")
"""`${NAME}` or `${NAME:default}`: the reference's (Quarkus) way to take a value from the
environment."""
_TOKEN = re.compile(r"[\x21-\x7e]+")
"""A bearer token is visible ASCII: anything else could break the header it travels in."""


@dataclass(frozen=True)
class Answer:
    """A JSON document, or 304 when the ETag still matches (`body` None)."""

    status: int
    body: Any
    etag: str | None


class NoStream(errors.RemoteError):
    """The instance answered the stream with 204: its realtime updates are off."""

    reason = "no_stream"


class Client:
    """Requests to one remote instance, at `settings.base_url()`."""

    def __init__(
        self,
        settings: RemoteClusterSettings,
        *,
        connect_timeout: float,
        request_timeout: float,
        user_agent: str,
        environ: Mapping[str, str] = os.environ,
    ) -> None:
        self.base = settings.base_url() or ""
        self._settings = settings
        self._connect_timeout = connect_timeout
        self._request_timeout = request_timeout
        self._user_agent = user_agent
        self._environ = environ
        self._json = _pool(settings)
        """For JSON requests; emptied after each, so no connection idles between them."""
        self._stream = _pool(settings)
        self._requesting: set[gevent.Greenlet] = set()

    def get_json(self, path: str, *, etag: str | None = None) -> Answer:
        """GET `path` as JSON; with `etag`, a 304 answers `Answer(304, None, etag)`."""
        # Rare requests (a connect, a RESYNC): a kept-alive connection would only hold the
        # remote's graceful shutdown back, and reusing one it is closing would fail.
        headers = {"Accept": "application/json", "Connection": "close"}
        if etag:
            headers["If-None-Match"] = etag
        url = self.base + path
        response = self._request(self._json, url, headers, read_timeout=self._request_timeout)
        try:
            if response.status == 304:
                return Answer(304, None, response.headers.get("ETag") or etag)
            if response.status != 200:
                raise errors.status(response.status, url)
            raw = _read_capped(response, url)
        except exceptions.HTTPError as exc:
            raise errors.translate(exc, url) from exc
        finally:
            response.close()
            response.release_conn()
            self._json.clear()
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError) as exc:
            raise errors.BadAnswer(f"{url}: the answer is not JSON") from exc
        return Answer(200, body, response.headers.get("ETag"))

    def events(
        self, path: str, *, last_event_id: str | None, silence: float
    ) -> Iterator[sse.Message]:
        """The messages (`sse.Message`) of the event stream at `path` until the server ends it.

        Silence past `silence` seconds, a cut connection or a reset raise `Unreachable`;
        204 raises `NoStream`. Closing the generator (or killing its greenlet) closes the
        connection.
        """
        headers = {"Accept": "text/event-stream", "Cache-Control": "no-cache"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        url = self.base + path
        response = self._request(self._stream, url, headers, read_timeout=silence)
        try:
            if response.status == 204:
                raise NoStream(f"{url}: realtime updates are off there (204)")
            if response.status != 200:
                raise errors.status(response.status, url)
            kind = response.headers.get("Content-Type", "")
            if not kind.startswith("text/event-stream"):
                raise errors.BadAnswer(f"{url}: not an event stream ({kind[:80]!r})")
            decoder = sse.Decoder()
            while chunk := response.read1(READ_SIZE):
                yield from decoder.feed(chunk)
        except exceptions.HTTPError as exc:
            raise errors.translate(exc, url) from exc
        except OSError as exc:
            raise errors.Unreachable(f"{url}: connection broken ({exc})") from exc
        finally:
            response.close()
            response.release_conn()

    def close(self) -> None:
        self._json.clear()
        self._stream.clear()

    def kill(self, greenlets: Iterable[gevent.Greenlet | None]) -> None:
        """Kill greenlets using this client, but none while it is sending a request.

        urllib3 closes a socket whose connect fails, but not one whose greenlet is killed
        mid-connect (FIELD-NOTES); so each greenlet is killed once past its request.
        """
        for greenlet in filter(None, greenlets):
            deadline = gevent.get_hub().loop.now() + KILL_WAIT
            while greenlet in self._requesting and gevent.get_hub().loop.now() < deadline:
                gevent.sleep(0.005)
            greenlet.kill()

    def token(self) -> str | None:
        """The bearer token: `tokenFile`, else `token` (or `graphqlToken`), `${VAR}` resolved."""
        path = self._settings.token_file
        if path:
            try:
                with open(path, encoding="utf-8") as stream:
                    value: str | None = stream.read(16 * 1024).strip()
            except (OSError, UnicodeDecodeError) as exc:
                reason = getattr(exc, "strerror", None) or type(exc).__name__
                raise errors.RemoteError(f"tokenFile {path}: cannot read it ({reason})") from None
        else:
            value = self._settings.bearer()
            match = _VARIABLE.fullmatch(value or "")
            if match is not None:
                value = self._environ.get(match[1], match[2])
                if value is None:
                    raise errors.RemoteError(f"token: environment variable {match[1]} is not set")
        if value and not _TOKEN.fullmatch(value):
            raise errors.RemoteError("token: not a usable bearer token (value not shown)")
        return value or None

    def _request(
        self, pool: urllib3.PoolManager, url: str, headers: dict[str, str], *, read_timeout: float
    ) -> BaseHTTPResponse:
        """One GET with both timeouts, body unread; no retries, no redirects."""
        headers = {**headers, "User-Agent": self._user_agent}
        token = self.token()
        if token:
            headers["Authorization"] = f"Bearer {token}"
        current = gevent.getcurrent()
        self._requesting.add(current)
        try:
            return pool.request(
                "GET",
                url,
                headers=headers,
                timeout=urllib3.Timeout(connect=self._connect_timeout, read=read_timeout),
                retries=False,
                redirect=False,
                preload_content=False,
            )
        except exceptions.HTTPError as exc:
            raise errors.translate(exc, url) from exc
        finally:
            self._requesting.discard(current)


def _read_capped(response: BaseHTTPResponse, url: str) -> bytes:
    """The whole body, or BadAnswer once it passes `MAX_BODY` (decoded bytes count)."""
    parts: list[bytes] = []
    size = 0
    while chunk := response.read1(READ_SIZE):
        size += len(chunk)
        if size > MAX_BODY:
            raise errors.BadAnswer(f"{url}: the answer is larger than {MAX_BODY} bytes")
        parts.append(chunk)
    return b"".join(parts)


def _pool(settings: RemoteClusterSettings) -> urllib3.PoolManager:
    """Connections to one remote, one at a time."""
    verify = not settings.ignore_certificates
    manager = urllib3.PoolManager(
        num_pools=1,
        maxsize=1,
        cert_reqs="CERT_REQUIRED" if verify else "CERT_NONE",
        ca_certs=settings.ca_file if verify else None,
    )
    if not verify:
        manager.pool_classes_by_scheme = {"http": HTTPConnectionPool, "https": _UnverifiedPool}
    return manager


class _UnverifiedPool(HTTPSConnectionPool):
    """An HTTPS pool for `ignoreCertificates`, without urllib3's warning on every request.

    The operator asked for it (and is told once, by the follower); silencing the warning
    globally would hide it for the Kubernetes client too. (The prober has the same pool.)
    """

    def _validate_conn(self, conn: HTTPConnection) -> None:
        HTTPConnectionPool._validate_conn(self, conn)
        if conn.is_closed:
            conn.connect()
