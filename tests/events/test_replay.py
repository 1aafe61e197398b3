"""The shared log and where a resuming client starts in it."""

from __future__ import annotations

import pytest

from startpunkt.events.replay import EventLog, Resume, format_id, resume


def filled(n: int, *, keep: int = 1000) -> EventLog:
    log = EventLog()
    for i in range(1, n + 1):
        assert log.append(f"<{i}>".encode(), keep=keep) == i
    return log


def test_empty_log() -> None:
    log = EventLog()
    assert log.head == 0
    assert log.since(1) == b""


def test_since_joins_frames_from_the_cursor() -> None:
    log = filled(5)
    assert log.since(3) == b"<3><4><5>"
    assert log.since(6) == b""


def test_trimming_keeps_at_least_keep_frames() -> None:
    log = filled(500, keep=10)
    assert log.head == 500
    assert 490 >= log.oldest - 1 >= 0
    assert log.head - log.oldest + 1 >= 10
    assert len(log.since(log.oldest)) < 500 * 5  # it did trim
    assert log.since(491) == b"".join(f"<{i}>".encode() for i in range(491, 501))


def test_fresh_client_starts_after_the_head() -> None:
    assert resume(None, epoch="ab", log=filled(3), replay_size=10) == Resume(cursor=4)
    assert resume("", epoch="ab", log=filled(3), replay_size=10) == Resume(cursor=4)


def test_known_id_replays_what_was_missed() -> None:
    log = filled(5)
    assert resume(format_id("ab", 2), epoch="ab", log=log, replay_size=10) == Resume(cursor=3)
    assert resume("ab-5", epoch="ab", log=log, replay_size=10) == Resume(cursor=6)
    assert resume("ab-0", epoch="ab", log=log, replay_size=10) == Resume(cursor=1)


@pytest.mark.parametrize(
    ("last_id", "reason"),
    [
        ("cd-2", "epoch"),  # another worker, replica, or before a restart
        ("ab-9", "unknown"),  # from the future: not ours
        ("garbage", "unknown"),
        ("ab-", "unknown"),
        ("ab-1", "expired"),  # older than replay_size allows
    ],
)
def test_ids_we_cannot_resume_from_get_resync(last_id: str, reason: str) -> None:
    log = filled(5)
    assert resume(last_id, epoch="ab", log=log, replay_size=3) == Resume(cursor=6, resync=reason)


def test_an_id_trimmed_from_the_log_is_expired() -> None:
    log = filled(500, keep=10)
    assert resume("ab-100", epoch="ab", log=log, replay_size=1000).resync == "expired"


def test_replay_boundary() -> None:
    log = filled(10)
    assert resume("ab-7", epoch="ab", log=log, replay_size=3) == Resume(cursor=8)
    assert resume("ab-6", epoch="ab", log=log, replay_size=3).resync == "expired"
