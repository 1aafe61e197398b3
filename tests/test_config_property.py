"""Property: the configuration loader gives valid settings or one line naming the key, never more.

Documents and environments are drawn from the schema's own keys with values of every shape
(numbers of any size and sign, strings with line breaks, lists, mappings, nulls); whatever
comes in, `from_mapping` returns Settings whose every value its rule allows, or raises a
ConfigError of one line that names a key. No other exception escapes.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from startpunkt import config

hypothesis = pytest.importorskip("hypothesis")
st = hypothesis.strategies

KEYS = [path for path, _ in config.schema_keys()]
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(-(10**12), 10**12)
    | st.integers().map(lambda n: n * 10**40)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(["0s", "-1", "1h", "PT0S", "http", "ftp", "en-US", "#fff", "url(x)", "1e999"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=6,
)


def nest(path: str, value: Any, doc: dict[str, Any]) -> None:
    *parents, last = path.split(".")
    for part in parents:
        doc = doc.setdefault(part, {}) if isinstance(doc.get(part, {}), dict) else {}
    doc[last] = value


@st.composite
def documents(draw: Any) -> tuple[dict[str, Any], dict[str, str]]:
    doc: dict[str, Any] = {}
    for path in draw(st.lists(st.sampled_from(KEYS), max_size=4)):
        nest(path, draw(VALUES), doc)
    env = {
        config.env_name(path): draw(st.text(max_size=12) | st.sampled_from(["0", "-5", "true"]))
        for path in draw(st.lists(st.sampled_from(KEYS), max_size=2))
    }
    return doc, env


def rules_hold(settings: Any, kind: Any = config.Settings) -> None:
    """Every value of `settings` passes its key's rule (after normalisation)."""
    for f in dataclasses.fields(kind):
        value = getattr(settings, f.name)
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            rules_hold(value, type(value))
            continue
        rule = f.metadata.get("rule")
        if rule is not None and value is not None:
            assert rule.check(value), (f.name, value)


@hypothesis.settings(max_examples=400, deadline=None, database=None)
@hypothesis.given(given=documents())
def test_the_loader_gives_valid_settings_or_one_line(given) -> None:
    doc, env = given
    try:
        settings = config.from_mapping(doc, env)
    except config.ConfigError as exc:
        message = str(exc)
        assert "\n" not in message and len(message) < 600
        assert message.startswith(("startpunkt", "configuration", "STARTPUNKT")), message
        return
    rules_hold(settings)
    limit = config.open_files_limit()
    if limit is not None:
        assert settings.realtime.max_connections <= config.stream_ceiling(limit)
