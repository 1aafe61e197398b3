"""Translations of the page's texts: one JSON file per language tag (en-US, sv-SE, de-DE).

The files are read once, from this package's directory; a request only chooses among the tags
loaded, so a language named in a URL never becomes a file path. Keys follow the reference UI's
(`home.applications`, `search.placeholder`, ...); texts may hold `{{placeholders}}` in the
preact-i18n syntax that UI used, filled in by whoever shows them (`text` does it on the server).
"""

from __future__ import annotations

import functools
import json
import re
from pathlib import Path
from typing import Any

FALLBACK = "en-US"
"""Answered when neither the requested nor the configured default language is available."""

_DIRECTORY = Path(__file__).resolve().parent
_TAG = re.compile(r"([A-Za-z]{2})(?:-([A-Za-z]{2}))?")
_FIELD = re.compile(r"\{\{\s*(\w+)\s*\}\}")


@functools.cache
def _loaded() -> dict[str, tuple[dict[str, Any], bytes]]:
    """Every translation by tag: the parsed messages and their compact JSON."""
    loaded: dict[str, tuple[dict[str, Any], bytes]] = {}
    for path in sorted(_DIRECTORY.glob("*.json")):
        messages = json.loads(path.read_text(encoding="utf-8"))
        body = json.dumps(messages, ensure_ascii=False, separators=(",", ":")).encode()
        loaded[path.stem] = (messages, body)
    return loaded


def languages() -> tuple[str, ...]:
    """The language tags available, e.g. `("de-DE", "en-US", "sv-SE")`."""
    return tuple(_loaded())


def normalise(tag: str | None) -> str | None:
    """`sv-se` → `sv-SE`, `SV` → `sv`; None unless `tag` looks like `xx` or `xx-YY`."""
    match = _TAG.fullmatch(tag or "")
    if match is None:
        return None
    language, region = match.groups()
    return f"{language.lower()}-{region.upper()}" if region else language.lower()


def _match(tag: str | None) -> str | None:
    """The loaded tag for `tag`: the same tag, else the first one of the same language."""
    wanted = normalise(tag)
    if wanted is None:
        return None
    if wanted in _loaded():
        return wanted
    language = wanted.split("-")[0]
    return next((t for t in _loaded() if t.split("-")[0] == language), None)


def resolve(requested: str | None, default: str) -> str:
    """The loaded tag that answers `requested`: itself or its language, else `default`'s."""
    return _match(requested) or _match(default) or FALLBACK


def messages(tag: str) -> dict[str, Any]:
    """The nested messages of a loaded tag (shared: do not modify)."""
    return _loaded()[tag][0]


def body(tag: str) -> bytes:
    """The messages of a loaded tag as compact UTF-8 JSON, serialised once."""
    return _loaded()[tag][1]


def text(tag: str, key: str, **fields: object) -> str:
    """The text at dotted `key` in `tag` (else in en-US, else the key), placeholders filled."""
    for source in (tag, FALLBACK):
        node: Any = _loaded().get(source, ({}, b""))[0]
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, str):
            return _FIELD.sub(lambda m: str(fields.get(m.group(1), m.group(0))), node)
    return key
