"""What following many instances costs: one instance (C) following 20 remotes of 500 apps each.

The remotes are real startpunkt apps (`create_app`, their catalogs filled with generated
applications), served by gevent's WSGI server in this (patched) benchmark process on 127.0.0.1,
one port each. C is the real server: gunicorn, one gevent worker, following all of them over
HTTP with the product's remote source. Its worker's CPU and RSS are read from /proc, so the
remotes' own work in this process never counts against it.

1. Time to the first full page: from spawning C until `/q/health/ready` answers, until
   `/api/apps` lists every remote application, and the render of `/` with all of them. The
   same is measured, in the same run, for an instance reading the same number of applications
   from local manifest files (L): the ratio says what following costs against reading.
2. The CPU cost of a change: one application of one remote changes (round robin over the
   remotes), and the time until a client of C's own stream sees it; C's worker CPU over the
   changes, minus its idle CPU over as long, divided by the changes.
3. Memory: C's worker RSS once synced against an instance with no remotes and nothing to show
   (E), both after start-up and a short settle.

    python bench/multi_bench.py [--remotes 20] [--apps 500] [--changes 200]
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402 - after patching, as in app.py
import dataclasses  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import shlex  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402
import yaml  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from startpunkt import config, create_app, model, runtime  # noqa: E402
from testkit import items, live, multi, remote  # noqa: E402
from testkit.live import Server  # noqa: E402

CLK_TCK = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
GROUPS = 10
DEBOUNCE_MS = 50


def remote_app(index: int, apps: int) -> Any:
    """Remote number `index`: a startpunkt app whose catalog holds `apps` applications."""
    name = f"r{index:02d}"
    settings = config.from_mapping(
        {
            "startpunkt": {
                "clusters": {"local": {"name": name}},
                "realtime": {"eventDebounceMs": DEBOUNCE_MS, "maxConnectionsPerClient": 100},
            }
        },
        {},
    )
    app = create_app(settings, start=False)
    catalog = runtime.get(app).catalog
    catalog.replace(
        "file:bench",
        [dataclasses.replace(application(n), cluster=name) for n in range(apps)],
    )
    return app


def application(n: int, info: str | None = None) -> model.Application:
    """One generated application, as an annotated Ingress would map."""
    return items.application(
        f"App {n:04d}",
        f"Group {n % GROUPS}",
        resource_name=f"app-{n:04d}",
        source="Ingress",
        namespace="apps",
        url=f"https://app-{n:04d}.example.com",
        icon="mdi:application",
        info=info or f"Application number {n}",
        enabled=True,
    )


def manifests(directory: Path, count: int) -> None:
    """`count` Application resources in files of 500: what L reads."""
    directory.mkdir()
    for start in range(0, count, 500):
        documents = [
            {
                "apiVersion": "startpunkt.ullberg.us/v1alpha4",
                "kind": "Application",
                "metadata": {"name": f"app-{n:05d}", "namespace": "apps"},
                "spec": {
                    "name": f"App {n:05d}",
                    "group": f"Group {n % GROUPS}",
                    "url": f"https://app-{n:05d}.example.com",
                    "icon": "mdi:application",
                    "info": f"Application number {n}",
                },
            }
            for n in range(start, min(start + 500, count))
        ]
        (directory / f"apps-{start:05d}.yaml").write_text(yaml.safe_dump_all(documents))


def worker_pid(server: Server) -> int:
    """The one gunicorn worker of `server`."""
    assert server.process is not None
    master = server.process.pid
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        if children:
            return int(children[0])
        time.sleep(0.05)
    raise RuntimeError("no gunicorn worker")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def rss_mib(pid: int) -> float:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_SIZE / 2**20


def count_apps(server: Server, path: str = "/api/apps") -> int:
    try:
        with urllib.request.urlopen(server.url + path, timeout=30) as response:
            body = json.loads(response.read())
    except OSError:
        return -1
    return sum(len(g["applications"]) for g in body["groups"])


def ready(server: Server) -> bool:
    try:
        with urllib.request.urlopen(server.url + "/q/health/ready", timeout=5) as response:
            return response.status == 200
    except OSError:
        return False


def until(condition: Any, timeout: float, what: str) -> float:
    """Seconds until `condition()` holds (polled every 20 ms, letting the remotes serve)."""
    began = time.monotonic()
    while not condition():
        if time.monotonic() - began > timeout:
            raise RuntimeError(f"not within {timeout}s: {what}")
        gevent.sleep(0.02)
    return time.monotonic() - began


def first_page(env: dict[str, str], log: Path, expected: int) -> dict[str, Any]:
    """Spawn a server; the times until ready, until it lists `expected` apps, and to render `/`."""
    server = Server(env, log_path=log)
    began = time.monotonic()
    server.start(timeout=120)  # live: gunicorn answers
    until(lambda: ready(server), 120, "ready")
    ready_after = time.monotonic() - began
    until(lambda: count_apps(server) == expected, 120, f"{expected} applications")
    listed_after = time.monotonic() - began
    rendered = time.monotonic()
    with urllib.request.urlopen(server.url + "/", timeout=60) as response:
        html = response.read()
    render = time.monotonic() - rendered
    assert html.count(b'class="grid__cell"') == expected, "the page does not show every card"
    return {
        "server": server,
        "ready": ready_after,
        "listed": listed_after,
        "render": render,
        "html": len(html),
    }


def changes(c: Server, remotes: list[Any], count: int) -> dict[str, float]:
    """`count` changes, round robin over the remotes; latency to C's stream client, C's CPU."""
    stream = StreamClient(c)
    pid = worker_pid(c)
    latencies: list[float] = []
    gevent.sleep(1.0)
    idle_began, idle_cpu = time.monotonic(), cpu_seconds(pid)
    gevent.sleep(3.0)
    idle_rate = (cpu_seconds(pid) - idle_cpu) / (time.monotonic() - idle_began)
    began, cpu = time.monotonic(), cpu_seconds(pid)
    for k in range(count):
        index, n = k % len(remotes), (k // len(remotes)) % 500
        info = f"changed {k}"
        catalog = runtime.get(remotes[index]).catalog
        item = dataclasses.replace(application(n, info=info), cluster=f"r{index:02d}")
        sent = time.monotonic()
        catalog.put("file:bench", item)
        stream.wait_for(info.encode())
        latencies.append(time.monotonic() - sent)
    elapsed = time.monotonic() - began
    used = cpu_seconds(pid) - cpu - idle_rate * elapsed
    stream.close()
    latencies.sort()
    return {
        "cpu_per_change_ms": used / count * 1000,
        "idle_cpu_percent": idle_rate * 100,
        "p50_ms": statistics.median(latencies) * 1000,
        "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "max_ms": latencies[-1] * 1000,
    }


class StreamClient:
    """A raw SSE client of C's page stream, reading until a byte string appears."""

    def __init__(self, server: Server) -> None:
        import socket

        self.sock = socket.create_connection(("127.0.0.1", server.port))
        self.sock.sendall(b"GET /api/updates/stream HTTP/1.1\r\nHost: x\r\n\r\n")
        self.buffer = b""

    def wait_for(self, needle: bytes, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while needle not in self.buffer:
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            data = self.sock.recv(65536)
            if not data:
                raise RuntimeError("C's stream ended")
            self.buffer += data
            if time.monotonic() > deadline:
                raise RuntimeError(f"{needle!r} not seen")
        self.buffer = self.buffer[self.buffer.index(needle) + len(needle) :]

    def close(self) -> None:
        self.sock.close()


def settled_rss(server: Server) -> float:
    pid = worker_pid(server)
    gevent.sleep(3.0)
    return rss_mib(pid)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--remotes", type=int, default=20)
    parser.add_argument("--apps", type=int, default=500, help="applications per remote")
    parser.add_argument("--changes", type=int, default=200)
    parser.add_argument("--keep", type=Path, help="a new directory to keep the servers' logs in")
    args = parser.parse_args()
    total = args.remotes * args.apps
    print(f"command: python {shlex.join(['bench/multi_bench.py', *sys.argv[1:]])}")
    print(
        f"machine: nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"{platform.machine()}, Linux {platform.release()}, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} before"
    )
    made = time.monotonic()
    remotes = [remote_app(i, args.apps) for i in range(args.remotes)]
    served = [remote.Served(app).start() for app in remotes]
    print(
        f"{args.remotes} remotes of {args.apps} applications ready in this process "
        f"({time.monotonic() - made:.1f} s)"
    )
    started: list[Server] = []
    with tempfile.TemporaryDirectory(prefix="multi-bench-") as tmp:
        work = Path(tmp)
        if args.keep:
            args.keep.mkdir(parents=True)
            work = args.keep
        fast = {"STARTPUNKT_REALTIME_EVENTDEBOUNCEMS": str(DEBOUNCE_MS)}
        try:
            empty = work / "empty"
            empty.mkdir()
            e_env = multi.following(work / "e.yaml", {}, name="e", manifests=empty)
            e = Server({**e_env, **fast}, log_path=work / "e.log").start(timeout=120, ready=True)
            started.append(e)
            e_rss = settled_rss(e)

            c_env = multi.following(
                work / "c.yaml",
                {f"r{i:02d}": s.url for i, s in enumerate(served)},
                name="c",
                manifests=empty,
            )
            c_run = first_page({**c_env, **fast}, work / "c.log", total)
            c = c_run["server"]
            started.append(c)
            c_rss = settled_rss(c)

            local = work / "local"
            manifests(local, total)
            l_env = {**live.files_env(local), **fast}
            l_run = first_page(l_env, work / "l.log", total)
            started.append(l_run["server"])
            l_run["server"].stop()

            cost = changes(c, remotes, args.changes)
        finally:
            for server in started:
                server.stop()
            for s in served:
                s.stop()

    print()
    print(f"time to the first full page ({total:,} applications):")
    print("| instance | ready | all listed in /api/apps | render of / | page size |")
    print("|---|---:|---:|---:|---:|")
    for label, run in (
        (f"C, following {args.remotes} remotes of {args.apps}", c_run),
        (f"L, reading {total:,} from manifest files", l_run),
    ):
        print(
            f"| {label} | {run['ready']:.2f} s | {run['listed']:.2f} s | "
            f"{run['render'] * 1000:.0f} ms | {run['html'] / 2**20:.1f} MiB |"
        )
    print(f"C/L, all listed: {c_run['listed'] / l_run['listed']:.2f}x")
    print()
    print(
        f"a change on one remote, {args.changes} of them round robin "
        f"(eventDebounceMs {DEBOUNCE_MS} on both sides):"
    )
    print(
        f"  C worker CPU per change: {cost['cpu_per_change_ms']:.2f} ms "
        f"(idle: {cost['idle_cpu_percent']:.1f} % of a CPU, subtracted)"
    )
    print(
        f"  remote change → C's stream client: p50 {cost['p50_ms']:.0f} ms, "
        f"p99 {cost['p99_ms']:.0f} ms, max {cost['max_ms']:.0f} ms"
    )
    print()
    print("memory (worker RSS, settled):")
    print(f"  E, no remotes, nothing shown: {e_rss:.1f} MiB")
    print(
        f"  C, {total:,} followed applications: {c_rss:.1f} MiB "
        f"(+{c_rss - e_rss:.1f} MiB, {(c_rss - e_rss) * 2**20 / total:,.0f} bytes/application)"
    )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
