"""The shared event log, and where a (re)connecting client starts reading it.

Every sent event's frame is kept in one log indexed by sequence number. It is both the replay
ring (`Last-Event-ID` resumes from it) and every client's queue: a client is just a cursor into
the log, so publishing appends once instead of once per client. Ids read `<epoch>-<seq>`; the
epoch is random per broadcaster (per process start), so an id from another worker, another
replica or before a restart is recognised as unknown and answered with RESYNC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ID = re.compile(r"([0-9a-f]+)-([0-9]+)")


class EventLog:
    """Frames of the most recent events by sequence number (1, 2, ...); 0 means none yet."""

    def __init__(self) -> None:
        self._frames: list[bytes] = []
        self._first = 1
        """Sequence number of `_frames[0]`."""

    @property
    def head(self) -> int:
        """The newest sequence number (0 before the first event)."""
        return self._first + len(self._frames) - 1

    @property
    def oldest(self) -> int:
        """The oldest sequence number still held."""
        return self._first

    def append(self, frame: bytes, *, keep: int) -> int:
        """Add the next frame, keep at least the newest `keep`; returns its sequence number."""
        self._frames.append(frame)
        # Trim in batches so appends stay O(1) amortised.
        if len(self._frames) > 2 * keep + 64:
            drop = len(self._frames) - keep
            del self._frames[:drop]
            self._first += drop
        return self.head

    def since(self, cursor: int, stop: int | None = None) -> bytes:
        """The frames from sequence number `cursor` to the head (or before `stop`), as one write."""
        start = max(cursor - self._first, 0)
        if stop is None:
            return b"".join(self._frames[start:])
        return b"".join(self._frames[start : max(stop - self._first, 0)])


def format_id(epoch: str, seq: int) -> str:
    return f"{epoch}-{seq}"


@dataclass(frozen=True)
class Resume:
    """Where a new stream starts: `cursor` is the first sequence number it will be sent."""

    cursor: int
    resync: str | None = None
    """Why the client must refetch everything first (None: it misses nothing)."""


def resume(last_event_id: str | None, *, epoch: str, log: EventLog, replay_size: int) -> Resume:
    """Replay after `last_event_id` when the log still holds everything since; else RESYNC."""
    live = Resume(cursor=log.head + 1)
    if not last_event_id:
        return live
    match = _ID.fullmatch(last_event_id.strip())
    if match is None:
        return Resume(live.cursor, resync="unknown")
    if match.group(1) != epoch:
        return Resume(live.cursor, resync="epoch")
    seq = int(match.group(2))
    if seq > log.head:
        return Resume(live.cursor, resync="unknown")
    if seq < log.head - replay_size or seq + 1 < log.oldest:
        return Resume(live.cursor, resync="expired")
    return Resume(cursor=seq + 1)
