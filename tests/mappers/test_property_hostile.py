"""Property: hostile field values give valid items or problems, never an exception or a leak.

The inputs issue 12 tried by hand, drawn at random and combined: very long strings, thousands
of digits, CR/LF/U+2028, `\\n\\nevent: RESYNC`, `javascript:`/`data:`/`vbscript:` URLs,
CSS that loads or runs something. Whatever an annotation or a spec holds, `map_object` returns;
every text field is within `limits.maxFieldLength`; only http(s) URLs and plain colours pass;
every reason is short; and the item's event is one SSE message.
"""

from __future__ import annotations

from typing import Any

import pytest

from startpunkt import config, mappers, model, safe
from startpunkt.events import payloads
from startpunkt.mappers import annotated
from testkit.sse import Decoder

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

SETTINGS = config.from_mapping({"startpunkt": {"limits": {"maxFieldLength": 100}}}, {})
LIMIT = SETTINGS.limits.max_field_length
PIECES = st.sampled_from(
    [
        "\r",
        "\n",
        "\u2028",
        "\u202e",
        "\x00",
        "\n\nevent: RESYNC\ndata: {}\n\n",
        "javascript:alert(1)",
        "data:text/html,<script>",
        "vbscript:msgbox(1)",
        "https://ok.example.com/",
        "url(//evil.example/x)",
        "expression(alert(1))",
        "mdi:home",
        "#ff8800",
        "9" * 50,
    ]
)
HOSTILE = (
    st.lists(PIECES | st.text(max_size=10), max_size=5).map("".join)
    | st.integers(1, 6000).map(lambda n: "7" * n)
    | st.integers(50, 400).map(lambda n: "界" * n)
    | st.integers(-(10**30), 10**30)
    | st.sampled_from([None, True, 1.5, float("inf")])
)
KEYS = sorted({key for keys in annotated.KEYS.values() for key in keys})
SPEC_KEYS = ["name", "group", "url", "icon", "iconColor", "info", "targetBlank", "location", "tags"]
KINDS = st.sampled_from(
    [
        ("networking.k8s.io/v1", "Ingress"),
        ("traefik.io/v1alpha1", "IngressRoute"),
        ("startpunkt.ullberg.us/v1alpha4", "Application"),
        ("startpunkt.ullberg.us/v1alpha4", "Bookmark"),
        ("hajimari.io/v1alpha1", "Application"),
    ]
)


@st.composite
def objects(draw: Any) -> dict[str, Any]:
    api_version, kind = draw(KINDS)
    annotations = draw(st.dictionaries(st.sampled_from(KEYS), HOSTILE, max_size=8))
    annotations["startpunkt.ullberg.us/enable"] = "true"
    spec = draw(st.dictionaries(st.sampled_from(SPEC_KEYS), HOSTILE, max_size=9))
    spec.setdefault("rules", [{"host": "web.example.com"}])
    spec.setdefault("routes", [{"match": draw(HOSTILE | st.just("Host(`web.example.com`)"))}])
    name = draw(st.sampled_from(["web", "w" * 300]) | st.text(max_size=8))
    return {
        "apiVersion": api_version,
        "kind": kind,
        "metadata": {"name": name, "namespace": "apps", "annotations": annotations},
        "spec": spec,
    }


TEXT_FIELDS = ("name", "group", "info", "icon", "tags", "root_path", "url")


@hypothesis.settings(max_examples=300, deadline=None, database=None)
@hypothesis.given(obj=objects())
def test_hostile_values_give_bounded_safe_items(obj: dict[str, Any]) -> None:
    mapped = mappers.map_object(obj, SETTINGS)
    assert all(len(p.reason) < 400 and len(p.name) <= 253 for p in mapped.problems)
    for item in mapped.items:
        for field in TEXT_FIELDS:
            value = getattr(item, field, None)
            assert value is None or len(value) <= LIMIT, (field, len(value))
        assert item.url is None or safe.url(item.url)
        if isinstance(item, model.Application):
            assert item.icon_color is None or safe.color(item.icon_color) == item.icon_color
        assert -(2**31) <= item.location < 2**31
        kind = payloads.EventType.APPLICATION_ADDED
        frame = payloads.frame(kind, payloads.payload(kind, item), event_id="e-1")
        (message,) = Decoder().feed(frame)
        assert message.event == kind.value
