"""Just enough HTTP/1.1 for the kubernetes client: requests in, JSON and chunked streams out.

A hand-written handler instead of a WSGI server because a watch must flush its response headers
the moment it starts (gevent's pywsgi holds them back until the first body chunk, and an idle
watch then looks dead to the client), and because tests need to cut connections abruptly.
"""

from __future__ import annotations

import dataclasses
import email.utils
import http
import json
import socket
import urllib.parse
from typing import Any

MAX_HEAD_BYTES = 64 * 1024
LAST_CHUNK = b"0\r\n\r\n"

# Kubernetes' Status.reason for each code the server answers.
_STATUS_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "AlreadyExists",
    410: "Expired",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}


class BadRequest(Exception):
    """The bytes on the connection are not a request this server understands."""


@dataclasses.dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes
    http_version: str

    @property
    def keep_alive(self) -> bool:
        connection = self.headers.get("connection", "").lower()
        if self.http_version == "HTTP/1.0":
            return connection == "keep-alive"
        return connection != "close"

    def flag(self, name: str) -> bool:
        """A boolean query parameter as the Go server reads it (`true`, `1`)."""
        return self.query.get(name, "").lower() in ("true", "1")


class RequestReader:
    """Reads successive requests from one keep-alive connection."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock
        self._buffer = b""

    def read(self) -> Request | None:
        """The next request, or None when the client closed the connection between requests."""
        while b"\r\n\r\n" not in self._buffer:
            if len(self._buffer) > MAX_HEAD_BYTES:
                raise BadRequest("request head too large")
            data = self._sock.recv(65536)
            if not data:
                if self._buffer:
                    raise BadRequest("connection closed inside a request head")
                return None
            self._buffer += data
        head, self._buffer = self._buffer.split(b"\r\n\r\n", 1)
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        try:
            method, target, version = request_line.split(" ")
        except ValueError:
            raise BadRequest(f"bad request line {request_line!r}") from None
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        if "chunked" in headers.get("transfer-encoding", "").lower():
            raise BadRequest("chunked request bodies are not supported")
        body = self._read_body(int(headers.get("content-length") or 0))
        url = urllib.parse.urlsplit(target)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        return Request(method, urllib.parse.unquote(url.path), query, headers, body, version)

    def _read_body(self, length: int) -> bytes:
        while len(self._buffer) < length:
            data = self._sock.recv(65536)
            if not data:
                raise BadRequest("connection closed inside a request body")
            self._buffer += data
        body, self._buffer = self._buffer[:length], self._buffer[length:]
        return body


def response_head(code: int, headers: dict[str, str]) -> bytes:
    """Status line and headers, ending with the blank line."""
    lines = [f"HTTP/1.1 {code} {http.HTTPStatus(code).phrase}"]
    all_headers = {"Date": email.utils.formatdate(usegmt=True), **headers}
    lines += [f"{name}: {value}" for name, value in all_headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


def json_response(code: int, body: Any, *, keep_alive: bool = True) -> bytes:
    """A complete response with a JSON body and Content-Length."""
    payload = json.dumps(body, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json",
        "Cache-Control": "no-cache, private",
        "Content-Length": str(len(payload)),
    }
    if not keep_alive:
        headers["Connection"] = "close"
    return response_head(code, headers) + payload


def text_response(code: int, text: str, *, keep_alive: bool = True) -> bytes:
    """A complete plain-text response (health endpoints)."""
    payload = text.encode()
    headers = {"Content-Type": "text/plain; charset=utf-8", "Content-Length": str(len(payload))}
    if not keep_alive:
        headers["Connection"] = "close"
    return response_head(code, headers) + payload


def stream_head() -> bytes:
    """Headers of a watch response: chunked JSON, one event per line, connection not reused."""
    return response_head(
        200,
        {
            "Content-Type": "application/json",
            "Cache-Control": "no-cache, private",
            "Transfer-Encoding": "chunked",
            "Connection": "close",
        },
    )


def chunk(data: bytes) -> bytes:
    return f"{len(data):x}\r\n".encode() + data + b"\r\n"


def status(code: int, message: str, *, details: dict[str, Any] | None = None) -> dict[str, Any]:
    """A Kubernetes `Status` object describing a failure."""
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": _STATUS_REASONS.get(code, http.HTTPStatus(code).phrase.replace(" ", "")),
        "code": code,
    }
    if details:
        body["details"] = details
    return body
