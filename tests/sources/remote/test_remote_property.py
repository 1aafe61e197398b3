"""Property: a remote instance's stream and JSON give valid items or nothing, never an exception.

The remote-stream parser (`startpunkt.sse.Decoder`) gets arbitrary bytes cut at arbitrary
places (invalid UTF-8, lone CRs, NULs, `\\n\\nevent: RESYNC` inside data, endless lines): it
never raises and every message it returns is text within its caps. What our own server sends
parses back to exactly the same messages. The remote mapper (`mappers.remote`) gets arbitrary
JSON where an item should be: it returns items whose every field is within its cap and whose
URL is http(s), or none, with a short reason.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from startpunkt import model, safe, sse
from startpunkt.events import payloads
from startpunkt.mappers import remote
from testkit import items

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

NASTY = st.sampled_from(
    [
        b"\r",
        b"\n",
        b"\r\n",
        b"\x00",
        b"\xff\xfe",
        b"\xe2\x80\xa8",
        b"\n\nevent: RESYNC\ndata: {}\n\n",
        b"data: ",
        b"id: 1-1\n",
        b"retry: 99999999999999999999\n",
        b":comment\n",
        b"\xef\xbb\xbf",
        b"x" * 3000,
    ]
)
STREAMS = st.lists(NASTY | st.binary(max_size=40), max_size=30).map(b"".join)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
FIELD_VALUES = (
    JSON
    | st.sampled_from(["javascript:alert(1)", "https://ok.example.com", "url(//x)", "\u2028"])
    | st.integers(1, 5000).map(lambda n: "y" * n)
)
KEYS = [*remote.CAPS, "targetBlank", "location", "enabled", "available", "cluster"]


@hypothesis.settings(max_examples=300, deadline=None, database=None)
@hypothesis.given(data=STREAMS, cut=st.integers(1, 512))
def test_the_stream_parser_takes_any_bytes(data: bytes, cut: int) -> None:
    decoder = sse.Decoder(max_line=1024, max_data=4096)
    for start in range(0, len(data), cut):
        for message in decoder.feed(data[start : start + cut]):
            assert message.oversize or len(message.data or "") <= 4096 + 1024
            assert message.oversize == (message.data is None)
            assert not {"\n", "\r"} & set(message.event + message.id)


@hypothesis.settings(max_examples=100, deadline=None, database=None)
@hypothesis.given(name=st.text(max_size=30), info=st.text(max_size=30), cut=st.integers(1, 64))
def test_our_frames_parse_back_to_the_same_messages(name: str, info: str, cut: int) -> None:
    item = items.application(name or "x", "g", info=info, url="https://a.example.com")
    kind = payloads.EventType.APPLICATION_UPDATED
    frame = payloads.frame(kind, payloads.payload(kind, item), event_id="abcd1234-9")
    decoder = sse.Decoder()
    messages = [m for i in range(0, len(frame), cut) for m in decoder.feed(frame[i : i + cut])]
    (message,) = messages
    assert (message.event, decoder.last_event_id) == (kind.value, "abcd1234-9")
    assert json.loads(message.data)["data"] == model.to_json(item)


@st.composite
def remote_items(draw: Any) -> Any:
    if draw(st.integers(0, 9)) == 0:
        return draw(JSON)
    base = {"id": "ingress/media/plex", "name": "Plex", "group": "Media"}
    extra = draw(st.dictionaries(st.sampled_from(KEYS), FIELD_VALUES, max_size=8))
    return {**base, **extra}


@hypothesis.settings(max_examples=300, deadline=None, database=None)
@hypothesis.given(obj=remote_items(), bookmark=st.booleans())
def test_the_remote_mapper_takes_any_json(obj: Any, bookmark: bool) -> None:
    build = remote.bookmark if bookmark else remote.application
    mapped = build(obj, cluster="west")
    assert all(len(p.reason) < 400 for p in mapped.problems)
    for item in mapped.items:
        assert item.url is None or safe.url(item.url)
        for field, cap in (("name", 256), ("group", 256), ("info", 1024), ("icon", 2048)):
            value = getattr(item, field)
            assert value is None or len(value) <= cap
        json.dumps(model.to_json(item), ensure_ascii=False).encode("utf-8")
