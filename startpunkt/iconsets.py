"""Icon sets the app serves itself, so `mdi:` and `simple-icons:` icons draw without internet.

The data is the Iconify JSON of each set as npm publishes it (`@iconify-json/<set>`), installed
next to the app by `npm ci` (never committed): `node_modules/@iconify-json/<set>/icons.json`.
Every set found there is served; a set is parsed on its first use. Each set has a token, the
hash of its file, which goes into the icons' URLs: a URL names one content forever, so browsers
may cache it for a year. Pure: no web framework, no greenlets.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCOPE = "@iconify-json"
"""The npm scope of the sets: `node_modules/@iconify-json/<set>/icons.json`."""

_DEFAULTS = {"left": 0, "top": 0, "width": 16, "height": 16}
"""Iconify's defaults for a view box, when neither the icon nor its set gives one."""
_MAX_ALIAS_DEPTH = 8


def _number(value: float) -> str:
    """A view box number as Iconify writes it: `24`, not `24.0`."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(eq=False)
class IconSet:
    """One installed set; its icons are read from `path` when first asked for."""

    prefix: str
    path: Path
    token: str
    _data: dict[str, Any] | None = field(default=None, repr=False)

    def data(self) -> dict[str, Any]:
        """The parsed icons.json (shared: do not modify)."""
        if self._data is None:  # reading a file never yields to another greenlet: no lock
            self._data = json.loads(self.path.read_bytes())
        return self._data

    def svg(self, name: str) -> bytes | None:
        """The icon `name` as a standalone SVG document, or None when the set has no such icon."""
        icon = _resolve(self.data(), name)
        return None if icon is None else render(icon)


def _resolve(data: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The icon with its view box filled in and its aliases' transformations merged."""
    icons, aliases = data.get("icons", {}), data.get("aliases", {})
    chain: list[Mapping[str, Any]] = []
    while name not in icons:
        alias = aliases.get(name)
        if not isinstance(alias, Mapping) or len(chain) >= _MAX_ALIAS_DEPTH:
            return None
        chain.append(alias)
        name = alias.get("parent", "")
    base = icons[name]
    if not isinstance(base, Mapping) or not isinstance(base.get("body"), str):
        return None
    icon: dict[str, Any] = {key: data.get(key, default) for key, default in _DEFAULTS.items()}
    icon.update({"rotate": 0, "hFlip": False, "vFlip": False})
    for layer in [base, *reversed(chain)]:
        for key in ("left", "top", "width", "height", "body"):
            if key in layer:
                icon[key] = layer[key]
        icon["rotate"] = (icon["rotate"] + int(layer.get("rotate", 0))) % 4
        icon["hFlip"] ^= bool(layer.get("hFlip", False))
        icon["vFlip"] ^= bool(layer.get("vFlip", False))
    return icon


def render(icon: Mapping[str, Any]) -> bytes:
    """An SVG document for a resolved icon, with flips and rotation as Iconify applies them."""
    left, top = icon["left"], icon["top"]
    width, height = icon["width"], icon["height"]
    body: str = icon["body"]
    rotate, transforms = icon["rotate"], []
    if icon["hFlip"] and icon["vFlip"]:
        rotate = (rotate + 2) % 4
    elif icon["hFlip"]:
        transforms += [f"translate({_number(width + left)} {_number(-top)})", "scale(-1 1)"]
        left = top = 0
    elif icon["vFlip"]:
        transforms += [f"translate({_number(-left)} {_number(height + top)})", "scale(1 -1)"]
        left = top = 0
    if rotate == 1:
        centre = _number(height / 2 + top)
        transforms.insert(0, f"rotate(90 {centre} {centre})")
    elif rotate == 2:
        cx, cy = _number(width / 2 + left), _number(height / 2 + top)
        transforms.insert(0, f"rotate(180 {cx} {cy})")
    elif rotate == 3:
        centre = _number(width / 2 + left)
        transforms.insert(0, f"rotate(-90 {centre} {centre})")
    if rotate % 2:
        left, top, width, height = top, left, height, width
    if transforms:
        body = f'<g transform="{" ".join(transforms)}">{body}</g>'
    box = " ".join(_number(v) for v in (left, top, width, height))
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_number(width)}" '
        f'height="{_number(height)}" viewBox="{box}">{body}</svg>'
    ).encode()


def discover(modules: Path) -> dict[str, IconSet]:
    """Every set installed in `modules` (a `node_modules`), by prefix; empty when none is."""
    found: dict[str, IconSet] = {}
    directory = modules / SCOPE
    for path in sorted(directory.glob("*/icons.json")) if directory.is_dir() else ():
        prefix = path.parent.name
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        found[prefix] = IconSet(prefix=prefix, path=path, token=digest)
    return found
