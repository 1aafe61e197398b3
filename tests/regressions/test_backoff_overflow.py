"""Finding 4 of issue 12: the prober stopped for every app after 1,025 failures of one URL.

Bug: `backoff * multiplier ** (failures - 1)` overflowed a float (`2.0 ** 1024`) before `min()`
capped it, so every step of the prober raised OverflowError (about 17 hours into an outage at
the default interval); the cluster source's Backoff had the same power.
Fix: `durations.backoff` stops raising the power once the delay has reached its cap.
"""

from __future__ import annotations

import random

import pytest

from startpunkt import durations
from startpunkt.availability.prober import UrlState
from startpunkt.catalog import Catalog
from startpunkt.config import AvailabilitySettings
from startpunkt.sources.kube.timing import Backoff
from testkit import wait
from tests.availability.conftest import application, make_app, probes


@pytest.mark.parametrize("failures", [1024, 1025, 1100, 10**6])
def test_a_url_down_for_days_waits_the_longest_delay(failures: int) -> None:
    state = UrlState(since=0.0, checked=100.0, failures=failures)
    due = state.due(AvailabilitySettings(), start=0.0, first_delay=0.5, backoff=5.0)
    assert due == 160.0  # checked + the interval (maxDelayMs unset)


def test_the_cluster_backoff_survives_endless_failures() -> None:
    backoff = Backoff(initial=0.5, cap=30.0)
    backoff.attempts = 5000
    assert 24.0 <= backoff.next() <= 30.0


@pytest.mark.parametrize("factor", [1.0, 1.5, 2.0, 10.0])
def test_backoff_is_monotonic_and_capped(factor: float) -> None:
    delays = [durations.backoff(0.25, factor, n, 300.0) for n in range(1, 3000)]
    assert delays == sorted(delays)
    assert max(delays) <= 300.0
    assert delays[0] == 0.25


def test_the_prober_keeps_probing_after_one_url_failed_2000_times(site, run_prober) -> None:
    random.seed(4)
    catalog = Catalog()
    dead, alive = site.url("/status/503"), site.url("/status/200")
    catalog.replace("o", [application("dead", dead), application("alive", alive)])
    prober = run_prober(make_app(catalog, interval=0.2))
    wait.wait_for(lambda: probes(prober, dead) >= 1, what="the first probe of the dead URL")
    prober._urls[dead].failures = 2000  # as after days of an outage
    before = probes(prober, alive)
    wait.wait_for(lambda: probes(prober, alive) >= before + 3, what="other URLs still probed")
    wait.wait_for(lambda: probes(prober, dead) >= 2, timeout=5.0, what="the dead URL re-probed")
