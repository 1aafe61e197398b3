"""The reference's backoff keys (`availability.initialDelayMs`, `backoffMultiplier`,
`maxDelayMs`) drive when a failing URL is probed again."""

from __future__ import annotations

import dataclasses

import pytest

from startpunkt.availability.prober import UrlState
from startpunkt.config import AvailabilitySettings


def delays(settings: AvailabilitySettings, failures: int) -> list[float]:
    """The wait after each of `failures` failures in a row, as the prober's schedule has it."""
    out = []
    for n in range(1, failures + 1):
        state = UrlState(since=0.0, checked=100.0, failures=n)
        due = state.due(
            settings, start=0.0, first_delay=0.5, backoff=settings.initial_delay_ms / 1000
        )
        out.append(round(due - 100.0, 3))
    return out


def test_defaults_retry_after_five_seconds_doubling_up_to_the_interval() -> None:
    assert delays(AvailabilitySettings(), 6) == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]


def test_reference_keys_shape_the_backoff() -> None:
    settings = dataclasses.replace(
        AvailabilitySettings(),
        initial_delay_ms=1000,
        backoff_multiplier=3.0,
        max_delay_ms=300_000,
        interval=60.0,
    )
    # maxDelayMs may exceed the interval: a dead application is then probed less often.
    assert delays(settings, 7) == [1.0, 3.0, 9.0, 27.0, 81.0, 243.0, 300.0]


def test_a_good_result_goes_back_to_the_interval() -> None:
    state = UrlState(since=0.0, checked=10.0, failures=0)
    assert state.due(AvailabilitySettings(), start=0.0, first_delay=0.5, backoff=1.0) == 70.0


@pytest.mark.parametrize("value", ["1.5", 1.5, 2])
def test_the_multiplier_takes_numbers(value) -> None:
    from startpunkt import config

    doc = {"startpunkt": {"availability": {"backoffMultiplier": value}}}
    env = {} if not isinstance(value, str) else {"STARTPUNKT_AVAILABILITY_BACKOFFMULTIPLIER": value}
    settings = config.from_mapping({} if env else doc, env)
    assert settings.availability.backoff_multiplier == float(value)
