"""The prober's schedule against real servers: status changes reach the catalog exactly once."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator

import pytest
from prometheus_client import REGISTRY

from startpunkt import signals
from startpunkt.availability.prober import Prober
from startpunkt.catalog import Catalog
from startpunkt.model import Application
from testkit import wait
from tests.availability.conftest import Site, application, make_app, probes, status_changes

StartProber = Callable[..., Prober]


@pytest.fixture
def catalog() -> Catalog:
    return Catalog()


@pytest.fixture
def changes(catalog: Catalog) -> Iterator[list[Application]]:
    """Every application whose status this test's catalog changes."""
    seen, receive = status_changes(catalog)
    yield seen
    signals.item_changed.disconnect(receive, sender=catalog)


def available(catalog: Catalog, name: str) -> bool:
    return next(a.available for a in catalog.snapshot().applications if a.name == name)


def test_down_and_up_again_is_announced_once_each_way(
    site: Site, catalog: Catalog, changes: list[Application], run_prober: StartProber
) -> None:
    url = site.url("/switch/web")
    catalog.put("test", application("web", url))
    prober = run_prober(make_app(catalog, interval=0.2, timeout=1.0))
    wait.wait_for(lambda: probes(prober, url) >= 3, timeout=5, what="three good probes")
    assert changes == []  # never probed counts as available: a first "up" is no change

    site.switch["web"] = 503
    wait.wait_for(lambda: changes, timeout=5, what="the down status")
    done = probes(prober, url)
    wait.wait_for(
        lambda: probes(prober, url) >= done + 3, timeout=5, what="three more failing probes"
    )
    assert [a.available for a in changes] == [False]
    assert not available(catalog, "web")

    site.switch["web"] = 200
    wait.wait_for(lambda: len(changes) == 2, timeout=5, what="the up status")
    done = probes(prober, url)
    wait.wait_for(lambda: probes(prober, url) >= done + 3, timeout=5, what="three more good probes")
    assert [(a.name, a.url, a.available) for a in changes] == [
        ("web", url, False),
        ("web", url, True),
    ]
    assert available(catalog, "web")


def test_first_result_down_is_announced(
    closed_url: str, catalog: Catalog, changes: list[Application], run_prober: StartProber
) -> None:
    catalog.put("test", application("gone", closed_url))
    run_prober(make_app(catalog, interval=5.0, timeout=1.0))
    wait.wait_for(lambda: changes, timeout=5, what="the down status")
    assert [(a.name, a.available) for a in changes] == [("gone", False)]
    assert not available(catalog, "gone")


def test_apps_sharing_a_url_share_the_probe(
    site: Site, catalog: Catalog, changes: list[Application], run_prober: StartProber
) -> None:
    url = site.url("/status/500")
    catalog.put("test", application("one", url))
    catalog.put("test", application("two", url))
    prober = run_prober(make_app(catalog, interval=5.0, timeout=1.0))
    wait.wait_for(lambda: len(changes) == 2, timeout=5, what="both apps down")
    wait.wait_for(lambda: probes(prober, url) >= 2, timeout=5, what="a second probe")
    assert site.count("/status/500") == probes(prober, url)
    assert sorted(a.name for a in changes) == ["one", "two"]
    assert not available(catalog, "one") and not available(catalog, "two")


def test_a_new_url_is_probed_soon_not_at_the_next_interval(
    site: Site, catalog: Catalog, changes: list[Application], run_prober: StartProber
) -> None:
    catalog.put("test", application("old", site.url("/status/200")))
    prober = run_prober(make_app(catalog, interval=60.0, timeout=1.0))
    wait.wait_for(lambda: site.count("/status/200") == 1, timeout=5, what="the first round")
    catalog.put("test", application("new", site.url("/status/404")))
    wait.wait_for(lambda: changes, timeout=2, what="the new URL's probe")
    assert [(a.name, a.available) for a in changes] == [("new", False)]
    assert probes(prober, site.url("/status/200")) == 1


def test_a_changed_url_is_probed_soon(
    site: Site, catalog: Catalog, changes: list[Application], run_prober: StartProber
) -> None:
    catalog.put("test", application("app", site.url("/status/200")))
    run_prober(make_app(catalog, interval=60.0, timeout=1.0))
    wait.wait_for(lambda: site.count("/status/200") == 1, timeout=5, what="the first round")
    catalog.put("test", application("app", site.url("/status/500")))
    wait.wait_for(lambda: changes, timeout=2, what="the changed URL's probe")
    assert [(a.url, a.available) for a in changes] == [(site.url("/status/500"), False)]


def test_unused_urls_are_forgotten(
    site: Site, catalog: Catalog, changes: list[Application], run_prober: StartProber
) -> None:
    url = site.url("/status/404")
    catalog.put("test", application("app", url))
    prober = run_prober(make_app(catalog, interval=60.0, timeout=1.0))
    wait.wait_for(lambda: changes, timeout=5, what="the down status")
    catalog.discard("test", application("app", url).id)
    wait.wait_for(lambda: url not in prober.urls(), timeout=2, what="the URL to be forgotten")
    # Its old result is gone too: the same URL coming back is new, and is announced again.
    catalog.put("test", application("again", url))
    wait.wait_for(lambda: len(changes) == 2, timeout=2, what="the returning URL's probe")
    assert [(a.name, a.available) for a in changes] == [("app", False), ("again", False)]


def test_failing_url_backs_off_doubling_up_to_the_interval(
    site: Site, catalog: Catalog, run_prober: StartProber
) -> None:
    catalog.put("test", application("app", site.url("/status/500")))
    run_prober(make_app(catalog, interval=1.0, timeout=1.0), backoff=0.2)
    wait.wait_for(lambda: site.count("/status/500") >= 6, timeout=8, what="six failing probes")
    times = [h.at for h in site.hits if h.path == "/status/500"]
    gaps = [b - a for a, b in itertools.pairwise(times)]
    expected = [0.2, 0.4, 0.8, 1.0, 1.0]
    for gap, want in zip(gaps, expected, strict=True):
        assert want - 0.05 <= gap <= want + 0.4, (gaps, expected)


def test_probes_are_counted_in_metrics(
    site: Site, closed_url: str, catalog: Catalog, run_prober: StartProber
) -> None:
    def sample(name: str, **labels: str) -> float:
        return REGISTRY.get_sample_value(name, labels) or 0.0

    before = (
        sample("startpunkt_probes_total", result="up"),
        sample("startpunkt_probes_total", result="down"),
        sample("startpunkt_probe_failures_total", reason="connect"),
        sample("startpunkt_probe_failures_total", reason="status"),
        sample("startpunkt_probe_duration_seconds_count"),
    )
    catalog.put("test", application("up", site.url("/status/200")))
    catalog.put("test", application("refused", closed_url))
    catalog.put("test", application("broken", site.url("/status/500")))
    prober = run_prober(make_app(catalog, interval=60.0, timeout=1.0))
    urls = prober.urls
    wait.wait_for(
        lambda: len(urls()) == 3 and all(s.probes for s in urls().values()),
        timeout=5,
        what="3 probes",
    )
    after = (
        sample("startpunkt_probes_total", result="up"),
        sample("startpunkt_probes_total", result="down"),
        sample("startpunkt_probe_failures_total", reason="connect"),
        sample("startpunkt_probe_failures_total", reason="status"),
        sample("startpunkt_probe_duration_seconds_count"),
    )
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 2, 1, 1, 3]
