"""Fixtures for the browser tests: one Chromium per session, real gunicorn servers per test or
module, a fresh browser context per test (so localStorage never leaks between tests).

Skipped only when Debian's Chromium is missing (CI installs it with `apt-get install chromium`).
Icons from Iconify's CDN are refused, as offline: the page must look right without them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright import sync_api as playwright

from testkit.live import Server

from . import manifests
from .support import DEADLINE_MS, start_server

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-quic",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
]

playwright.expect.set_options(timeout=DEADLINE_MS)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    with playwright.sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield instance
        instance.close()


ServerFactory = Callable[..., Server]


@pytest.fixture(scope="session")
def ui_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The demo homelab plus tagged and hostile extras; tests only read from it."""
    directory = tmp_path_factory.mktemp("ui")
    manifests.write(directory / "manifests" / "homelab.yaml", manifests.homelab())
    manifests.write(directory / "manifests" / "extras.yaml", manifests.extras())
    running = start_server(directory / "manifests", directory / "server.log")
    yield running
    running.stop()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[ServerFactory]:
    """Start servers for one test; all are stopped at its end."""
    started: list[Server] = []

    def start(manifests: Path, *, port: int | None = None, **env: str) -> Server:
        server = start_server(manifests, tmp_path / f"server-{len(started)}.log", port=port, **env)
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[..., Any]]:
    """Open pages in fresh contexts; a JavaScript error or a dialog in any fails the test."""
    contexts: list[Any] = []
    problems: list[str] = []

    def refuse(dialog: Any) -> None:
        problems.append(f"dialog: {dialog.message}")
        dialog.dismiss()

    def open_page(**options: Any) -> Any:
        context = browser.new_context(**{"viewport": {"width": 1280, "height": 860}, **options})
        context.set_default_timeout(DEADLINE_MS)
        context.route("https://api.iconify.design/**", lambda route: route.abort())
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda error: problems.append(f"page error: {error}"))
        page.on("dialog", refuse)
        return page

    yield open_page
    for context in contexts:
        context.close()
    assert not problems, problems
