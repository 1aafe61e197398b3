"""Which requests early admission takes: plain stream requests only, everything else untouched.

`early.parse` decides from the request head alone; anything it refuses goes to gunicorn and
Flask, which serve it as before (tests/live/test_stream_paths.py shows both paths live).
"""

from __future__ import annotations

import dataclasses
import socket
from collections.abc import Callable, Iterator
from types import SimpleNamespace

import pytest
from flask import Flask, Response

from startpunkt import runtime
from startpunkt.config import RealtimeSettings, Settings
from startpunkt.events import EventType
from startpunkt.web import early

PATH = "/api/updates/stream"
PATHS = frozenset({PATH, "/start" + PATH})
PLAIN = (
    b"GET /api/updates/stream HTTP/1.1\r\nHost: start.home.arpa\r\nAccept: text/event-stream\r\n"
)


def head(extra: bytes = b"", *, start: bytes = PLAIN) -> bytes:
    return start + extra + b"\r\n"


def test_a_plain_request_is_taken() -> None:
    request = early.parse(head(), PATHS)
    assert request == early.StreamRequest(
        size=len(head()),
        last_event_id=None,
        forwarded_for="",
        target=PATH,
        fields={"host": "start.home.arpa", "accept": "text/event-stream"},
    )


def test_the_target_keeps_its_query_for_the_access_log() -> None:
    start = PLAIN.replace(PATH.encode(), PATH.encode() + b"?lastEventId=ab-1")
    request = early.parse(head(b"User-Agent: Mozilla/5.0 (X11)\r\n", start=start), PATHS)
    assert request is not None and request.target == PATH + "?lastEventId=ab-1"
    assert request.fields["user-agent"] == "Mozilla/5.0 (X11)"


def test_resume_id_from_the_header_wins_over_the_query() -> None:
    start = PLAIN.replace(PATH.encode(), PATH.encode() + b"?lastEventId=ab-1&x=y")
    assert early.parse(head(start=start), PATHS).last_event_id == "ab-1"  # type: ignore[union-attr]
    with_header = head(b"Last-Event-ID: cd-2\r\n", start=start)
    assert early.parse(with_header, PATHS).last_event_id == "cd-2"  # type: ignore[union-attr]


def test_forwarded_for_lines_are_joined_like_the_server_does() -> None:
    request = early.parse(head(b"X-Forwarded-For: 1.1.1.1\r\nx-forwarded-for: 2.2.2.2\r\n"), PATHS)
    assert request is not None and request.forwarded_for == "1.1.1.1,2.2.2.2"


@pytest.mark.parametrize(
    "raw",
    [
        head(b"Origin: https://elsewhere.example\r\n"),  # CORS: the app decides
        head(start=PLAIN.replace(b"GET", b"HEAD")),
        head(start=PLAIN.replace(b"GET", b"POST")),
        head(start=PLAIN.replace(b"HTTP/1.1", b"HTTP/1.0")),  # no chunked framing
        head(start=PLAIN.replace(b"/api/", b"http://start.home.arpa/api/")),
        head(start=PLAIN.replace(b"stream", b"streams")),
        head(start=PLAIN.replace(b"Host: start.home.arpa\r\n", b"")),
        head(b"Content-Length: 0\r\n"),
        head(b"Transfer-Encoding: chunked\r\n"),
        head(b"Upgrade: h2c\r\n"),
        head(b"Last-Event-ID: a-1\r\nLast-Event-ID: b-2\r\n"),  # which one? not ours to guess
        head(b"X-Long: folded\r\n  continued\r\n"),
        head("X-Name: caf\u00e9\r\n".encode()),
        head(b"Bad Name: x\r\n"),
        PLAIN,  # the head is not complete yet
        head() + b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",  # a pipelined request behind it
    ],
    ids=[
        "origin",
        "head",
        "post",
        "http10",
        "absolute-form",
        "other-path",
        "no-host",
        "body",
        "chunked-body",
        "upgrade",
        "two-ids",
        "folded",
        "non-ascii",
        "bad-name",
        "incomplete",
        "pipelined",
    ],
)
def test_anything_else_is_left_to_gunicorn_and_flask(raw: bytes) -> None:
    assert early.parse(raw, PATHS) is None


def test_the_route_is_taken_under_the_mounted_prefix_too() -> None:
    under = head(start=PLAIN.replace(b"/api/", b"/start/api/"))
    assert early.parse(under, PATHS) is not None
    assert early.parse(head(start=PLAIN.replace(b"/api/", b"/other/api/")), PATHS) is None


def test_too_many_fields_are_left_alone() -> None:
    many = b"".join(b"X-F%d: v\r\n" % i for i in range(early.MAX_FIELDS))
    assert early.parse(head(many), PATHS) is None


# -- admission itself, on a socket pair ---------------------------------------------------------


