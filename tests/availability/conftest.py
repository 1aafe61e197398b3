"""Real HTTP(S) servers on 127.0.0.1 for the availability tests, plus app helpers.

`Site` answers by path (`/status/404`, `/redirect?to=..`, `/nohead`, `/switch/<name>` ...) and
records every request; `hang_url` accepts connections and never answers; `closed_url` refuses.
"""

from __future__ import annotations

import dataclasses
import socket
import ssl
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import gevent
import pytest
from flask import Flask
from gevent.pywsgi import WSGIServer

import startpunkt
from startpunkt import availability, config, readiness, runtime, signals
from startpunkt.availability import prober as prober_module
from startpunkt.catalog import Catalog
from startpunkt.events import payloads
from startpunkt.model import Application
from testkit import items, live


@dataclass
class Hit:
    path: str
    method: str
    user_agent: str
    at: float


@dataclass
class Site:
    """A WSGI app whose answer depends on the path; `switch` holds statuses tests can change."""

    base: str = ""
    switch: dict[str, int] = field(default_factory=dict)
    hits: list[Hit] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def count(self, path: str, method: str | None = None) -> int:
        return sum(1 for h in self.hits if h.path == path and method in (None, h.method))

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        path, method = environ["PATH_INFO"], environ["REQUEST_METHOD"]
        query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
        self.hits.append(Hit(path, method, environ.get("HTTP_USER_AGENT", ""), time.monotonic()))
        status, headers, body = self._answer(path, method, query)
        start_response(f"{status} X", [("Content-Type", "text/plain"), *headers])
        return body

    def _answer(
        self, path: str, method: str, query: dict[str, str]
    ) -> tuple[int, list[tuple[str, str]], Iterable[bytes]]:
        parts = path.strip("/").split("/")
        if parts[0] == "status":
            status = int(parts[1])
            return status, [], [] if status in (204, 304) else [b"status\n"]
        if parts[0] == "switch":
            return self.switch.get(parts[1], 200), [], [b"switch\n"]
        if parts[0] == "redirect":
            return int(query.get("code", "302")), [("Location", query["to"])], [b""]
        if parts[0] == "loop":
            return 302, [("Location", "/loop")], [b""]
        if parts[0] == "nohead":
            if method == "HEAD":
                return 405, [("Allow", "GET")], [b""]
            if parts[1:] == ["endless"]:
                return 200, [], _endless()
            return int(parts[1]) if len(parts) > 1 else 200, [], [b"ok\n"]
        return 404, [], [b"no such path\n"]


def _endless() -> Iterator[bytes]:
    """A body far larger than any probe should read, trickled out."""
    for _ in range(2000):
        yield b"x" * 65536
        gevent.sleep(0.001)


@pytest.fixture
def site() -> Iterator[Site]:
    app = Site()
    server = WSGIServer(("127.0.0.1", 0), app, log=None, error_log=None)
    server.start()
    app.base = f"http://127.0.0.1:{server.server_port}"
    yield app
    server.stop(timeout=1)


@pytest.fixture
def hang_url() -> Iterator[str]:
    """A URL whose server accepts connections and never says a word."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(512)
    held: list[socket.socket] = []

    def accept() -> None:
        while True:
            conn, _ = listener.accept()
            held.append(conn)

    acceptor = gevent.spawn(accept)
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    acceptor.kill()
    for conn in held:
        conn.close()
    listener.close()


@pytest.fixture
def closed_url() -> str:
    """A URL on a port nobody listens on."""
    return f"http://127.0.0.1:{live.free_port()}/"


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    """A self-signed certificate for 127.0.0.1, made now with the openssl CLI."""
    d: Path = tmp_path_factory.mktemp("tls")
    cert, key = d / "cert.pem", d / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(key), "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return str(cert), str(key)


@pytest.fixture
def tls_site(certificate: tuple[str, str]) -> Iterator[Site]:
    app = Site()
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*certificate)
    server = WSGIServer(
        ("127.0.0.1", 0),
        app,
        log=None,
        error_log=None,
        ssl_context=context,
        do_handshake_on_connect=False,
    )
    server.start()
    app.base = f"https://127.0.0.1:{server.server_port}"
    yield app
    server.stop(timeout=1)


def application(name: str, url: str | None) -> Application:
    """An Ingress's item `ns/<name>` in group `g`, pointing at `url`."""
    return items.application(
        name, "g", namespace="ns", resource_name=name, source="Ingress", url=url
    )


def make_app(catalog: Catalog, **availability: Any) -> Flask:
    """A bare app holding just the runtime the prober reads (no blueprints, no greenlets)."""
    app = Flask(__name__)
    app.extensions["startpunkt"] = runtime.Runtime(
        settings=config.Settings(availability=config.AvailabilitySettings(**availability)),
        catalog=catalog,
        readiness=readiness.Readiness(),
        version=startpunkt.__version__,
    )
    return app


def set_availability(app: Flask, **changes: Any) -> None:
    """Change availability settings live, as the config reloader does."""
    rt = runtime.get(app)
    rt.settings = dataclasses.replace(
        rt.settings, availability=dataclasses.replace(rt.settings.availability, **changes)
    )


def probes(prober: prober_module.Prober, url: str) -> int:
    """How many probes of `url` have ended (0 while it is not scheduled)."""
    state = prober.urls().get(url)
    return state.probes if state else 0


def status_changes(catalog: Catalog) -> tuple[list[Application], Callable[..., None]]:
    """Each application whose status `catalog` changes from now, and the receiver to disconnect."""
    seen: list[Application] = []

    def receive(sender: Any, *, old: Any, new: Any, **_: Any) -> None:
        for kind, item in payloads.classify(old, new):
            if kind is payloads.EventType.STATUS_CHANGED:
                seen.append(item)

    signals.item_changed.connect(receive, sender=catalog)
    return seen, receive


@pytest.fixture
def run_prober() -> Iterator[Callable[..., prober_module.Prober]]:
    """Start a fast prober for an app (short delays), killed after the test."""
    started: list[Flask] = []

    def start(app: Flask, **timing: float) -> prober_module.Prober:
        timing = {"start_delay": 0.0, "new_url_delay": 0.05, "backoff": 0.1, **timing}
        prober = availability.start(app, **timing)
        signals.config_changed.connect(availability.reconfigure, sender=app)
        started.append(app)
        return prober

    yield start
    for app in started:
        gevent.killall(list(runtime.get(app).tasks))
