"""What a failure of a remote instance means, decided once, for the follower's loop.

urllib3's exceptions, HTTP statuses and malformed answers become one of three errors, each
raised `from` the original. Messages name the instance's URL and what went wrong, never a
header (the token travels in one).
"""

from __future__ import annotations

from urllib3 import exceptions


class RemoteError(Exception):
    """The remote instance failed us; the message says how."""

    reason = "error"
    """A bounded label for metrics."""


class Unreachable(RemoteError):
    """No answer: refused, reset, timed out, TLS or DNS failure, or a stream gone silent."""

    reason = "unreachable"


class BadAnswer(RemoteError):
    """An answer we cannot use: an unexpected status, not JSON, too large, not an event stream."""

    reason = "bad_answer"


class Refused(BadAnswer):
    """401 or 403: the token is missing, wrong or not allowed."""

    reason = "refused"


def translate(exc: exceptions.HTTPError, url: str) -> RemoteError:
    """The error a urllib3 failure on `url` means."""
    if isinstance(exc, exceptions.ReadTimeoutError):
        return Unreachable(f"{url}: no answer in time")
    if isinstance(exc, exceptions.SSLError):
        return Unreachable(f"{url}: TLS failed ({_short(exc)})")
    if isinstance(exc, exceptions.NewConnectionError | exceptions.ConnectTimeoutError):
        return Unreachable(f"{url}: cannot connect ({_short(exc)})")
    if isinstance(exc, exceptions.ProtocolError | exceptions.MaxRetryError):
        return Unreachable(f"{url}: connection broken ({_short(exc)})")
    return Unreachable(f"{url}: {_short(exc)}")


def status(code: int, url: str) -> RemoteError:
    """The error an unexpected HTTP status on `url` means."""
    if code in (401, 403):
        return Refused(f"{url}: HTTP {code}; the token is missing or refused (clusters.remote)")
    if code >= 500:
        return Unreachable(f"{url}: HTTP {code}")
    return BadAnswer(f"{url}: HTTP {code}")


def _short(exc: BaseException) -> str:
    """The innermost reason, without urllib3's repetition of pool and URL."""
    reason = getattr(exc, "reason", None)
    text = str(reason if isinstance(reason, BaseException) else exc)
    return text.rsplit(": ", 1)[-1][:200] or type(exc).__name__
