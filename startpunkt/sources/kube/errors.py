"""The API server's failures, translated once from the client's exceptions into what they mean.

The kubernetes client raises `ApiException` for HTTP errors (and for ERROR events inside a
watch), urllib3 raises its own errors for broken or silent connections, and the socket layer
raises `OSError`. Callers wrap requests in `translated()` and then only decide on meaning: gone
(re-list), not installed (look again later), forbidden (RBAC), transient (back off and retry).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from typing import Any

import urllib3.exceptions
from kubernetes.client import exceptions as client_exceptions

from startpunkt import quoting

MAX_MESSAGE = 300
"""Characters of a server's error message kept for log lines and health details."""


class KubeError(Exception):
    """A request to the API server failed; `status` is the HTTP code when there was one."""

    def __init__(self, message: str, *, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class Gone(KubeError):
    """410: the resourceVersion to resume from is too old; list again."""


class NotFound(KubeError):
    """404 on one object: it does not exist."""


class NotInstalled(NotFound):
    """404 on a collection or a discovery document: that API is not served by this cluster."""


class Forbidden(KubeError):
    """403: RBAC does not allow this request."""


class Transient(KubeError):
    """5xx, 429, 401, a refused, broken or silent connection: worth retrying later."""


class Interrupted(Transient):
    """A watch stream that was running broke off (dropped, or silent past the read timeout)."""


class Silent(Interrupted):
    """A watch stream that sent nothing, not even a BOOKMARK, for longer than its read timeout."""


def classify(status: int | None, message: str, *, listing: bool = False) -> KubeError:
    """The error for an HTTP status (from a response or a watch's ERROR event).

    The message is the server's (or a proxy's) words: cut short, it goes into log lines.
    """
    message = message if len(message) <= MAX_MESSAGE else message[: MAX_MESSAGE - 3] + "..."
    text = f"HTTP {status}: {message}" if status else message
    if status == 410:
        return Gone(text, status=status)
    if status == 404:
        return (NotInstalled if listing else NotFound)(text, status=status)
    if status == 403:
        return Forbidden(text, status=status)
    # 401: credentials expired or rotated; the client re-reads them on the next request.
    if status is None or status in (401, 429) or status >= 500:
        return Transient(text, status=status)
    return KubeError(text, status=status)


def translate(exc: BaseException, *, listing: bool = False) -> KubeError:
    """What a client, urllib3 or socket exception means."""
    if isinstance(exc, KubeError):
        return exc
    if isinstance(exc, client_exceptions.ApiException):
        return classify(exc.status or None, _message(exc), listing=listing)
    if isinstance(exc, urllib3.exceptions.ReadTimeoutError):
        return Transient("no data within the read timeout")
    if isinstance(exc, urllib3.exceptions.HTTPError | OSError):
        return Transient(_connection_message(exc))
    return KubeError(f"{type(exc).__name__}: {exc}")


def status_event(obj: Any, *, listing: bool = True) -> KubeError:
    """The error carried by a watch's ERROR event (a `Status` object)."""
    if not isinstance(obj, dict):
        return KubeError(f"malformed ERROR event: {quoting.quote(obj, 200)}")
    code = obj.get("code") if isinstance(obj.get("code"), int) else None
    message = f"{obj.get('reason') or 'Error'}: {obj.get('message') or ''}".rstrip(": ")
    return classify(code, message, listing=listing)


@contextlib.contextmanager
def translated(*, listing: bool = False) -> Iterator[None]:
    """Raise client, urllib3 and socket errors inside as `KubeError`s, `from` the original."""
    try:
        yield
    except KubeError:
        raise
    except (client_exceptions.ApiException, urllib3.exceptions.HTTPError, OSError) as exc:
        raise translate(exc, listing=listing) from exc


def _message(exc: client_exceptions.ApiException) -> str:
    """The `Status.message` of the response body when there is one, else the HTTP reason."""
    try:
        body = json.loads(exc.body or "")
    except (TypeError, ValueError):
        body = None
    if isinstance(body, dict) and body.get("message"):
        return str(body["message"])
    return str(exc.reason or "no reason given")


def _connection_message(exc: BaseException) -> str:
    """The innermost reason (`Connection refused`), not urllib3's wrapper text."""
    reason = getattr(exc, "reason", None)
    while isinstance(getattr(reason, "reason", None), BaseException):
        reason = reason.reason
    inner = reason or exc
    text = str(inner).rsplit(": ", 1)[-1] if str(inner) else type(inner).__name__
    return f"{type(exc).__name__}: {text}"
