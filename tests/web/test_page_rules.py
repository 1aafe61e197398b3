"""The page's letter avatars (mirrored in static/js/cards.js; tests/browser/test_page_parity.py
checks both sides agree). Link, colour and icon rules: tests/test_safe.py."""

from __future__ import annotations

from startpunkt.web import page


def test_avatars_are_stable_and_readable() -> None:
    assert page.avatar_letter("grafana") == "G"
    assert page.avatar_letter("<img>") == "I"
    assert page.avatar_letter("ßeta") == "SS"
    assert page.avatar_letter("!!!") == "?"
    assert page.avatar_hue("Grafana") == page.avatar_hue("Grafana")
    assert {page.avatar_hue(n) for n in ("a", "b", "c", "d", "e", "f")} <= set(page.AVATAR_HUES)
    assert len({page.avatar_hue(n) for n in ("a", "b", "c", "d", "e", "f")}) > 1
