"""Hostile manifests against the real server: it stays up, serves the rest, and frames stay whole.

Findings 1, 2 and 9 of issue 12 as an operator meets them, under gunicorn with a gevent worker:
an alias bomb (which took the worker to 2 GB and a SIGKILL), 5,000 nested brackets and a
5,000-digit integer (which emptied the catalog and kept readiness 503 for good), a 1 MB
annotation, binary and non-UTF-8 files, symlinks out of the directory; and names, infos and
URLs holding CR, LF, U+2028, `\\n\\nevent: RESYNC` or `javascript:`/`data:`/`vbscript:`. The
worker keeps its pid and a small RSS, readiness says 200 with every good application, every
SSE frame parses with no injected event, and each bad file is named once in the log.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from testkit import hostile, load, wait
from testkit.live import Server, apps, get_json, ingress_yaml

INJECTED = """\
apiVersion: startpunkt.ullberg.us/v1alpha4
kind: Application
metadata: {{name: {name}}}
spec:
  name: "{text}"
  info: "{text}"
  group: "{text}"
  tags: "{text}"
  url: "{url}"
"""
TEXTS = [
    "Evil\\r\\nevent: RESYNC\\r\\ndata: {}\\r\\n\\r\\n",
    "Evil\\n\\nevent: RESYNC\\ndata: x\\n\\n",
    "Evil\\u2028event: RESYNC\\u2029",
    "Evil\\rid: 1-1\\r\\r",
]
URLS = [
    "javascript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "https://\\u2028evil.example.com/",
]
GOOD = ["Plex", *(f"Good {i}" for i in range(7))]
TYPES = {
    "APPLICATION_ADDED",
    "APPLICATION_UPDATED",
    "APPLICATION_REMOVED",
    "BOOKMARK_ADDED",
    "BOOKMARK_UPDATED",
    "BOOKMARK_REMOVED",
    "CONFIG_CHANGED",
    "STATUS_CHANGED",
    "HEARTBEAT",
}


def write_bad(directory: Path, outside: Path) -> list[str]:
    """The hostile files; their names (each must be logged exactly once)."""
    bad = {
        "bomb.yaml": hostile.BOMB,
        "deep.yaml": "[" * 5000 + "]" * 5000,
        "digits.yaml": "kind: Ingress\napiVersion: networking.k8s.io/v1\nx: " + "9" * 5000,
        "huge.yaml": "- item\n" * (4 * 1024 * 1024 // 7),
    }
    for name, text in bad.items():
        (directory / name).write_text(text)
    (directory / "latin1.yaml").write_bytes("name: Gr\xf6\xdfe\n".encode("latin-1"))
    (directory / "binary.yaml").write_bytes(os.urandom(4096))
    (outside / "secret.yaml").write_text(ingress_yaml("secret", "Secret"))
    (directory / "out.yaml").symlink_to(outside / "secret.yaml")
    return [*bad, "latin1.yaml", "binary.yaml", "out.yaml"]


def write_injected(directory: Path) -> None:
    for i, (words, url) in enumerate(zip(TEXTS, URLS, strict=True)):
        (directory / f"injected{i}.yaml").write_text(
            INJECTED.format(name=f"inj{i}", text=words, url=url)
        )
    long_info = "x" * 1_000_000
    (directory / "long.yaml").write_text(
        ingress_yaml("long", "Long").replace(
            "startpunkt.ullberg.us/group: Media",
            f"startpunkt.ullberg.us/group: Media\n    startpunkt.ullberg.us/info: {long_info}",
        )
    )


def test_hostile_manifests_cost_nothing_but_themselves(
    serve: Callable[..., Server], manifests: Path, tmp_path: Path, live: SimpleNamespace
) -> None:
    for i in range(7):
        (manifests / f"good{i}.yaml").write_text(ingress_yaml(f"good{i}", f"Good {i}"))
    outside = tmp_path / "outside"
    outside.mkdir()
    bad = write_bad(manifests, outside)

    server = serve()  # started with the hostile files already there (a restart, finding 2)
    wait.wait_for(lambda: get_json(server.url + "/q/health/ready")[0] == 200, timeout=20)
    assert sorted(apps(server)) == sorted(GOOD)
    (worker,) = server.worker_pids()

    stream = live.stream(server.port)
    stream.until(lambda m: m.event == "HEARTBEAT", timeout=10)
    write_injected(manifests)
    (manifests / "bomb2.yaml").write_text(hostile.BOMB)
    added: list[dict] = []
    deadline = time.monotonic() + 15
    while len(added) < 5 and time.monotonic() < deadline:
        message = stream.next(timeout=max(0.1, deadline - time.monotonic()))
        assert message.event in TYPES, message  # no RESYNC, no event a payload made up
        if message.event == "APPLICATION_ADDED":
            envelope = json.loads(message.data or "")
            assert envelope["type"] == "APPLICATION_ADDED"
            added.append(envelope["data"])
    assert len(added) == 5
    for app in added:
        assert app.get("url") is None or app["url"].startswith(("http://", "https://"))
        for field in ("name", "info", "group", "tags"):
            assert len(app.get(field, "")) <= 2048
    served = apps(server)
    assert len(served) == len(GOOD) + 1  # plus Long; the injected ones are tagged
    assert all(url is None or url.startswith(("http://", "https://")) for url in served.values())

    assert server.worker_pids() == [worker]  # the same worker all along
    assert load.rss(worker) < 300 * 2**20
    stream.close()
    server.stop()
    log = (tmp_path / "server0.log").read_text(errors="replace")
    for name in [*bad, "bomb2.yaml"]:
        assert log.count(str(manifests / name)) == 1, (name, log[-3000:])
    assert "Traceback" not in log
