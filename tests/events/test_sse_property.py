"""Property: every frame the server builds parses back to exactly what was meant, nothing more.

Whatever text a name, an info or a URL holds (CR, LF, U+2028, `\\n\\nevent: RESYNC`, NUL, lone
surrogates' neighbours), `sse.encode` either refuses it (id and event must be one line) or
produces one message that a WHATWG parser (`testkit.sse.Decoder`) reads back with the same
fields; `payloads.frame` never lets a payload add a line, a field or an event.
"""

from __future__ import annotations

import json

import pytest

from startpunkt import sse
from startpunkt.events import payloads
from testkit import items
from testkit.sse import Decoder

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

HOSTILE = st.sampled_from(
    [
        "\r",
        "\n",
        "\r\n",
        "\u2028",
        "\u2029",
        "\x00",
        "\n\nevent: RESYNC\ndata: {}\n\n",
        "\r\rid: 1-1\r\r",
        ":",
        "data: x",
        "retry: 1",
        "\ufeff",
    ]
)
TEXT = st.lists(st.text(max_size=20) | HOSTILE, max_size=6).map("".join)
EVENTS = list(payloads.EventType)


def parsed(frame: bytes, chunk: int) -> list:
    """The messages of `frame`, fed in chunks of `chunk` bytes (as a socket would cut it)."""
    decoder = Decoder()
    out = []
    for start in range(0, len(frame), chunk):
        out += decoder.feed(frame[start : start + chunk])
    return out


@hypothesis.settings(max_examples=300, deadline=None, database=None)
@hypothesis.given(data=TEXT, event_id=TEXT, event=TEXT, chunk=st.integers(1, 64))
def test_encode_round_trips_or_refuses(data: str, event_id: str, event: str, chunk: int) -> None:
    try:
        frame = sse.encode(id=event_id, event=event, data=data)
    except ValueError:
        assert any(c in event_id + event for c in "\r\n\0")
        return
    (message,) = parsed(frame, chunk)
    assert message.id == event_id and message.event == event
    assert message.data == data.replace("\r\n", "\n").replace("\r", "\n")


@hypothesis.settings(max_examples=200, deadline=None, database=None)
@hypothesis.given(
    name=TEXT,
    info=TEXT,
    url=TEXT,
    group=TEXT,
    kind=st.sampled_from(EVENTS),
    chunk=st.integers(1, 97),
)
def test_a_payload_is_one_message_of_its_type(name, info, url, group, kind, chunk) -> None:
    item = items.application(name or "x", group or "g", info=info, url=url)
    data = payloads.payload(kind, item) if kind is not payloads.EventType.RESYNC else {"r": name}
    frame = payloads.frame(kind, data, event_id="abcd1234-7")
    assert frame.count(b"\n\n") == 1 and frame.endswith(b"\n\n")
    (message,) = parsed(frame, chunk)
    assert (message.id, message.event) == ("abcd1234-7", kind.value)
    envelope = json.loads(message.data or "")
    assert envelope["type"] == kind.value and envelope["data"] == data
