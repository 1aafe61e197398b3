"""The wake-up primitive: all at once, one at a time, and never a dead or moved greenlet."""

from __future__ import annotations

import gevent
import pytest

from startpunkt.events.parking import Parking


def parked_waiters(parking: Parking, n: int) -> tuple[list[gevent.Greenlet], list[int]]:
    woken: list[int] = []

    def wait(i: int) -> None:
        parking.park()
        woken.append(i)

    waiters = [gevent.spawn(wait, i) for i in range(n)]
    gevent.sleep(0)
    assert len(parking) == n
    return waiters, woken


def test_wake_all_resumes_every_parked_greenlet_in_order() -> None:
    parking = Parking()
    waiters, woken = parked_waiters(parking, 50)
    parking.wake_all()
    gevent.joinall(waiters, timeout=5)
    assert woken == list(range(50))
    assert len(parking) == 0


def test_wake_one_leaves_the_others_parked() -> None:
    parking = Parking()
    waiters, woken = parked_waiters(parking, 3)
    parking.wake(waiters[1])
    gevent.sleep(0.01)
    assert woken == [1]
    assert len(parking) == 2
    parking.wake_all()
    gevent.joinall(waiters, timeout=5)
    assert sorted(woken) == [0, 1, 2]


def test_waking_does_not_switch_until_the_hub_runs() -> None:
    parking = Parking()
    _, woken = parked_waiters(parking, 3)
    parking.wake_all()
    assert woken == []  # the caller keeps running: publishing never yields
    gevent.sleep(0)
    assert len(woken) == 3


def test_a_killed_waiter_leaves_and_is_not_switched_to() -> None:
    parking = Parking()
    waiters, woken = parked_waiters(parking, 2)
    waiters[0].kill()
    assert len(parking) == 1
    parking.wake_all()
    gevent.joinall(waiters, timeout=5)
    assert woken == [1]


def test_a_timeout_ends_a_park() -> None:
    parking = Parking()
    with pytest.raises(gevent.Timeout), gevent.Timeout(0.05):
        parking.park()
    assert len(parking) == 0


def test_parked_again_during_a_wake_waits_for_the_next_one() -> None:
    parking = Parking()
    rounds: list[int] = []

    def loop() -> None:
        for i in range(3):
            parking.park()
            rounds.append(i)

    g = gevent.spawn(loop)
    gevent.sleep(0)
    parking.wake_all()
    gevent.sleep(0.01)
    assert rounds == [0]
    parking.wake_all()
    parking.wake_all()  # two wakes before the hub runs are one
    gevent.sleep(0.01)
    assert rounds == [0, 1]
    parking.wake_all()
    g.join(timeout=5)
    assert rounds == [0, 1, 2]
