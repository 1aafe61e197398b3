"""The shared deadline helpers: a wait ends when its condition holds, fails when it never does."""

from __future__ import annotations

import time

import gevent
import pytest

from testkit import wait


def test_wait_for_returns_once_a_greenlet_makes_the_condition_true() -> None:
    flag: list[bool] = []
    gevent.spawn_later(0.05, flag.append, True)
    took = wait.wait_for(lambda: flag, timeout=2.0, what="the flag")
    assert 0.04 <= took < 2.0


def test_wait_for_fails_after_the_deadline_naming_what_it_waited_for() -> None:
    started = time.monotonic()
    with pytest.raises(pytest.fail.Exception, match=r"not within 0.1s: the impossible"):
        wait.wait_for(lambda: False, timeout=0.1, what="the impossible")
    assert time.monotonic() - started < 1.0


def test_stays_is_false_as_soon_as_the_condition_breaks() -> None:
    flag = [True]
    gevent.spawn_later(0.05, flag.clear)
    started = time.monotonic()
    assert wait.stays(lambda: flag, seconds=2.0) is False
    assert time.monotonic() - started < 1.0
    assert wait.stays(lambda: True, seconds=0.05) is True
