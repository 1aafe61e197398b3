"""What the cluster source costs: initial sync of many Ingresses, and watch event throughput.

The test API server runs as a subprocess (`python -m testkit.kubeapi`), so its CPU
does not count against the informers. The benchmark process is gevent-patched like a gunicorn
worker and builds the real app (`create_app` without other background parts) with the real
cluster source and the real kubernetes client.

1. Initial sync: `--objects` opted-in Ingresses are created (POST, not timed); then the cluster
   source starts and the time until every informer has listed (and the catalog snapshot is
   built) is taken, with the CPU it used and the RSS it added (after `gc.collect()`).
2. Event throughput: the Ingress informer's watch is stopped (its items stay), `--events`
   Ingresses are modified on the server (each changes what the page shows), then a watch resumes
   from the informer's last resourceVersion, so the server replays every event at once. Timed
   from the watch request until the catalog has taken the last change: events/s through JSON
   parsing, mapper, catalog and the SSE feed.

    python bench/kube_bench.py [--objects 10000] [--events 10000]
"""

from __future__ import annotations

from gevent import monkey

monkey.patch_all()

import argparse  # noqa: E402 - after patching, as in app.py
import gc  # noqa: E402
import http.client  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import shlex  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import gevent  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from startpunkt import create_app, runtime  # noqa: E402
from startpunkt.config import KubernetesSettings, Settings  # noqa: E402
from startpunkt.sources import kube  # noqa: E402
from startpunkt.sources.kube import api, watching  # noqa: E402 - load kubernetes now
from startpunkt.sources.kube.timing import Timing  # noqa: E402
from testkit import wait  # noqa: E402

INGRESSES = "kube:ingresses.networking.k8s.io"
NAMESPACES = 50
GROUPS = 20


def ingress(i: int, *, title: str | None = None) -> dict[str, Any]:
    """An opted-in Ingress as an operator would write it (annotations, TLS, one path)."""
    name = f"app-{i:05d}"
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "Ingress",
        "metadata": {
            "name": name,
            "namespace": f"ns-{i % NAMESPACES:02d}",
            "labels": {"app.kubernetes.io/name": name, "app.kubernetes.io/part-of": "bench"},
            "annotations": {
                "startpunkt.ullberg.us/enable": "true",
                "startpunkt.ullberg.us/appName": title or f"Application {i:05d}",
                "startpunkt.ullberg.us/group": f"Group {i % GROUPS:02d}",
                "startpunkt.ullberg.us/icon": "mdi:application",
                "startpunkt.ullberg.us/info": f"Benchmark application number {i}",
            },
        },
        "spec": {
            "ingressClassName": "nginx",
            "tls": [{"hosts": [f"{name}.bench.example"], "secretName": f"{name}-tls"}],
            "rules": [
                {
                    "host": f"{name}.bench.example",
                    "http": {
                        "paths": [
                            {
                                "path": "/",
                                "pathType": "Prefix",
                                "backend": {"service": {"name": name, "port": {"number": 80}}},
                            }
                        ]
                    },
                }
            ],
        },
    }


def start_server(workdir: Path) -> tuple[subprocess.Popen[str], str, Path]:
    """The test API server in its own process; its URL and kubeconfig."""
    kubeconfig = workdir / "kubeconfig"
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "testkit.kubeapi",
            "--port",
            "0",
            "--kubeconfig",
            str(kubeconfig),
            "--bookmark-interval",
            "60",
        ],
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert process.stdout is not None
    with gevent.Timeout(30, RuntimeError("the API server did not start within 30 s")):
        line = process.stdout.readline()
    if not line.startswith("listening on "):
        raise RuntimeError(f"unexpected first line from the API server: {line!r}")
    return process, line.removeprefix("listening on ").strip(), kubeconfig


