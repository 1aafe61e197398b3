"""Starting the prober with the app, and switching probing off and on while it runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import gevent
import pytest
from flask import Flask

import startpunkt
from startpunkt import availability, runtime, signals
from startpunkt.availability.prober import Prober
from startpunkt.catalog import Catalog
from testkit import wait
from tests.availability.conftest import (
    Site,
    application,
    make_app,
    probes,
    set_availability,
    status_changes,
)


@pytest.fixture
def started() -> Iterator[list[Flask]]:
    """Apps whose background greenlets are killed after the test."""
    apps: list[Flask] = []
    yield apps
    for app in apps:
        gevent.killall(list(runtime.get(app).tasks))


def test_init_app_starts_the_prober(site: Site, started: list[Flask]) -> None:
    catalog = Catalog()
    catalog.put("test", application("app", site.url("/status/200")))
    app = make_app(catalog)
    started.append(app)
    availability.init_app(app)
    rt = runtime.get(app)
    prober = rt.prober
    assert isinstance(prober, Prober)
    assert len(rt.tasks) == 1
    # The first round waits for the sources (START_DELAY), then probes.
    wait.wait_for(lambda: site.hits, timeout=5, what="the first probe")
    assert [(h.method, h.user_agent) for h in site.hits] == [
        ("HEAD", f"startpunkt/{startpunkt.__version__}")
    ]


def test_init_app_starts_nothing_when_disabled(started: list[Flask]) -> None:
    app = make_app(Catalog(), enabled=False)
    started.append(app)
    availability.init_app(app)
    assert runtime.get(app).prober is None
    assert len(runtime.get(app).tasks) == 0


def test_switching_off_live_makes_everything_available(
    site: Site, run_prober: Callable[..., Prober]
) -> None:
    catalog = Catalog()
    url = site.url("/status/500")
    catalog.put("test", application("app", url))
    changes, receiver = status_changes(catalog)
    # Long interval and backoff: only the config signal can wake the prober in time.
    app = make_app(catalog, interval=60.0, timeout=1.0)
    prober = run_prober(app, backoff=30.0)
    wait.wait_for(lambda: changes, timeout=5, what="the down status")

    set_availability(app, enabled=False)
    signals.config_changed.send(app, config=runtime.get(app).settings)
    wait.wait_for(lambda: len(changes) == 2, timeout=1, what="everything available")
    assert [a.available for a in changes] == [False, True]
    assert catalog.snapshot().applications[0].available
    assert prober.urls() == {}

    hits = site.count("/status/500")
    set_availability(app, enabled=True)
    signals.config_changed.send(app, config=runtime.get(app).settings)
    wait.wait_for(lambda: len(changes) == 3, timeout=2, what="probing again")
    assert [a.available for a in changes] == [False, True, False]
    assert site.count("/status/500") == hits + 1 == probes(prober, url) + hits
    signals.item_changed.disconnect(receiver, sender=catalog)


def test_enabling_live_starts_the_prober(site: Site, started: list[Flask]) -> None:
    catalog = Catalog()
    catalog.put("test", application("app", site.url("/status/200")))
    app = make_app(catalog, enabled=False)
    started.append(app)
    availability.init_app(app)
    assert len(runtime.get(app).tasks) == 0

    set_availability(app, enabled=True)
    signals.config_changed.send(app, config=runtime.get(app).settings)
    assert isinstance(runtime.get(app).prober, Prober)
    assert len(runtime.get(app).tasks) == 1
    # No start-up wait: the catalog is loaded.
    wait.wait_for(lambda: site.hits, timeout=2, what="the first probe")

    signals.config_changed.send(app, config=runtime.get(app).settings)
    assert len(runtime.get(app).tasks) == 1  # started once