@pytest.fixture
def app(web: SimpleNamespace) -> Iterator[Flask]:
    built = web.make_app([], Settings(realtime=RealtimeSettings(heartbeat_interval=3600.0)))

    @built.after_request
    def stamp(response: Response) -> Response:  # stands for hooks such as CORS
        response.headers["X-Title"] = runtime.get(built).settings.web.title
        return response

    yield built
    runtime.get(built).broadcaster.shutdown()
    runtime.get(built).broadcaster.stop()


@pytest.fixture
def pair() -> Iterator[tuple[socket.socket, socket.socket]]:
    server, client = socket.socketpair()
    client.settimeout(5)
    yield server, client
    server.close()
    client.close()


@pytest.fixture
def socket_pairs() -> Iterator[Callable[[], tuple[socket.socket, socket.socket]]]:
    opened: list[socket.socket] = []

    def make() -> tuple[socket.socket, socket.socket]:
        server, client = socket.socketpair()
        client.settimeout(5)
        opened.extend((server, client))
        return server, client

    yield make
    for sock in opened:
        sock.close()


def read_until(client: socket.socket, marker: bytes) -> bytes:
    received = b""
    while marker not in received:
        received += client.recv(65536)
    return received


def test_a_plain_request_is_served_with_the_apps_headers(app: Flask, pair) -> None:
    server, client = pair
    admission = early.Admission(app)
    client.sendall(head())
    assert admission.admit(server, ("203.0.113.7", 40000))
    received = read_until(client, b"HEARTBEAT")
    status, _, rest = received.partition(b"\r\n")
    assert status == b"HTTP/1.1 200 OK"
    fields = rest.split(b"\r\n\r\n", 1)[0].decode().lower()
    assert "content-type: text/event-stream; charset=utf-8" in fields
    assert "cache-control: no-cache" in fields and "x-accel-buffering: no" in fields
    assert "transfer-encoding: chunked" in fields
    assert "x-title: startpunkt" in fields  # the app's after_request hooks ran for it
    broadcaster = runtime.get(app).broadcaster
    assert broadcaster.client_count() == 1
    broadcaster.broadcast_event(EventType.CONFIG_CHANGED, {"marker": 1})
    assert b"CONFIG_CHANGED" in read_until(client, b"CONFIG_CHANGED")


def test_the_headers_follow_the_settings(app: Flask, socket_pairs) -> None:
    admission = early.Admission(app)
    rt = runtime.get(app)
    for title in ("First", "Second"):
        rt.settings = dataclasses.replace(
            rt.settings, web=dataclasses.replace(rt.settings.web, title=title)
        )
        server, client = socket_pairs()
        client.sendall(head())
        assert admission.admit(server, ("203.0.113.7", 40000))
        assert f"X-Title: {title}".encode() in read_until(client, b"HEARTBEAT")


def test_anything_else_is_left_unread(app: Flask, pair) -> None:
    server, client = pair
    request = head(b"Origin: https://elsewhere.example\r\n")
    client.sendall(request)
    assert not early.Admission(app).admit(server, ("203.0.113.7", 40000))
    assert server.recv(65536, socket.MSG_PEEK) == request  # gunicorn will read it all
    assert runtime.get(app).broadcaster.client_count() == 0


def test_a_stream_that_would_be_refused_is_left_to_the_view(web: SimpleNamespace, pair) -> None:
    settings = Settings(realtime=RealtimeSettings(max_connections_per_client=1))
    app = web.make_app([], settings)
    broadcaster = runtime.get(app).broadcaster
    broadcaster.subscribe(last_event_id=None, client="203.0.113.7")
    server, client = pair
    client.sendall(head())
    assert not early.Admission(app).admit(server, ("203.0.113.7", 40000))
    assert server.recv(65536, socket.MSG_PEEK) == head()  # the view answers 503 and counts it
    broadcaster.stop()


def test_under_a_mounting_middleware_the_prefixed_route_is_taken_too(app: Flask) -> None:
    class Mount:  # stands for web.rootPath's middleware, which keeps its `prefix`
        prefix = "/start"

        def __init__(self, inner: object) -> None:
            self.inner = inner

    app.wsgi_app = Mount(app.wsgi_app)  # type: ignore[method-assign]
    assert early.Admission(app).paths == {PATH, "/start" + PATH}


@pytest.mark.parametrize("query", [b"?scope=local", b"?lastEventId=ab-1&scope=local", b"?scope=x"])
def test_another_scope_is_left_to_the_view(query: bytes) -> None:
    """`scope=local` is the followers' stream, another broadcaster: the view picks it."""
    start = PLAIN.replace(PATH.encode(), PATH.encode() + query)
    assert early.parse(head(start=start), PATHS) is None
    plain = PLAIN.replace(PATH.encode(), PATH.encode() + b"?scope=all")
    assert early.parse(head(start=plain), PATHS) is not None