def send_all(url: str, method: str, objects: list[dict[str, Any]]) -> None:
    """POST (create) or PUT (replace) objects over one keep-alive connection; not timed."""
    host, port = url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=30)
    for obj in objects:
        meta = obj["metadata"]
        path = f"/apis/networking.k8s.io/v1/namespaces/{meta['namespace']}/ingresses"
        if method == "PUT":
            path += f"/{meta['name']}"
        body = json.dumps(obj)
        connection.request(method, path, body, {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        if response.status not in (200, 201):
            raise RuntimeError(f"{method} {path}: HTTP {response.status}")
    connection.close()


def rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def initial_sync(kubeconfig: Path, objects: int) -> Any:
    """Start the cluster source on a fresh app; print time, CPU and memory of the first list."""
    settings = Settings(kubernetes=KubernetesSettings(enabled=True, kubeconfig=str(kubeconfig)))
    app = create_app(settings, start=False)
    rt = runtime.get(app)
    gc.collect()
    tracing = tracemalloc.is_tracing()
    traced_before = tracemalloc.get_traced_memory()[0] if tracing else 0
    rss_before, cpu_before = rss_bytes(), cpu_seconds()
    started = time.monotonic()
    kube.init_app(app, timing=Timing())
    wait.wait_for(
        lambda: (
            rt.readiness.sources()
            and all(s.state == "synced" for s in rt.readiness.sources().values())
        ),
        timeout=300,
        interval=0.001,
    )
    listed = time.monotonic() - started
    snapshot = rt.catalog.snapshot()
    synced = time.monotonic() - started
    cpu = cpu_seconds() - cpu_before
    assert len(snapshot.applications) == objects, len(snapshot.applications)
    gc.collect()
    added = rss_bytes() - rss_before
    retained = tracemalloc.get_traced_memory()[0] - traced_before if tracing else None
    print(f"initial sync of {objects:,} Ingresses (8 informers):")
    print(f"  listed and mapped into the catalog: {listed:.2f} s")
    print(f"  plus the first snapshot (sorted):   {synced:.2f} s, CPU {cpu:.2f} s")
    print(f"  RSS added after gc: {added / 2**20:.1f} MiB ({added / objects:,.0f} bytes/Ingress)")
    if retained is not None:
        print(f"  Python objects kept (tracemalloc): {retained / 2**20:.1f} MiB")
    return app


def throughput(app: Any, url: str, events: int, objects: int) -> None:
    """Replay `events` modifications to a stopped watch; print events/s."""
    rt = runtime.get(app)
    running = rt.cluster
    assert running is not None
    informer = running.informers[INGRESSES]
    resume_from = informer.list_watch.resource_version
    running.client.kill([informer.greenlet])  # the items stay in the catalog
    changes = [ingress(i % objects, title=f"Renamed {i:05d}") for i in range(events)]
    send_all(url, "PUT", changes)
    expected = rt.catalog.version + events

    replay = watching.ListWatch(
        running.client, informer.resource, namespace=None, sink=informer, timing=Timing()
    )
    replay.api_version = "v1"
    replay.resource_version = resume_from
    path = api.collection_path("networking.k8s.io", "v1", "ingresses")
    cpu_before = cpu_seconds()
    started = time.monotonic()
    greenlet = gevent.spawn(replay._watch_once, path)  # one watch from the old version
    wait.wait_for(lambda: rt.catalog.version >= expected, timeout=300, interval=0.001)
    took = time.monotonic() - started
    cpu = cpu_seconds() - cpu_before
    running.client.kill([greenlet])
    print(f"watch event throughput ({events:,} MODIFIED events, each a real catalog change):")
    rate, per_event = events / took, cpu / events * 1e6
    print(f"  {took:.2f} s, {rate:,.0f} events/s, CPU {cpu:.2f} s ({per_event:.0f} µs/event)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument(
        "--trace-memory",
        action="store_true",
        help="also count the Python objects kept (tracemalloc; slows everything down)",
    )
    args = parser.parse_args()
    if args.trace_memory:
        tracemalloc.start()

    print("command:", shlex.join([sys.executable.rsplit("/", 1)[-1], *sys.argv]))
    print(
        f"machine: nproc {os.cpu_count()}, Python {platform.python_version()}, "
        f"{platform.machine()}, load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    with tempfile.TemporaryDirectory() as tmp:
        server, url, kubeconfig = start_server(Path(tmp))
        try:
            send_all(url, "POST", [ingress(i) for i in range(args.objects)])
            app = initial_sync(kubeconfig, args.objects)
            throughput(app, url, args.events, args.objects)
            kube.stop(app)
        finally:
            server.terminate()
            server.wait(timeout=10)
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
