"""A round where half the URLs hang: bounded by the pool, and invisible to other greenlets."""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import gevent

from startpunkt.availability.prober import Prober
from startpunkt.catalog import Catalog
from testkit import wait
from tests.availability.conftest import Site, application, make_app

URLS = 200
POOL = 20
TIMEOUT = 1.0


def test_hanging_half_is_bounded_by_pool_and_timeout(
    site: Site, hang_url: str, run_prober: Callable[..., Prober]
) -> None:
    catalog = Catalog()
    for i in range(URLS):
        url = f"{hang_url}/{i}" if i % 2 else site.url(f"/status/200?n={i}")
        catalog.put("test", application(f"app{i}", url))
    lateness: list[float] = []

    def tick() -> None:
        while True:
            due = time.monotonic() + 0.05
            gevent.sleep(0.05)
            lateness.append(time.monotonic() - due)

    ticker = gevent.spawn(tick)
    started = time.monotonic()
    prober = run_prober(
        make_app(catalog, interval=600.0, timeout=TIMEOUT, concurrency=POOL), backoff=600.0
    )
    budget = TIMEOUT * math.ceil(URLS / POOL) + 2

    def all_probed() -> bool:
        urls = prober.urls()
        return len(urls) == URLS and all(s.probes for s in urls.values())

    wait.wait_for(all_probed, timeout=budget, what=f"{URLS} probes")
    elapsed = time.monotonic() - started
    ticker.kill()
    results = prober.urls().values()
    assert sum(not s.last.up and s.last.reason == "timeout" for s in results) == URLS // 2
    assert sum(s.last.up for s in results) == URLS // 2
    assert elapsed <= budget
    # Hanging probes never block the hub: the ticker is never more than 200 ms late.
    assert len(lateness) >= 20 and max(lateness) < 0.2, max(lateness)
