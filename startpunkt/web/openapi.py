"""The OpenAPI 3.1 description of the HTTP API, served at `/q/openapi`.

The document is written by hand in `openapi.yaml` beside this module, so one file shows the
whole API to a reader; here it is loaded once and rendered as YAML or JSON with the running
version filled in.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import yaml

YAML = "application/yaml"

_SOURCE = Path(__file__).with_name("openapi.yaml")
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


@functools.cache
def document() -> dict[str, Any]:
    """The document as written (shared: do not modify)."""
    return yaml.load(_SOURCE.read_text(encoding="utf-8"), Loader=_LOADER)


@functools.lru_cache(maxsize=8)
def render(fmt: str, version: str, root: str = "") -> tuple[bytes, str]:
    """The document as `fmt` ("yaml" or "json") for release `version`, and its media type;
    served under a root path, the document names it as its server so its paths resolve."""
    doc = copy.deepcopy(document())
    doc["info"]["version"] = version
    if root:
        doc["servers"] = [{"url": root}]
    if fmt == "json":
        return json.dumps(doc, ensure_ascii=False, indent=2).encode(), "application/json"
    text = yaml.dump(doc, Dumper=_DUMPER, sort_keys=False, allow_unicode=True)
    return text.encode(), YAML
