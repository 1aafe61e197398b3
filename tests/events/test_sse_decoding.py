"""The product's SSE decoder (`startpunkt.sse.Decoder`), byte for byte against the WHATWG rules.

The remote source reads other instances' streams with it, so besides the grammar it must hold
its caps: a line or a message past its cap is dropped and reported, never buffered. Property
tests show that how the bytes are cut into chunks never changes what is decoded, and that
everything `sse.encode` writes reads back as it was.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from startpunkt import sse
from startpunkt.sse import Message


def decode(data: bytes, **caps: int) -> list[Message]:
    return sse.Decoder(**caps).feed(data)


def test_a_message_with_every_field() -> None:
    assert decode(b"id: 7\nevent: X\nretry: 10\ndata: a\n\n") == [Message("X", "a", "7")]


def test_data_lines_join_with_lf_and_the_event_defaults_to_message() -> None:
    assert decode(b"data: one\ndata: two\ndata\n\n") == [Message("message", "one\ntwo\n", "")]


@pytest.mark.parametrize(
    "raw", [b"data: a\r\n\r\n", b"data: a\r\r", b"data: a\n\n", b"data: a\r\n\n", b"data: a\n\r\n"]
)
def test_cr_lf_and_crlf_all_end_lines(raw: bytes) -> None:
    assert decode(raw) == [Message("message", "a", "")]


def test_one_space_after_the_colon_is_dropped_and_no_more() -> None:
    assert decode(b"data:a\n\ndata:  b\n\n") == [
        Message("message", "a", ""),
        Message("message", " b", ""),
    ]


def test_comments_and_unknown_fields_are_ignored() -> None:
    assert decode(b": hi\nfoo: bar\ndata: x\n:\n\n") == [Message("message", "x", "")]


def test_a_blank_line_without_data_dispatches_nothing_but_sets_the_id() -> None:
    decoder = sse.Decoder()
    assert decoder.feed(b"id: 5\nevent: X\n\n") == []
    assert decoder.last_event_id == "5"
    # The event type was reset with the blank line; the id persists.
    assert decoder.feed(b"data: y\n\n") == [Message("message", "y", "5")]


def test_an_id_holding_nul_is_ignored() -> None:
    assert decode(b"id: 1\n\nid: a\x00b\ndata: x\n\n") == [Message("message", "x", "1")]


def test_retry_takes_ascii_digits_only() -> None:
    decoder = sse.Decoder()
    decoder.feed(b"retry: 250\n\nretry: 2x\n\nretry: \xd9\xa3\n\nretry:\n\n")
    assert decoder.retry == 250


def test_a_leading_bom_is_dropped_once() -> None:
    assert decode(b"\xef\xbb\xbfdata: a\n\n\xef\xbb\xbfdata: b\n\n") == [
        Message("message", "a", ""),
    ]  # the second BOM makes the field name "\ufeffdata": unknown, ignored


def test_invalid_utf8_becomes_replacement_characters() -> None:
    assert decode(b"data: a\xffb\n\n") == [Message("message", "a\ufffdb", "")]


def test_an_incomplete_message_at_the_end_is_not_dispatched() -> None:
    decoder = sse.Decoder()
    assert decoder.feed(b"data: a\n") == []
    assert decoder.feed(b"data: b") == []


def test_a_crlf_cut_between_two_chunks_is_one_line_end() -> None:
    decoder = sse.Decoder()
    assert decoder.feed(b"data: a\r") == []
    assert decoder.feed(b"\n") == []  # not a blank line: the LF completes the CRLF
    assert decoder.feed(b"\r\n") == [Message("message", "a", "")]


def test_a_cr_at_the_end_of_a_chunk_ends_the_line_at_once() -> None:
    decoder = sse.Decoder()
    assert decoder.feed(b"data: a\r\r") == [Message("message", "a", "")]


def test_a_utf8_character_cut_between_chunks_survives() -> None:
    decoder = sse.Decoder()
    raw = "data: Grüße ✓\n\n".encode()
    cut = raw.index("✓".encode()) + 1
    assert decoder.feed(raw[:cut]) == []
    assert decoder.feed(raw[cut:]) == [Message("message", "Grüße ✓", "")]


def test_a_line_past_the_cap_is_dropped_and_its_message_reported() -> None:
    decoder = sse.Decoder(max_line=16)
    out = decoder.feed(b"id: 1\nevent: BIG\ndata: " + b"x" * 40 + b"\n\ndata: ok\n\n")
    assert out == [Message("BIG", None, "1", oversize=True), Message("message", "ok", "1")]


def test_a_long_line_arriving_in_pieces_is_never_held_whole() -> None:
    decoder = sse.Decoder(max_line=1000)
    for _ in range(100):
        assert decoder.feed(b"data: " + b"y" * 500) == []
        assert decoder._partial_size <= 1000  # dropped as it goes, not buffered
    assert decoder.feed(b"\n\nevent: next\ndata: z\n\n") == [
        Message("message", None, "", oversize=True),
        Message("next", "z", ""),
    ]


def test_many_small_data_lines_past_the_data_cap_are_reported() -> None:
    out = decode(b"data: aaaa\n" * 10 + b"\n", max_data=20)
    assert out == [Message("message", None, "", oversize=True)]


def test_what_the_server_sends_reads_back() -> None:
    """The opening of one of our streams, byte for byte as `startpunkt.sse.encode` writes it."""
    raw = (
        b"retry: 1000\n\n"
        b'id: 0a1b2c3d-4\nevent: HEARTBEAT\ndata: {"type":"HEARTBEAT","data":null}\n\n'
        b'id: 0a1b2c3d-5\nevent: RESYNC\ndata: {"type":"RESYNC","data":{"reason":"epoch"}}\n\n'
    )
    decoder = sse.Decoder()
    assert decoder.feed(raw) == [
        Message("HEARTBEAT", '{"type":"HEARTBEAT","data":null}', "0a1b2c3d-4"),
        Message("RESYNC", '{"type":"RESYNC","data":{"reason":"epoch"}}', "0a1b2c3d-5"),
    ]
    assert decoder.retry == 1000 and decoder.last_event_id == "0a1b2c3d-5"


# -- properties -------------------------------------------------------------------------------

_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
_line_free = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n\0"),
    max_size=20,
)
_messages = st.lists(
    st.tuples(
        st.one_of(st.none(), _line_free),  # id
        st.one_of(st.none(), _line_free.filter(bool)),  # event
        _text,  # data
    ),
    max_size=8,
)


def _stream(messages: list[tuple[str | None, str | None, str]]) -> bytes:
    return b"".join(sse.encode(id=i, event=e, data=d) for i, e, d in messages)


def _cut(data: bytes, cuts: list[int]) -> list[bytes]:
    points = sorted({c % (len(data) + 1) for c in cuts})
    return [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]


@given(messages=_messages)
def test_everything_encode_writes_decodes_to_what_was_encoded(messages) -> None:
    decoded = sse.Decoder().feed(_stream(messages))
    last_id = ""
    expected = []
    for event_id, event, data in messages:
        last_id = event_id if event_id is not None else last_id
        normalised = data.replace("\r\n", "\n").replace("\r", "\n")
        expected.append(Message(event or "message", normalised, last_id))
    assert decoded == expected


@given(
    raw=st.one_of(
        st.binary(max_size=300),
        st.lists(
            st.sampled_from(
                [
                    b"data: x",
                    b"id: 1",
                    b"event: E",
                    b":c",
                    b"\r",
                    b"\n",
                    b"\r\n",
                    b"retry: 5",
                    b"\xe2\x9c",
                    b"\x93",
                    b"\xef\xbb\xbf",
                    b"data",
                    b"x" * 30,
                ]
            ),
            max_size=40,
        ).map(b"".join),
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=400), max_size=12),
    cap=st.sampled_from([8, 64, sse.MAX_LINE]),
)
def test_how_the_bytes_are_cut_never_changes_the_messages(raw, cuts, cap) -> None:
    whole = sse.Decoder(max_line=cap, max_data=cap)
    expected = whole.feed(raw)
    pieces = sse.Decoder(max_line=cap, max_data=cap)
    got = [message for chunk in _cut(raw, cuts) for message in pieces.feed(chunk)]
    assert got == expected
    assert pieces.last_event_id == whole.last_event_id
    assert pieces.retry == whole.retry


@given(st.text(alphabet=string.printable, max_size=200))
def test_no_input_breaks_the_decoder(text: str) -> None:
    for message in sse.Decoder(max_line=32, max_data=64).feed(text.encode()):
        assert message.oversize or len(message.data or "") <= 64
