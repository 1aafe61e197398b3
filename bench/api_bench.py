"""How much a polling client costs: `/api/apps` answered in full (200) and revalidated (304).

Starts the real server (gunicorn, gevent worker) on a temporary manifest directory holding
generated, annotated Ingresses, waits until `/api/apps` lists all of them, then drives it from a
few keep-alive connections (one thread each) for a fixed time per case and prints requests/s,
latency percentiles, the 304/200 ratio, the machine and the command. Only 127.0.0.1 is used.

    python bench/api_bench.py [--apps 1000] [--duration 10] [--connections 4] [--workers 1]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shlex
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from testkit import live

GROUPS = (
    "Media",
    "Monitoring",
    "Home Automation",
    "Development",
    "Storage",
    "Network",
    "Security",
    "Productivity",
    "Games",
    "Infrastructure",
)
PER_FILE = 50


def write_manifests(directory: Path, count: int) -> None:
    """`count` opted-in Ingresses, PER_FILE documents to a file, spread over the groups."""
    for start in range(0, count, PER_FILE):
        docs = []
        for i in range(start, min(start + PER_FILE, count)):
            host = f"app-{i:04d}.bench.example"
            docs.append(f"""apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: app-{i:04d}
  namespace: ns-{i % 7}
  annotations:
    startpunkt.ullberg.us/enable: "true"
    startpunkt.ullberg.us/appName: "Application {i:04d}"
    startpunkt.ullberg.us/group: "{GROUPS[i % len(GROUPS)]}"
    startpunkt.ullberg.us/icon: "mdi:application"
    startpunkt.ullberg.us/info: "Generated application number {i} for the API benchmark"
    startpunkt.ullberg.us/location: "{i % 13}"
    startpunkt.ullberg.us/targetBlank: "true"
spec:
  tls:
    - hosts: [{host}]
  rules:
    - host: {host}
      http:
        paths:
          - path: /
            pathType: Prefix
            backend:
              service:
                name: app-{i:04d}
                port:
                  number: 80
""")
        (directory / f"ingresses-{start // PER_FILE:03d}.yaml").write_text("---\n".join(docs))


def get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def wait_for_apps(port: int, count: int, timeout: float) -> tuple[str, int]:
    """Poll until `/api/apps` lists `count` applications; return its ETag and body size."""
    deadline = time.monotonic() + timeout
    seen = -1
    while time.monotonic() < deadline:
        status, headers, body = get(port, "/api/apps")
        if status == 200:
            groups = json.loads(body)["groups"]
            seen = sum(len(g["applications"]) for g in groups)
            if seen == count:
                return headers["ETag"], len(body)
        time.sleep(0.2)
    raise SystemExit(f"/api/apps listed {seen} of {count} applications after {timeout:.0f}s")


@dataclass
class Tally:
    """What one connection achieved."""

    done: int = 0
    errors: int = 0
    latencies: list[float] = field(default_factory=list)


def drive(port: int, headers: dict[str, str], expect: int, until: float, tally: Tally) -> None:
    """Send requests on one keep-alive connection until `until` (monotonic seconds)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while (start := time.monotonic()) < until:
        try:
            conn.request("GET", "/api/apps", headers=headers)
            response = conn.getresponse()
            response.read()
        except (OSError, http.client.HTTPException):
            tally.errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            continue
        if response.status != expect:
            tally.errors += 1
            continue
        tally.done += 1
        tally.latencies.append(time.monotonic() - start)
    conn.close()


