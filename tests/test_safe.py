"""The one rule each for what reaches a client as a link, a colour or an icon (`startpunkt.safe`).

The mappers drop what these refuse and the page applies them again; `static/js/cards.js` mirrors
them, and tests/browser/test_page_parity.py checks both sides agree on the same inputs.
"""

from __future__ import annotations

import pytest

from startpunkt import safe


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com",
        "https://example.com/Path/With/Case?q=1#top",
        "HTTPS://EXAMPLE.COM",
        "https://10.0.0.1:8443/",
        "https://user@example.com/",
        "https://[::1]:8443/x",
        "https://bücher.example/",
        "https://a.example:65535",
        "https://grafana.example.com",
        "http://10.0.0.1:8123/path?q=1#x",
        "HTTPS://Example.COM/Path",
    ],
)
def test_safe_accepts_absolute_http_urls(url: str) -> None:
    assert safe.url(url) == url


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "java\tscript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "ftp://example.com/file",
        "file:///etc/passwd",
        "/relative/path",
        "relative/path",
        "//example.com/protocol-relative",
        "https://",
        "http:/example.com",
        "https://example.com/has space",
        "https://example.com:notaport/",
        'https://example.com/"onmouseover="x',
        "https:\\\\example.com",
        "",
        "https://a.example:65536/",
        "https://a.example/\u00a0x",
        "https://a\uff0fb.example/",  # normalises to "a/b.example": not the host it reads as
        "http\u017f://a.example/",  # a long s is no s
        "https://@/",
        " https://leading.space",
        "https:///no-host",
        "https://a b",
        "//example.com",
        "JAVASCRIPT:alert(1)",
        "data:text/html,<script>",
        "/relative",
        None,
    ],
)
def test_safe_refuses_everything_else(url: str | None) -> None:
    assert safe.url(url) is None


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
        ("url(//evil.example)", None),
        ("expression(alert(1))", None),
        ("", None),
        (None, None),
    ],
)
def test_colours_cannot_break_out_of_a_declaration(value: str | None, expected: str | None) -> None:
    assert safe.color(value) == expected


CDN = "https://api.iconify.design"


@pytest.mark.parametrize(
    ("icon", "expected"),
    [
        ("mdi:home", (f"{CDN}/mdi/home.svg", "mask", None)),
        ("home", (f"{CDN}/mdi/home.svg", "mask", None)),
        ("MDI:Home-Assistant", (f"{CDN}/mdi/home-assistant.svg", "mask", None)),
        ("simple-icons:grafana", (f"{CDN}/simple-icons/grafana.svg", "mask", None)),
        ("logos:kubernetes", (f"{CDN}/logos/kubernetes.svg", "img", None)),
        ("https://example.com/logo.png", ("https://example.com/logo.png", "img", None)),
        ("sonarr.png", None),
        ("javascript:alert(1)", None),
        ("mdi:../../etc", None),
        ("mdi:", None),
        ("a:b:c", None),
        ("", None),
        (None, None),
    ],
)
def test_icons(icon: str | None, expected: tuple[str, str, None] | None) -> None:
    assert safe.icon_source(icon) == expected


LOCAL = {"mdi": "/start/icons/mdi/0123abcd", "simple-icons": "/icons/simple-icons/9f"}


@pytest.mark.parametrize(
    ("icon", "expected"),
    [
        ("home", ("/start/icons/mdi/0123abcd/home.svg", "mask", f"{CDN}/mdi/home.svg")),
        (
            "Simple-Icons:Grafana",
            ("/icons/simple-icons/9f/grafana.svg", "mask", f"{CDN}/simple-icons/grafana.svg"),
        ),
        ("logos:kubernetes", (f"{CDN}/logos/kubernetes.svg", "img", None)),
        ("https://example.com/i.svg", ("https://example.com/i.svg", "img", None)),
        ("mdi:../x", None),
    ],
)
def test_installed_sets_draw_from_the_app_with_the_cdn_as_fallback(
    icon: str, expected: tuple[str, str, str | None] | None
) -> None:
    assert safe.icon_source(icon, LOCAL) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("mdi:home", "mdi:home"),
        (" home ", "home"),
        ("sonarr.png", "sonarr.png"),
        ("sh-jellyfin", "sh-jellyfin"),
        ("mdi:home_assistant", "mdi:home_assistant"),
        ("https://example.com/logo.svg", "https://example.com/logo.svg"),
        ("mdi:../x", None),
        ("icons/x.png", None),
        ("a b", None),
        ("javascript:alert(1)", None),
        ("", None),
        (None, None),
    ],
)
def test_icon_names_and_image_urls_may_reach_clients(
    value: str | None, expected: str | None
) -> None:
    assert safe.icon(value) == expected
