"""How long the cluster source waits for the API server, and how it backs off when it fails.

Production values are the defaults, each with its reason; tests pass a `Timing` with seconds
shrunk so outages, slow retries and hung connections can be shown in a test run.
"""

from __future__ import annotations

from dataclasses import dataclass

from startpunkt.sources.backoff import Backoff

__all__ = ["Backoff", "Timing"]


@dataclass(frozen=True)
class Timing:
    """Timeouts and retry delays of the informers and the urlFrom resolver."""

    connect_timeout: float = 10.0
    """A TCP/TLS connect to the API server; longer means it is not there."""
    request_timeout: float = 60.0
    """Read timeout of a LIST, GET or discovery request (a LIST of many objects takes a while)."""
    watch_timeout: int = 300
    """Server-side `timeoutSeconds`: the API server ends the watch cleanly, and it is resumed."""
    watch_read_slack: float = 30.0
    """A watch's read timeout is at most watch_timeout + this (see `bookmark_silence`)."""
    bookmark_silence: float = 90.0
    """The API server sends a watch that asked for bookmarks a BOOKMARK about every minute; 90 s
    without an event or a bookmark means the connection hangs, so the watch is restarted."""
    backoff_initial: float = 0.5
    backoff_cap: float = 30.0
    """Transient failures retry at 0.5 s, doubling to 30 s: quick after a blip, gentle later."""
    absent_retry: float = 30.0
    """A kind whose API is not installed is looked for again this often (a CRD installed later)."""
    forbidden_retry: float = 30.0
    """A forbidden kind is tried again this often (RBAC may be fixed without a restart)."""
    interruptions_before_error: int = 3
    """Watches broken in a row (no event between) before the source counts as failing."""
    resolve_wait: float = 1.0
    """urlFrom: how long an informer waits for a target it has never read before going on."""
    discovery_ttl: float = 300.0
    """urlFrom: how long API discovery (kind → plural) is trusted before it is read again."""
    credentials_retry: float = 30.0
    """`kubernetes.enabled: true` without usable credentials: how often they are looked for."""

    @property
    def watch_read_timeout(self) -> float:
        """Silence after which a watch is given up: the bookmark interval with slack."""
        return min(self.watch_timeout + self.watch_read_slack, self.bookmark_silence)
