"""What may reach a client as a link URL, a CSS colour or an icon: one rule each.

Annotation and resource authors are not trusted. The mappers drop, with a problem, every value
these rules refuse, so REST, events and the page never carry one; the page applies them again
as it renders. `static/js/cards.js` mirrors them for the cards it builds (the parity tests
compare both sides), so the patterns here use nothing JavaScript reads differently.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

_URL_BANNED = re.compile(
    r'[\x00-\x20\x7f-\xa0\u1680\u2000-\u200f\u2028-\u202f\u205f\u2066-\u2069\u3000\ufeff\\<>"`]'
)
"""Control characters, white space (browsers silently drop some, which hides a scheme), zero-width
and bidirectional controls (which make a link read other than it goes), and characters that
are never valid unencoded in a URL."""
_SAFE_URL = re.compile(
    r"https?://((?:[^/?#@]*@)?(?:[^/?#@:\[\]]+|\[[0-9a-f:.]+\])(?::([0-9]*))?)(?:[/?#].*)?",
    re.IGNORECASE | re.ASCII,
)
"""An absolute http(s) URL with a host (group 1: the authority, group 2: the port)."""
_MAX_PORT = 65535

_COLOR = re.compile(r"#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,30}|(?:rgb|hsl)a?\([0-9.,%/+ \t\n\r\f-]{1,60}\)")
"""Hex, a colour name, rgb()/hsl(): nothing that could end a CSS declaration or load a URL."""

_ICON_NAME = re.compile(r"[A-Za-z0-9][\w.-]*(?::[A-Za-z0-9][\w.-]*)?", re.ASCII)
"""`home`, `mdi:home-assistant`, `simple-icons:github`, Homepage's `sonarr.png`: names a client
looks up (no slash, no space, nothing that could become a path or a URL)."""
_ICON_PART = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
"""One part of `set:name` the page draws from Iconify, lower-cased: safe in a URL path as it is."""
ICONIFY = "https://api.iconify.design"
MASK_SETS = frozenset({"mdi", "simple-icons"})
"""Monochrome icon sets: drawn as a mask so they take the card's colour in either theme."""


def url(value: str | None) -> str | None:
    """`value` if it is an absolute http(s) URL with a host, else None.

    The authority must read the same after Unicode normalisation: one that does not could lead
    somewhere other than it reads.
    """
    if not value or _URL_BANNED.search(value):
        return None
    match = _SAFE_URL.fullmatch(value)
    if match is None or int(match[2] or 0) > _MAX_PORT:
        return None
    if unicodedata.normalize("NFKC", match[1]) != match[1]:
        return None
    return value


def color(value: str | None) -> str | None:
    """`value` trimmed, if it is a CSS colour that cannot break out of a declaration."""
    value = (value or "").strip()
    return value if _COLOR.fullmatch(value) else None


def icon(value: str | None) -> str | None:
    """`value` if a client may be handed it as an icon: a name to look up, or an image URL."""
    value = (value or "").strip()
    return value if value and (_ICON_NAME.fullmatch(value) or url(value)) else None


def icon_source(
    icon: str | None, local: Mapping[str, str] | None = None
) -> tuple[str, str, str | None] | None:
    """`(url, "mask"|"img", fallback)` to draw an icon from: an image URL, `set:name`, or a bare
    mdi name. A set in `local` (set → URL prefix of the icons the app serves) is drawn from there,
    with Iconify's CDN as the fallback for a name the installed data lacks; else from the CDN."""
    icon = (icon or "").strip()
    if not icon:
        return None
    if url(icon):
        return icon, "img", None
    prefix, _, name = icon.lower().rpartition(":")
    prefix = prefix or "mdi"
    if not (_ICON_PART.fullmatch(prefix) and _ICON_PART.fullmatch(name)):
        return None
    mode = "mask" if prefix in MASK_SETS else "img"
    cdn = f"{ICONIFY}/{prefix}/{name}.svg"
    base = (local or {}).get(prefix)
    return (f"{base}/{name}.svg", mode, cdn) if base else (cdn, mode, None)
