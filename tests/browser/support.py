"""Helpers the browser tests share (conftest modules are not imported by tests)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from playwright import sync_api as playwright

from testkit.live import ROOT, Server

DEADLINE_MS = 15_000
"""Every wait in these tests: generous, since CI is a shared 2-core machine."""

ARTIFACTS = Path(os.environ.get("STARTPUNKT_ARTIFACTS", ROOT / "artifacts")) / "browser"
"""Screenshots land here (git-ignored); CI can keep the directory."""
DOCS = ROOT / "docs" / "screenshots"
"""The committed screenshots, refreshed with STARTPUNKT_UPDATE_SCREENSHOTS=1."""

BASE_ENV = {
    "STARTPUNKT_KUBERNETES_ENABLED": "false",
    "STARTPUNKT_MANIFESTS_ENABLED": "true",
    "STARTPUNKT_AVAILABILITY_ENABLED": "false",
    "STARTPUNKT_REALTIME_EVENTDEBOUNCEMS": "50",
    "STARTPUNKT_WEB_REFRESHINTERVAL": "1",
}
"""Only the manifest directory, no prober; fast events and polls so the tests are quick."""


def start_server(manifests: Path, log: Path, *, port: int | None = None, **env: str) -> Server:
    """A gunicorn serving `manifests` and nothing else (`env` adds STARTPUNKT_* settings)."""
    full_env = {**BASE_ENV, "STARTPUNKT_MANIFESTS_DIRECTORY": str(manifests), **env}
    return Server(full_env, port=port, log_path=log).start()


def ready(page: Any, url: str) -> Any:
    """Load `url` and wait until the page's script has taken over the server's first paint."""
    page.goto(url)
    page.wait_for_selector("html[data-ready=true]", state="attached")
    return page


def card(page: Any, name: str) -> Any:
    """The card (link or not) whose name is exactly `name`."""
    return page.locator(".card").filter(
        has=page.locator(".card__name").get_by_text(name, exact=True)
    )


def names(page: Any, section: str = "apps") -> list[str]:
    """Card names of one section, in page order."""
    return page.locator(f'[data-section="{section}"] .card__name').all_text_contents()


def search(page: Any, query: str) -> Any:
    """Open the search by typing outside any field, as a user would."""
    page.locator("body").press("/")
    playwright.expect(page.locator("#search")).to_be_visible()
    page.locator("#search-input").fill(query)
    return page.locator("#search-results [role=option]")


def save(page: Any, name: str) -> Path:
    """Screenshot `page` as `<name>.png` into ARTIFACTS (and DOCS when asked to refresh them)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), animations="disabled", caret="hide")
    assert path.stat().st_size > 20_000, f"{name}.png looks empty"
    if os.environ.get("STARTPUNKT_UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, DOCS / path.name)
    return path


def needs_npm_data() -> None:
    """Skip unless `npm ci` installed the icon sets and Swagger UI (CI always does)."""
    from startpunkt import bundled

    if (
        bundled.npm_package("@iconify-json/mdi") is None
        or bundled.npm_package("swagger-ui-dist") is None
    ):
        reason = "the npm data is missing: run `npm ci --omit=dev --ignore-scripts`"
        if os.environ.get("CI"):
            raise AssertionError(reason)
        import pytest

        pytest.skip(reason)
