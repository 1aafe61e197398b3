"""End to end in one app: a URL going down and up gives one STATUS_CHANGED each way on the
SSE stream (read with bounds through Flask's test client), and `/api/apps` agrees."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import gevent
import pytest
from flask import Flask
from gevent.queue import Empty, Queue

import startpunkt
from startpunkt import config, runtime
from startpunkt.availability.prober import Prober
from startpunkt.catalog import Catalog
from testkit import sse, wait
from tests.availability.conftest import Site, application, probes

_END = object()


class Events:
    """The non-heartbeat messages of one open stream, read in a greenlet into a queue."""

    def __init__(self, app: Flask) -> None:
        self.response = app.test_client().get("/api/updates/stream", buffered=False)
        assert self.response.status_code == 200
        self._queue: Queue = Queue()
        self._reader = gevent.spawn(self._read)

    def _read(self) -> None:
        decoder = sse.Decoder()
        try:
            for chunk in self.response.response:
                for message in decoder.feed(chunk):
                    if message.event not in (None, "HEARTBEAT"):
                        self._queue.put(message)
        finally:
            self._queue.put(_END)

    def next(self, timeout: float) -> dict[str, Any]:
        """The next event's envelope; fails when none comes within `timeout`."""
        try:
            message = self._queue.get(timeout=timeout)
        except Empty:
            pytest.fail(f"no event within {timeout} s")
        assert message is not _END, "the stream ended"
        body = json.loads(message.data)
        assert body["type"] == message.event
        return body

    def pending(self) -> int:
        return self._queue.qsize()

    def close(self) -> None:
        self._reader.kill()
        self.response.close()


@pytest.fixture
def app() -> Iterator[Flask]:
    settings = config.Settings(
        availability=config.AvailabilitySettings(interval=0.2, timeout=1.0),
        realtime=config.RealtimeSettings(event_debounce_ms=20),
    )
    built = startpunkt.create_app(settings, catalog=Catalog(), start=False)
    yield built
    runtime.get(built).broadcaster.stop()


@pytest.fixture
def events(app: Flask) -> Iterator[Events]:
    opened = Events(app)
    yield opened
    opened.close()


def api_available(app: Flask) -> list[tuple[str, bool]]:
    body = app.test_client().get("/api/apps").get_json()
    return [(a["name"], a["available"]) for g in body["groups"] for a in g["applications"]]


def test_down_and_up_once_each_on_the_stream(
    app: Flask, events: Events, site: Site, run_prober: Callable[..., Prober]
) -> None:
    url = site.url("/switch/web")
    app_item = application("web", url)
    runtime.get(app).catalog.put("test", app_item)
    assert events.next(5)["type"] == "APPLICATION_ADDED"
    prober = run_prober(app)
    wait.wait_for(lambda: probes(prober, url) >= 3, timeout=5, what="three good probes")
    assert events.pending() == 0  # a first "up" is no change
    assert api_available(app) == [("web", True)]

    site.switch["web"] = 503
    down = events.next(5)
    assert down["type"] == "STATUS_CHANGED"
    assert down["data"] == {
        "id": app_item.id,
        "name": "web",
        "group": "g",
        "url": url,
        "available": False,
        "cluster": "local",
    }
    assert api_available(app) == [("web", False)]
    done = probes(prober, url)
    wait.wait_for(
        lambda: probes(prober, url) >= done + 3, timeout=5, what="three more failing probes"
    )

    site.switch["web"] = 200
    up = events.next(5)
    assert (up["type"], up["data"]["id"], up["data"]["available"]) == (
        "STATUS_CHANGED",
        app_item.id,
        True,
    )
    assert api_available(app) == [("web", True)]
    done = probes(prober, url)
    wait.wait_for(lambda: probes(prober, url) >= done + 3, timeout=5, what="three more good probes")
    gevent.sleep(0.1)  # past the debounce window: anything queued would have been sent
    assert events.pending() == 0
