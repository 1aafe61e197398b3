"""The browser and the server agree: cards built live match the first paint, and the link,
colour, icon and avatar rules give the same answers on both sides; reconnect backoff bounds.
"""

from __future__ import annotations

from typing import Any

from startpunkt import safe
from startpunkt.web import page as view
from testkit.live import Server

from .support import ready


def test_cards_built_in_the_browser_match_the_server(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(), ui_server.url)
    mismatches = page.evaluate(
        """async () => {
            const html = await (await fetch(location.href)).text();
            const doc = new DOMParser().parseFromString(html, "text/html");
            const out = [];
            for (const [section, kind] of [["apps", "app"], ["bookmarks", "bookmark"]]) {
                for (const cell of doc.querySelectorAll(`[data-section=${section}] .grid__cell`)) {
                    const item = window.startpunkt.store.get(section, cell.dataset.id);
                    const built = window.startpunkt.buildCard(item, kind).outerHTML;
                    if (built !== cell.outerHTML) out.push([cell.outerHTML, built]);
                }
            }
            return [doc.querySelectorAll(".grid__cell").length, out];
        }"""
    )
    count, different = mismatches
    assert count > 10
    assert different == []


RULE_INPUTS = {
    "urls": [
        "https://a.example",
        "HTTP://A.example/x?y#z",
        "javascript:alert(1)",
        " https://x",
        "https://",
        "https:///x",
        "https://a b",
        "//a.example",
        "data:,x",
        "",
        "https://u@a.example:8443/p",
        "https://a.example:65536/",
        "https://[::1]/",
        'https://a.example/"x',
        "https://a.example/\\x",
        "https://a.example/\u00a0",
        "https://a\uff0fb.example/",
        "https://bücher.example/",
        "http\u017f://a.example/",
    ],
    "colors": [
        "#F46800",
        " red ",
        "rgb(1, 2, 3)",
        "red; x: y",
        "a}b{",
        "url(x)",
        "",
        "hsla(1 2% 3% / .5)",
        "url(//a.example)",
        "rgb(1,\u30002,3)",
    ],
    "icons": [
        "mdi:home",
        "home",
        "MDI:Home-Assistant",
        "logos:k8s",
        "https://a.example/i.png",
        "javascript:x",
        "mdi:../x",
        "mdi:",
        "a:b:c",
        "",
    ],
    "names": ["Grafana", "<img src=x onerror=alert(1)>", "ßeta", "!!!", "Élan", "日本", "Node-RED"],
}


def test_browser_and_server_apply_the_same_rules(ui_server: Server, new_page: Any) -> None:
    page = ready(new_page(), ui_server.url)
    browser = page.evaluate(
        """async (inputs) => {
            const c = await import("/static/js/cards.js");
            return {
                urls: inputs.urls.map((u) => c.safeUrl(u)),
                colors: inputs.colors.map((v) => c.cssColor(v)),
                icons: inputs.icons.map((i) => c.iconSource(i)),
                names: inputs.names.map((n) => [c.avatarLetter(n), c.avatarHue(n)]),
            };
        }""",
        RULE_INPUTS,
    )
    assert browser == {
        "urls": [safe.url(u) for u in RULE_INPUTS["urls"]],
        "colors": [safe.color(v) for v in RULE_INPUTS["colors"]],
        "icons": [list(s) if (s := safe.icon_source(i)) else None for i in RULE_INPUTS["icons"]],
        "names": [[view.avatar_letter(n), view.avatar_hue(n)] for n in RULE_INPUTS["names"]],
    }


def test_reconnect_backoff_doubles_from_one_to_thirty_seconds(
    ui_server: Server, new_page: Any
) -> None:
    page = ready(new_page(), ui_server.url)
    delays = page.evaluate(
        """async () => {
            const { backoff } = await import("/static/js/live.js");
            return [0, 1, 2, 3, 4, 5, 9].map(
                (n) => [0, 0.5, 0.999].map((r) => backoff(n, () => r)));
        }"""
    )
    assert [mid for _, mid, _ in delays] == [1000, 2000, 4000, 8000, 16000, 30000, 30000]
    for low, mid, high in delays:
        assert 0.8 * mid <= low < mid < high <= min(30000, 1.2 * mid) or mid == high == 30000
