"""The test-side SSE reader decodes what `startpunkt.sse.encode` writes, however it is chunked."""

from __future__ import annotations

from startpunkt import sse
from testkit.sse import Decoder, Message


def test_decoder_round_trip_in_arbitrary_chunks() -> None:
    wire = (
        sse.encode(retry=1000)
        + sse.encode(comment="keep-alive")
        + sse.encode(id="e-1", event="X", data="line1\nline2")
        + sse.encode(event="HEARTBEAT", data="null")
    )
    for size in (1, 2, 3, 7, len(wire)):
        decoder = Decoder()
        messages = []
        for i in range(0, len(wire), size):
            messages += decoder.feed(wire[i : i + size])
        assert messages == [
            Message(retry=1000),
            Message(id="e-1", event="X", data="line1\nline2"),
            Message(event="HEARTBEAT", data="null"),
        ]


def test_decoder_accepts_cr_and_crlf_split_across_chunks() -> None:
    decoder = Decoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n\r") == []
    assert decoder.feed(b"\ndata:b\r\r\n") == [Message(data="a"), Message(data="b")]


def test_decoder_multibyte_split() -> None:
    wire = "data: ✓\n\n".encode()
    decoder = Decoder()
    assert decoder.feed(wire[:7]) == []
    assert decoder.feed(wire[7:]) == [Message(data="✓")]
