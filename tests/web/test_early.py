"""Which requests early admission takes: plain stream requests only, everything else untouched.

`early.parse` decides from the request head alone; anything it refuses goes to gunicorn and
Flask, which serve it as before (tests/live/test_stream_paths.py shows both paths live).
"""

from __future__ import annotations

import pytest

from startpunkt.web import early

PATH = "/api/updates/stream"
PLAIN = (
    b"GET /api/updates/stream HTTP/1.1\r\nHost: start.home.arpa\r\nAccept: text/event-stream\r\n"
)


def head(extra: bytes = b"", *, start: bytes = PLAIN) -> bytes:
    return start + extra + b"\r\n"


def test_a_plain_request_is_taken() -> None:
    request = early.parse(head(), PATH)
    assert request == early.StreamRequest(size=len(head()), last_event_id=None, forwarded_for="")


def test_resume_id_from_the_header_wins_over_the_query() -> None:
    start = PLAIN.replace(PATH.encode(), PATH.encode() + b"?lastEventId=ab-1&x=y")
    assert early.parse(head(start=start), PATH).last_event_id == "ab-1"  # type: ignore[union-attr]
    with_header = head(b"Last-Event-ID: cd-2\r\n", start=start)
    assert early.parse(with_header, PATH).last_event_id == "cd-2"  # type: ignore[union-attr]


def test_forwarded_for_lines_are_joined_like_the_server_does() -> None:
    request = early.parse(head(b"X-Forwarded-For: 1.1.1.1\r\nx-forwarded-for: 2.2.2.2\r\n"), PATH)
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
    assert early.parse(raw, PATH) is None


def test_too_many_fields_are_left_alone() -> None:
    many = b"".join(b"X-F%d: v\r\n" % i for i in range(early.MAX_FIELDS))
    assert early.parse(head(many), PATH) is None
