"""One huge object does not become a huge event on every stream.

Issue 12, finding 9: a 1 MB annotation became a 6.3 MB event sent to every client (ASCII-only
JSON writes each non-ASCII character as a 6- or 12-byte escape). Field lengths are capped where
objects are mapped; the stream side bounds what one event may be (`realtime.maxEventBytes`,
64 KiB): anything larger goes out as RESYNC, and clients refetch through REST.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from testkit import live as live_server
from testkit.live import Server

MAX_EVENT_BYTES = 65_536


def test_a_megabyte_annotation_is_not_a_megabyte_event(
    serve: Callable[..., Server], manifests: Path, live: SimpleNamespace
) -> None:
    server = serve(EVENTDEBOUNCEMS="0")
    stream = live.stream(server.port)
    assert stream.head(timeout=30) == 200
    opening = stream.until(lambda m: m.event == "HEARTBEAT", timeout=30)
    if opening.id.endswith("-0"):
        stream.until(lambda m: m.event == "APPLICATION_ADDED", timeout=30)
    huge = ("é" * 1000 + "\U0001f600" * 250 + " ") * 350  # 1 MB of UTF-8
    assert len(huge.encode()) > 1_000_000
    head, _, rest = live_server.ingress_yaml("plex", "Plex").partition("  annotations:\n")
    text = f'{head}  annotations:\n    startpunkt.ullberg.us/info: "{huge}"\n{rest}'
    temporary = manifests / ".plex.yaml.tmp"
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, manifests / "plex.yaml")

    message = stream.until(lambda m: m.event not in (None, "HEARTBEAT"), timeout=30)
    assert len(message.data or "") <= MAX_EVENT_BYTES
    body = json.loads(message.data or "")
    if message.event == "RESYNC":  # too large to send: clients refetch it
        assert body["data"]["reason"] == "too_large"
    else:  # or cut short where it was mapped
        assert message.event == "APPLICATION_UPDATED"
        assert len(body["data"].get("info", "")) < len(huge)
    status, apps = live_server.get_json(server.url + "/api/apps")
    assert status == 200
    assert [a["name"] for g in apps["groups"] for a in g["applications"]] == ["Plex"]
