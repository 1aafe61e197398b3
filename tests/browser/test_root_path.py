"""`web.rootPath` (issue 15): served under /start directly and behind a real nginx that strips
the prefix and forwards it in X-Forwarded-Prefix, the page, search, live updates, the polling
fallback and the API docs work, and the browser never requests a path outside /start."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from testkit.live import free_port

from . import manifests
from .support import card, needs_npm_data, ready, search

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ROOT = "/start"


def grafana(info: str) -> dict[str, Any]:
    return manifests.application("Grafana", "Monitoring", "https://grafana.example", info=info)


@pytest.fixture
def proxy(tmp_path: Path) -> Iterator[Any]:
    """`start(upstream_port)` runs nginx on a free port: /start/… → upstream /…, prefix header."""
    if not Path(NGINX).exists():
        if os.environ.get("CI"):
            raise AssertionError("nginx is missing (apt-get install nginx)")
        pytest.skip("nginx is missing: apt-get install nginx")
    started: list[subprocess.Popen[bytes]] = []

    def start(upstream: int) -> str:
        port = free_port()
        prefix = tmp_path / "nginx"
        (prefix / "logs").mkdir(parents=True)
        conf = prefix / "nginx.conf"
        conf.write_text(
            textwrap.dedent(f"""\
            daemon off;
            pid {prefix}/nginx.pid;
            error_log {prefix}/logs/error.log;
            events {{ worker_connections 256; }}
            http {{
              access_log {prefix}/logs/access.log;
              client_body_temp_path {prefix}/body; proxy_temp_path {prefix}/proxy;
              fastcgi_temp_path {prefix}/fcgi; uwsgi_temp_path {prefix}/uwsgi;
              scgi_temp_path {prefix}/scgi;
              server {{
                listen 127.0.0.1:{port};
                location {ROOT}/ {{
                  proxy_pass http://127.0.0.1:{upstream}/;
                  proxy_set_header X-Forwarded-Prefix {ROOT};
                  proxy_http_version 1.1;
                  proxy_set_header Connection "";
                  proxy_buffering off;
                  proxy_read_timeout 1h;
                }}
              }}
            }}
            """)
        )
        process = subprocess.Popen([NGINX, "-p", str(prefix), "-c", str(conf)])
        started.append(process)
        return f"http://127.0.0.1:{port}"

    yield start
    for process in started:
        process.terminate()
        process.wait(10)


def drive(new_page: Any, base: str, directory: Path) -> None:
    """Search, a live edit, then the polling fallback; every request recorded is under /start."""
    page = new_page()
    requests: list[str] = []
    page.context.on("request", lambda r: requests.append(r.url))
    ready(page, f"{base}{ROOT}/")
    expect(page.locator("#connection")).to_have_attribute("data-state", "connected")
    results = search(page, "graf")
    expect(results).to_have_count(1)
    page.keyboard.press("Escape")
    manifests.write(directory / "apps.yaml", [grafana("Edited live")])
    expect(card(page, "Grafana").locator(".card__info")).to_have_text("Edited live")

    polling = new_page()
    polling.context.on("request", lambda r: requests.append(r.url))
    polling.context.route("**/api/updates/stream*", lambda route: route.abort())
    ready(polling, f"{base}{ROOT}/")
    expect(polling.locator("#connection")).to_have_attribute("data-state", "disconnected")
    manifests.write(directory / "apps.yaml", [grafana("Seen by polling")])
    expect(card(polling, "Grafana").locator(".card__info")).to_have_text("Seen by polling")

    ours = [urlsplit(u) for u in requests if urlsplit(u).netloc == urlsplit(base).netloc]
    assert len(ours) > 20
    outside = [u.path for u in ours if not u.path.startswith(f"{ROOT}/")]
    assert outside == []
    paths = {u.path for u in ours}
    assert {f"{ROOT}/api/updates/stream", f"{ROOT}/api/apps", f"{ROOT}/api/bookmarks"} <= paths


def test_served_under_a_prefix_directly(tmp_path: Path, servers: Any, new_page: Any) -> None:
    directory = tmp_path / "manifests"
    manifests.write(directory / "apps.yaml", [grafana("Dashboards")])
    server = servers(directory, STARTPUNKT_WEB_ROOTPATH=ROOT)
    drive(new_page, server.url, directory)


def test_served_behind_a_proxy_that_strips_the_prefix(
    tmp_path: Path, servers: Any, new_page: Any, proxy: Any
) -> None:
    directory = tmp_path / "manifests"
    manifests.write(directory / "apps.yaml", [grafana("Dashboards")])
    server = servers(directory, STARTPUNKT_WEB_ROOTPATH=ROOT)
    drive(new_page, proxy(server.port), directory)


def test_api_docs_under_the_prefix(servers: Any, new_page: Any, tmp_path: Path) -> None:
    needs_npm_data()
    directory = tmp_path / "manifests"
    manifests.write(directory / "apps.yaml", [grafana("Dashboards")])
    server = servers(directory, STARTPUNKT_WEB_ROOTPATH=ROOT)
    page = new_page()
    page.goto(f"{server.url}{ROOT}/q/swagger-ui")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/apps").first).to_be_visible()
