"""Screenshots of the demo page (light, dark, phone, search) as test artifacts.

They are written under `artifacts/browser/` (or `$STARTPUNKT_ARTIFACTS/browser/`); with
`STARTPUNKT_UPDATE_SCREENSHOTS=1` the committed set in `docs/screenshots/` is refreshed too.
The prober runs for real: every app points at the server itself except Prometheus, whose port
is closed, so the shots show an unavailable app as users would see it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import expect

from testkit.live import Server, free_port

from . import manifests
from .support import card, ready, save, start_server

CLOSED = "http://127.0.0.1:9/"
"""The discard port: nothing listens there, so the probe fails at once."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    directory = tmp_path_factory.mktemp("shots")
    port = free_port()

    def url(name: str) -> str:
        return CLOSED if name == "prometheus" else f"http://127.0.0.1:{port}/q/health/live?{name}"

    manifests.write(directory / "manifests" / "homelab.yaml", manifests.homelab(url))
    running = start_server(
        directory / "manifests",
        directory / "server.log",
        port=port,
        STARTPUNKT_AVAILABILITY_ENABLED="true",
        STARTPUNKT_AVAILABILITY_TIMEOUT="2s",
        STARTPUNKT_WEB_TITLE="Homelab",
    )
    yield running
    running.stop()


def settled(page: Any) -> Any:
    """Wait until the page shows what a user would see after a moment: live and probed."""
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    expect(card(page, "Prometheus").locator(".card__status--down")).to_have_text("Unavailable")
    page.evaluate("document.fonts.ready")
    return page


@pytest.mark.parametrize(
    ("name", "options"),
    [
        ("light", {"color_scheme": "light"}),
        ("dark", {"color_scheme": "dark"}),
        (
            "phone",
            {
                "color_scheme": "light",
                "viewport": {"width": 390, "height": 844},
                "device_scale_factor": 2,
                "is_mobile": True,
                "has_touch": True,
            },
        ),
    ],
)
def test_screenshot(server: Server, new_page: Any, name: str, options: dict[str, Any]) -> None:
    page = settled(ready(new_page(**options), server.url))
    save(page, name)


def test_screenshot_of_search(server: Server, new_page: Any) -> None:
    page = settled(ready(new_page(color_scheme="dark"), server.url))
    page.keyboard.type("ar")
    expect(page.locator("#search-results [role=option]").first).to_be_visible()
    save(page, "search")
