"""Taking an event stream's connection from gunicorn once its response has started.

gunicorn's gevent worker serves each connection in a greenlet that iterates the response. For
an event stream that greenlet would wait for the stream's whole life (about 9 KiB each with its
saved stack) and be woken for every event. Instead, once gunicorn has sent the headers and the
first chunk, the stream takes the connection: its file descriptor is detached from gunicorn's
socket object (so gunicorn's `close` leaves it open) and gunicorn's response is told it is not
chunked (so its `close` does not write the terminating chunk; the stream does, when it ends).
gunicorn then finishes the request as one whose connection closes, and its greenlet ends.

What is relied on: gunicorn's `gunicorn.socket` environ key, the WSGI `write` callable, and the
`chunked` and `headers_sent` attributes of the object that owns `write`
(`gunicorn.http.wsgi.Response`). With another server, TLS, HTTP/1.0, HEAD or HTTP/2, or if
gunicorn ever changes those, nothing is taken and a greenlet serves the stream as before.
"""

from __future__ import annotations

import _socket
from collections.abc import Callable
from typing import Any

Write = Callable[[bytes], Any]


def possible(environ: dict[str, Any]) -> bool:
    """Whether this request's connection may be taken once its response has started."""
    sock = environ.get("gunicorn.socket")
    return (
        sock is not None
        and environ.get("REQUEST_METHOD") == "GET"
        and environ.get("SERVER_PROTOCOL") == "HTTP/1.1"
        and not hasattr(sock, "getpeercert")  # TLS: bytes must go through the SSL object
    )


def chunked(write: Write) -> bool:
    """Whether the server frames this response as HTTP/1.1 chunks the way gunicorn does."""
    return getattr(getattr(write, "__self__", None), "chunked", None) is True


def response(write: Write) -> Any:
    """The server's response object that `write` belongs to (gunicorn's, once `chunked`)."""
    return write.__self__  # type: ignore[attr-defined]


def take(environ: dict[str, Any], write: Write) -> Any:
    """The connection as a plain non-blocking socket; the server lets go of it.

    Call after `write` has sent the headers and the first chunk (`chunked(write)` was true).
    """
    started = response(write)
    if not started.headers_sent:
        raise RuntimeError("the response must have started before its connection is taken")
    fd = environ["gunicorn.socket"].detach()
    started.chunked = False
    # A plain socket, not gevent's: nothing ever waits on it through the socket object.
    sock = _socket.socket(fileno=fd)
    sock.setblocking(False)
    return sock
