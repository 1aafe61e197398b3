"""Durations as configuration writes them."""

from __future__ import annotations

import pytest

from startpunkt import durations


@pytest.mark.parametrize(
    ("text", "seconds"),
    [
        ("30s", 30),
        ("500ms", 0.5),
        ("5m", 300),
        ("1h", 3600),
        ("PT30S", 30),
        ("PT1M30S", 90),
        ("pt0.5s", 0.5),
        ("P1D", 86400),
        (15, 15),
        (2.5, 2.5),
        ("10", 10),
    ],
)
def test_parses(text, seconds):
    assert durations.parse(text) == seconds


@pytest.mark.parametrize("bad", ["abc", "", "PT", "P", "-5s", -1, True, None, "5 parsecs", [1]])
def test_rejects(bad):
    with pytest.raises(ValueError):
        durations.parse(bad)