def cpu_seconds(pid: int) -> float:
    """User+system CPU time of process `pid` and its children (gunicorn's workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for p in (pid, *map(int, children)):
        fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def measure(
    server: live.Server, headers: dict[str, str], *, expect: int, connections: int, duration: float
) -> dict[str, float]:
    """Requests/s, latency and CPU use of `connections` keep-alive clients over `duration` s."""
    assert server.process is not None
    port, pid = server.port, server.process.pid
    warm = time.monotonic() + min(1.0, duration / 5)
    drive(port, headers, expect, warm, Tally())
    tallies = [Tally() for _ in range(connections)]
    until = time.monotonic() + duration
    threads = [
        threading.Thread(target=drive, args=(port, headers, expect, until, t)) for t in tallies
    ]
    began, server_cpu, client_cpu = time.monotonic(), cpu_seconds(pid), time.process_time()
    for t in threads:
        t.start()
    for t in threads:
        t.join(duration + 30)
    elapsed = time.monotonic() - began
    server_cpu = cpu_seconds(pid) - server_cpu
    client_cpu = time.process_time() - client_cpu
    latencies = sorted(x for t in tallies for x in t.latencies)
    done = sum(t.done for t in tallies)
    q = statistics.quantiles(latencies, n=100) if len(latencies) >= 100 else [float("nan")] * 99
    return {
        "requests": done,
        "errors": sum(t.errors for t in tallies),
        "rps": done / elapsed,
        "p50_ms": q[49] * 1000,
        "p99_ms": q[98] * 1000,
        "server_cpu": server_cpu / elapsed,
        "client_cpu": client_cpu / elapsed,
    }


def in_process(directory: Path, rounds: int) -> dict[str, float]:
    """Server CPU per request without the network: the app called through WSGI in-process.

    Three cases: a 304, a 200 from the cached body, and a 200 right after a catalog change
    (what every polling client pays once per change: the body is built again).
    """
    import dataclasses

    import yaml

    from startpunkt import config, create_app, mappers, runtime

    settings = config.Settings()
    app = create_app(settings, start=False)
    catalog = runtime.get(app).catalog
    for path in sorted(directory.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            catalog.replace(
                f"file:{path}:{doc['metadata']['name']}", mappers.map_object(doc, settings).items
            )
    client = app.test_client()
    etag = client.get("/api/apps").headers["ETag"]
    victim = catalog.snapshot().applications[0]
    origin = next(o for o in catalog.origins() if victim.id in catalog.items(o))

    def per_request(before: Callable[[int], None] | None, headers: dict[str, str]) -> float:
        spent = 0.0
        for i in range(rounds):
            if before:
                before(i)
            start = time.process_time()
            client.get("/api/apps", headers=headers)
            spent += time.process_time() - start
        return spent / rounds * 1e6

    def change(i: int) -> None:
        catalog.put(origin, dataclasses.replace(victim, info=f"changed {i}"))

    return {
        "304": per_request(None, {"If-None-Match": etag}),
        "200 cached": per_request(None, {}),
        "200 after a change": per_request(change, {}),
    }


def machine() -> str:
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (
        f"nproc {cpus}, Python {platform.python_version()} ({platform.machine()}, "
        f"{platform.system()} {platform.release()})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per case")
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--ready-timeout", type=float, default=120.0)
    parser.add_argument("--rounds", type=int, default=200, help="in-process requests per case")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="startpunkt-bench-") as tmp:
        manifests = Path(tmp) / "manifests"
        manifests.mkdir()
        write_manifests(manifests, args.apps)
        env = {
            **live.files_env(manifests),
            "STARTPUNKT_MANIFESTS_ENABLED": "true",
            "STARTPUNKT_LOG_LEVEL": "warning",
        }
        server = live.Server(env, workers=args.workers, log_path=Path(tmp) / "server.log")
        try:
            server.start(timeout=60)
            etag, size = wait_for_apps(server.port, args.apps, args.ready_timeout)
            full = measure(
                server, {}, expect=200, connections=args.connections, duration=args.duration
            )
            cached = measure(
                server,
                {"If-None-Match": etag},
                expect=304,
                connections=args.connections,
                duration=args.duration,
            )
        except BaseException:
            print(server.log(), file=sys.stderr)
            raise
        finally:
            server.stop()
        wsgi = in_process(manifests, rounds=args.rounds)

    print(f"command:  python {shlex.join(sys.argv)}")
    print(f"machine:  {machine()}")
    print(
        f"setup:    {args.apps} Ingresses, /api/apps body {size / 1024:.0f} KiB, "
        f"{args.workers} gunicorn gevent worker(s), {args.connections} keep-alive connections, "
        f"{args.duration:g} s per case"
    )
    for name, result in (("200 full", full), ("304 If-None-Match", cached)):
        print(
            f"{name:<18} {result['rps']:8.0f} req/s   p50 {result['p50_ms']:6.2f} ms   "
            f"p99 {result['p99_ms']:6.2f} ms   ({result['requests']} requests, "
            f"{result['errors']} errors; CPU busy: server {result['server_cpu']:.0%}, "
            f"client {result['client_cpu']:.0%})"
        )
    print(f"ratio 304/200:     {cached['rps'] / full['rps']:.1f}x")
    print("in-process server CPU per request (WSGI, no network):")
    for name, micros in wsgi.items():
        print(f"  {name:<20} {micros:8.0f} µs   ({micros / wsgi['304']:.1f}x the 304)")
    print(f"load average:      {' '.join(f'{x:.2f}' for x in os.getloadavg())} (after the run)")


if __name__ == "__main__":
    main()
