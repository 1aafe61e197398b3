"""SSE framing, byte for byte, and the decoder that reads it back."""

from __future__ import annotations

import pytest

from startpunkt import sse


def test_full_message_in_field_order() -> None:
    assert sse.encode(id="e1-7", event="APPLICATION_ADDED", data='{"a":1}') == (
        b'id: e1-7\nevent: APPLICATION_ADDED\ndata: {"a":1}\n\n'
    )


def test_retry_alone() -> None:
    assert sse.encode(retry=1000) == b"retry: 1000\n\n"


def test_every_field_together() -> None:
    encoded = sse.encode(comment="hi", id="1", event="E", retry=0, data="d")
    assert encoded == b": hi\nid: 1\nevent: E\nretry: 0\ndata: d\n\n"


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("one\ntwo", b"data: one\ndata: two\n\n"),
        ("one\r\ntwo\rthree", b"data: one\ndata: two\ndata: three\n\n"),
        ("trailing\n", b"data: trailing\ndata: \n\n"),
        ("", b"data: \n\n"),
        ("null", b"data: null\n\n"),
    ],
)
def test_data_lines(data: str, expected: bytes) -> None:
    assert sse.encode(data=data) == expected


def test_comment_lines() -> None:
    assert sse.encode(comment="a\nb") == b": a\n: b\n\n"
    assert sse.encode(comment="") == b":\n\n"


def test_unicode_is_utf8() -> None:
    assert sse.encode(data="Grüße ✓") == "data: Grüße ✓\n\n".encode()


@pytest.mark.parametrize("value", ["a\nid: 9", "a\rb", "a\r\nevent: x", "nul\0"])
def test_no_field_injection_through_id_or_event(value: str) -> None:
    with pytest.raises(ValueError, match="must not contain"):
        sse.encode(id=value, data="x")
    with pytest.raises(ValueError, match="must not contain"):
        sse.encode(event=value, data="x")


@pytest.mark.parametrize("retry", [-1, 1.5, True, "10"])
def test_bad_retry(retry: object) -> None:
    with pytest.raises(ValueError, match="retry"):
        sse.encode(retry=retry)  # type: ignore[arg-type]


def test_empty_message_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least one field"):
        sse.encode()
