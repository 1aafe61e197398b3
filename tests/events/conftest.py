"""What the broadcaster's tests share: broadcasters built from realtime settings, ended after."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from startpunkt.config import RealtimeSettings
from startpunkt.events import EventBroadcaster
from startpunkt.model import Item


@pytest.fixture
def make() -> Iterator[Callable[..., EventBroadcaster]]:
    """`make(**realtime)` builds a broadcaster (`current`: what its RESYNCs are followed by);
    each is shut down and stopped after the test."""
    made: list[EventBroadcaster] = []

    def build(
        current: Callable[[], tuple[Item, ...]] = tuple, **realtime: object
    ) -> EventBroadcaster:
        settings = RealtimeSettings(**realtime)  # type: ignore[arg-type]
        broadcaster = EventBroadcaster(lambda: settings, current=current)
        made.append(broadcaster)
        return broadcaster

    yield build
    for broadcaster in made:
        broadcaster.shutdown()
        broadcaster.stop()
