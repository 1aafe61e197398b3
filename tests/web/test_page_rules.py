"""The page's rules for what becomes a link, a colour or an icon (mirrored in static/js/cards.js;
tests/browser/test_page_ui.py checks both sides agree on the same inputs)."""

from __future__ import annotations

import pytest

from startpunkt.web import page


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://grafana.example.com", True),
        ("http://10.0.0.1:8123/path?q=1#x", True),
        ("HTTPS://Example.COM/Path", True),
        ("javascript:alert(1)", False),
        ("JAVASCRIPT:alert(1)", False),
        (" https://leading.space", False),
        ("https://", False),
        ("https:///no-host", False),
        ("https://a b", False),
        ("data:text/html,<script>", False),
        ("//example.com", False),
        ("/relative", False),
        ("", False),
        (None, False),
    ],
)
def test_only_absolute_http_urls_are_links(url: str | None, safe: bool) -> None:
    assert (page.safe_url(url) is not None) is safe


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("#F46800", "#F46800"),
        (" red ", "red"),
        ("rgb(10, 20, 30)", "rgb(10, 20, 30)"),
        ("hsla(10 20% 30% / 0.5)", "hsla(10 20% 30% / 0.5)"),
        ("red; background: url(x)", None),
        ("red}body{display:none", None),
        ("url(https://evil.example)", None),
        ("expression(alert(1))", None),
        ("", None),
        (None, None),
    ],
)
def test_colours_cannot_break_out_of_a_declaration(value: str | None, expected: str | None) -> None:
    assert page.css_color(value) == expected


@pytest.mark.parametrize(
    ("icon", "expected"),
    [
        ("mdi:home", ("https://api.iconify.design/mdi/home.svg", "mask")),
        ("home", ("https://api.iconify.design/mdi/home.svg", "mask")),
        ("MDI:Home-Assistant", ("https://api.iconify.design/mdi/home-assistant.svg", "mask")),
        ("simple-icons:grafana", ("https://api.iconify.design/simple-icons/grafana.svg", "mask")),
        ("logos:kubernetes", ("https://api.iconify.design/logos/kubernetes.svg", "img")),
        ("https://example.com/logo.png", ("https://example.com/logo.png", "img")),
        ("javascript:alert(1)", None),
        ("mdi:../../etc", None),
        ("mdi:", None),
        ("a:b:c", None),
        ("", None),
        (None, None),
    ],
)
def test_icons(icon: str | None, expected: tuple[str, str] | None) -> None:
    assert page.icon_source(icon) == expected


def test_avatars_are_stable_and_readable() -> None:
    assert page.avatar_letter("grafana") == "G"
    assert page.avatar_letter("<img>") == "I"
    assert page.avatar_letter("ßeta") == "SS"
    assert page.avatar_letter("!!!") == "?"
    assert page.avatar_hue("Grafana") == page.avatar_hue("Grafana")
    assert {page.avatar_hue(n) for n in ("a", "b", "c", "d", "e", "f")} <= set(page.AVATAR_HUES)
    assert len({page.avatar_hue(n) for n in ("a", "b", "c", "d", "e", "f")}) > 1
