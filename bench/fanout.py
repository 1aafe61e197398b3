"""Fan-out to 10,000 SSE clients: startpunkt side by side with nchan, every figure as a ratio.

One command measures, one server after another, with the same client, pinning and event size:
- `nchan`: nginx with libnginx-mod-nchan (Debian), started on 127.0.0.1 with its own prefix,
  pid and log files; triggered by an HTTP POST to its publisher location.
- `kube`: startpunkt under gunicorn (gunicorn.conf.py, one gevent worker), triggered by a
  Kubernetes watch event: the benchmark PUTs a changed Ingress into the test API server
  (`python -m testkit.kubeapi`), which sends it down the informer's watch. As cheap a trigger as
  nchan's POST, so the fan-out cost shows on its own. Then, on the same server and clients, a
  stall phase: 200 clients stop reading until their socket buffers are full, and the 9,800
  others are measured again.
- `files`: startpunkt triggered by a manifest edit (a temporary file renamed over plex.yaml, as
  editors save): file watcher, YAML, mapper, catalog.
- `flask`, `gunicorn`: only opening the streams, through gunicorn and Flask (an `Origin` header
  keeps them from early admission) and with gunicorn alone (bench/floor_app.py): what each
  layer costs per connection.
- `baseline` (only when asked for): bench/baseline_app.py, one queue and generator per client.

Servers run on CPU 0; this process (the clients) and the test API server on CPU 1
(`sched_setaffinity`, what `taskset` does). Each client is a raw socket read by one epoll loop
(bench/load.py); arrival times are the kernel's receive timestamps (SO_TIMESTAMPNS), so how fast
this process reads does not count. nchan's messages are padded to the size of startpunkt's
frame. Only 127.0.0.1 is used; every loop is bounded in count and time.

    python bench/fanout.py [--clients 10000] [--publishes 5] [--stalled 200] [--perf]
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import json
import os
import platform
import resource
import shlex
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import load  # noqa: E402  (bench/load.py, beside this script)

from startpunkt import config, mappers  # noqa: E402
from startpunkt.events import payloads  # noqa: E402
from testkit import live  # noqa: E402

SERVER_CPU, CLIENT_CPU = 0, 1
STREAM = "/api/updates/stream"
NCHAN_MODULE = Path("/usr/lib/nginx/modules/ngx_nchan_module.so")
FILL_INFO = 16_000
"""Bytes of padding in each event that fills the stalled clients' buffers."""
TARGETS = {
    "spread": 1.5,
    "cpu": 1.5,
    "open_s": 1.5,
    "rss_kib": 12.0,
    "worst": 2.0,
    "kube_first_ms": 5.0,
    "files_first_ms": 25.0,
}
"""What issue 13 asks for: ratios to nchan, seconds, KiB, ms (with debounce 0)."""


# -- results -------------------------------------------------------------------------------------


@dataclass
class Publish:
    trigger: float
    """Wall-clock time of the trigger (POST sent, watch event sent, rename done)."""
    arrivals: list[float]


@dataclass
class Run:
    name: str
    trigger: str
    clients: int
    open_s: float = float("nan")
    open_us: float = float("nan")
    """Server CPU (user + system) per stream opened."""
    rss_kib: float = float("nan")
    publishes: list[Publish] = field(default_factory=list)
    expected: int = 0
    user_s: float = 0.0
    system_s: float = 0.0
    subsets: dict[str, list[Publish]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def delivered(self) -> int:
        return sum(len(p.arrivals) for p in self.publishes)

    def median(self, measure: Callable[[Publish], float], which: str | None = None) -> float:
        publishes = self.subsets[which] if which else self.publishes
        values = [measure(p) for p in publishes if p.arrivals]
        return statistics.median(values) if values else float("nan")

    def worst(self, measure: Callable[[Publish], float]) -> float:
        return max((measure(p) for p in self.publishes if p.arrivals), default=float("nan"))

    def cpu_us(self) -> tuple[float, float]:
        """(user, system) µs of server CPU per stream per event."""
        per = self.clients * len(self.publishes) or float("nan")
        return self.user_s / per * 1e6, self.system_s / per * 1e6


def first(p: Publish) -> float:
    return min(p.arrivals) - p.trigger


def last(p: Publish) -> float:
    return max(p.arrivals) - p.trigger


def spread(p: Publish) -> float:
    return max(p.arrivals) - min(p.arrivals)


def measure(
    run: Run,
    clients: load.Clients,
    worker: int,
    publishes: int,
    trigger: Callable[[int], tuple[bytes, Callable[[], float]]],
    *,
    label: str | None = None,
    only: list[int] | None = None,
) -> None:
    """`publishes` triggers, each awaited on every healthy client; CPU and arrivals recorded.

    With a `label` the publishes are kept apart from the main figures, and with `only` just
    those clients' arrivals count.
    """
    fds = clients.healthy()
    kept = only if only is not None else list(fds)
    user, system = load.cpu_times(worker)
    results = []
    for k in range(publishes):
        marker, when = trigger(k)
        arrived = clients.wait_for(marker, fds, deadline=time.monotonic() + 60)
        results.append(Publish(when(), [arrived[fd] for fd in kept if fd in arrived]))
        time.sleep(0.3)
    each = " ".join(f"{first(p) * 1000:.1f}/{last(p) * 1000:.0f}" for p in results if p.arrivals)
    run.notes.append(f"{label or 'measured'}, first/last ms of each publish: {each}")
    if label is None:
        user2, system2 = load.cpu_times(worker)
        run.user_s, run.system_s = user2 - user, system2 - system
        run.publishes = results
        run.expected = len(kept) * publishes
    else:
        run.subsets[label] = results
        delivered = sum(len(p.arrivals) for p in results)
        run.notes.append(f"{label}: delivered {delivered}/{len(kept) * publishes}")


def open_streams(run: Run, clients: load.Clients, worker: int, n: int, marker: bytes) -> None:
    time.sleep(0.5)
    before = load.rss_kib(worker)
    user, system = load.cpu_times(worker)
    run.open_s = clients.open(n, marker=marker)
    user2, system2 = load.cpu_times(worker)
    run.open_us = (user2 - user + system2 - system) / n * 1e6
    time.sleep(1.0)  # let the connection burst's garbage settle before measuring
    run.rss_kib = (load.rss_kib(worker) - before) / n


# -- nchan ---------------------------------------------------------------------------------------

NCHAN_CONF = """\
load_module {module};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
worker_processes 1;
worker_rlimit_nofile {files};
events {{ worker_connections {files}; }}
http {{
    access_log off;
    client_body_temp_path {prefix}/body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    server {{
        listen 127.0.0.1:{port};
        location = /pub {{
            nchan_publisher;
            nchan_channel_id bench;
        }}
        location = /sub {{
            nchan_subscriber eventsource;
            nchan_channel_id bench;
            nchan_subscriber_first_message newest;
        }}
    }}
}}
"""


@contextlib.contextmanager
def nchan(workdir: Path) -> Iterator[tuple[int, int]]:
    """nginx with nchan on a free port: (port, worker pid)."""
    prefix = workdir / "nchan"
    prefix.mkdir()
    port = live.free_port()
    conf = prefix / "nginx.conf"
    files = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    conf.write_text(NCHAN_CONF.format(module=NCHAN_MODULE, prefix=prefix, port=port, files=files))
    process = subprocess.Popen(
        ["nginx", "-p", str(prefix), "-c", str(conf), "-g", "daemon off;"],
        stdout=subprocess.DEVNULL,
        stderr=(prefix / "stderr.log").open("wb"),
    )
    try:
        load.wait_until(lambda: load.children(process.pid), timeout=10, what="an nginx worker")
        worker = load.children(process.pid)[0]
        for pid in (process.pid, worker):
            load.pin(pid, SERVER_CPU)
        load.wait_until(lambda: _listening(port), timeout=10, what="nginx listening")
        yield port, worker
    finally:
        process.terminate()
        process.wait(10)


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def run_nchan(args: argparse.Namespace, workdir: Path, size: int) -> Run:
    run = Run("nchan", "HTTP POST", args.clients)
    with nchan(workdir) as (port, worker):
        publisher = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def post(body: bytes) -> float:
            sent = time.time()
            publisher.request("POST", "/pub", body, {"Content-Type": "text/plain"})
            response = publisher.getresponse()
            response.read()
            if response.status not in (201, 202):
                raise RuntimeError(f"nchan answered the publish with {response.status}")
            return sent

        overhead = len(b"id: 1765000000:00\ndata: \n\n")  # nchan's framing of one message
        clients = load.Clients(port, "/sub")
        try:
            # nchan opens each EventSource stream with this comment, startpunkt with a HEARTBEAT.
            open_streams(run, clients, worker, args.clients, b": hi")

            def trigger(k: int) -> tuple[bytes, Callable[[], float]]:
                marker = f"nchan {k} {time.time_ns()}".encode()
                body = marker + b" " + b"x" * max(0, size - overhead - len(marker) - 1)
                sent = post(body)
                return marker, lambda: sent

            measure(run, clients, worker, args.publishes, trigger)
        finally:
            clients.shutdown()
            publisher.close()
    return run


# -- startpunkt ----------------------------------------------------------------------------------


def title_of(k: int, phase: str = "bench") -> str:
    """A title of fixed length, so every event has the same size."""
    return f"Plex {phase} {k} {time.time_ns():020d}"


def frame_size() -> int:
    """Bytes of startpunkt's SSE frame for one renamed Plex (what nchan's message is padded to)."""
    title = title_of(0)
    [item] = mappers.map_object(live.ingress("plex", title), config.Settings()).items
    kind = payloads.EventType.APPLICATION_UPDATED
    return len(payloads.frame(kind, payloads.payload(kind, item), event_id="0123abcd-10"))


def realtime_env(n: int) -> dict[str, str]:
    return {
        "STARTPUNKT_REALTIME_EVENTDEBOUNCEMS": "0",
        "STARTPUNKT_REALTIME_HEARTBEATINTERVAL": "600s",
        "STARTPUNKT_REALTIME_MAXCONNECTIONS": str(n + 500),
        "STARTPUNKT_REALTIME_MAXCONNECTIONSPERCLIENT": str(n + 500),
        "STARTPUNKT_WORKER_CONNECTIONS": str(max(12000, n + 500)),
        "STARTPUNKT_AVAILABILITY_ENABLED": "false",
        "STARTPUNKT_CONFIG": "",
        "STARTPUNKT_LOG_LEVEL": "warning",
    }


@contextlib.contextmanager
def gunicorn(env: dict[str, str], workdir: Path, name: str, app: str) -> Iterator[Any]:
    server = live.Server(
        env, app=app, extra_args=("--pythonpath", "bench"), log_path=workdir / f"{name}.log"
    ).start(timeout=120)
    try:
        assert server.process is not None
        worker = load.children(server.process.pid)[0]
        for pid in (server.process.pid, worker):
            load.pin(pid, SERVER_CPU)
        server.worker = worker
        yield server
    finally:
        server.stop(30)


def draining(server: Any) -> float | None:
    with urllib.request.urlopen(server.url + "/q/metrics", timeout=10) as response:
        for line in response.read().decode().splitlines():
            if line.startswith("startpunkt_sse_clients_draining "):
                return float(line.split()[1])
    return None


class KubeApi:
    """The test API server in its own process, on the client's CPU; PUTs and its send times."""

    def __init__(self, workdir: Path) -> None:
        self.kubeconfig = workdir / "kubeconfig"
        self.process = subprocess.Popen(
            [
                *(sys.executable, "-m", "testkit.kubeapi", "--port", "0"),
                *("--kubeconfig", str(self.kubeconfig), "--bookmark-interval", "600"),
            ],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()
        if not line.startswith("listening on "):
            raise RuntimeError(f"the test API server did not start: {line!r}")
        load.pin(self.process.pid, CLIENT_CPU)
        self.port = int(line.rsplit(":", 1)[1])
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)

    def request(self, method: str, path: str, body: Any = None) -> Any:
        data = json.dumps(body) if body is not None else None
        self.connection.request(method, path, data, {"Content-Type": "application/json"})
        response = self.connection.getresponse()
        answer = json.loads(response.read() or b"null")
        if response.status >= 300:
            raise RuntimeError(f"{method} {path}: HTTP {response.status} {answer}")
        return answer

    def put_plex(self, title: str, *, info: str | None = None) -> None:
        obj = live.ingress("plex", title)
        if info is not None:
            obj["metadata"]["annotations"]["startpunkt.ullberg.us/info"] = info
        path = "/apis/networking.k8s.io/v1/namespaces/media/ingresses"
        if title == "Plex":
            self.request("POST", path, obj)
        else:
            self.request("PUT", path + "/plex", obj)

    def last_sent(self, after: float, timeout: float = 10) -> float:
        """When the API server wrote the latest watch event (one written after `after`)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            sent = self.request("GET", "/_kubeapi/state")["lastEventSent"]
            if sent is not None and sent >= after:
                return sent
            time.sleep(0.01)
        raise RuntimeError("the watch event was never sent")

    def close(self) -> None:
        self.connection.close()
        self.process.terminate()
        self.process.wait(10)


def run_kube(args: argparse.Namespace, workdir: Path) -> Run:
    run = Run("startpunkt", "watch event", args.clients)
    api = KubeApi(workdir)
    try:
        api.put_plex("Plex")
        env = {
            **realtime_env(args.clients),
            "STARTPUNKT_KUBERNETES_ENABLED": "true",
            "STARTPUNKT_KUBERNETES_KUBECONFIG": str(api.kubeconfig),
            "STARTPUNKT_MANIFESTS_ENABLED": "false",
        }
        with gunicorn(env, workdir, "kube", "app:app") as server:
            load.wait_until(lambda: "Plex" in live.apps(server), timeout=60, what="Plex listed")
            clients = load.Clients(server.port, STREAM)
            try:
                open_streams(run, clients, server.worker, args.clients, b"HEARTBEAT")

                def trigger(k: int, phase: str = "bench") -> tuple[bytes, Callable[[], float]]:
                    title = title_of(k, phase)
                    put = time.time()
                    api.put_plex(title)
                    return title.encode(), lambda: api.last_sent(put)

                measure(run, clients, server.worker, args.publishes, trigger)
                if args.perf:
                    profile(
                        run,
                        server.worker,
                        lambda: measure(
                            run, clients, server.worker, args.publishes, trigger, label="profiled"
                        ),
                    )
                if args.stalled:
                    stall_phase(run, args, server, clients, api, trigger)
            finally:
                clients.shutdown()
    finally:
        api.close()
    return run


def stall_phase(
    run: Run,
    args: argparse.Namespace,
    server: Any,
    clients: load.Clients,
    api: KubeApi,
    trigger: Callable[..., tuple[bytes, Callable[[], float]]],
) -> None:
    """Measure 9,800 clients, replace the other 200 by ones that stop reading, fill those, and
    measure the 9,800 again; more publishes each time than for the main figures (noise)."""
    keep = clients.order[: args.clients - args.stalled]
    n = args.stall_publishes
    measure(run, clients, server.worker, n, lambda k: trigger(k, "calm"), label="calm", only=keep)
    clients.close(clients.order[args.clients - args.stalled :])
    load.wait_until(
        lambda: live.get_json(server.url + "/q/health/live")[0] == 200,
        timeout=10,
        what="the server alive",
    )
    clients.open(args.stalled, marker=b"HEARTBEAT", stalled=True)
    clients.stall()
    healthy = clients.healthy()
    filled = 0
    for k in range(args.fill):  # big events, until the stalled clients' buffers are full
        title = title_of(k, "fill")
        api.put_plex(title, info="x" * FILL_INFO)
        clients.wait_for(title.encode(), healthy, deadline=time.monotonic() + 60)
        filled = k + 1
        if (draining(server) or 0) >= args.stalled:
            time.sleep(1.0)  # still full a second later? (the kernel may grow their buffers)
            if (draining(server) or 0) >= args.stalled:
                break
    before = draining(server)
    measure(run, clients, server.worker, n, lambda k: trigger(k, "stall"), label="stalled")
    run.notes.append(
        f"stall phase: {args.stalled} clients stopped reading; after {filled} big events "
        f"{before:.0f} streams were on the slow path (their buffers full), "
        f"{draining(server):.0f} after measuring"
    )


def run_files(args: argparse.Namespace, workdir: Path, design: str) -> Run:
    app, path = (
        ("app:app", STREAM) if design == "files" else ("baseline_app:app", "/baseline/stream")
    )
    run = Run("startpunkt" if design == "files" else "baseline", "manifest edit", args.clients)
    manifests = live.manifest_dir(workdir / f"manifests-{design}")
    env = {**realtime_env(args.clients), **live.files_env(manifests)}
    with gunicorn(env, workdir, design, app) as server:
        load.wait_until(lambda: "Plex" in live.apps(server), timeout=60, what="Plex listed")
        clients = load.Clients(server.port, path)
        try:
            open_streams(run, clients, server.worker, args.clients, b"HEARTBEAT")

            def trigger(k: int) -> tuple[bytes, Callable[[], float]]:
                title = title_of(k)
                temporary = manifests / ".plex.yaml.tmp"
                temporary.write_text(live.ingress_yaml("plex", title))
                os.replace(temporary, manifests / "plex.yaml")
                renamed = time.time()
                return title.encode(), lambda: renamed

            measure(run, clients, server.worker, args.publishes, trigger)
        finally:
            clients.shutdown()
    return run


def run_opening(args: argparse.Namespace, workdir: Path, design: str) -> Run:
    """Only open the streams: through Flask (an `Origin` keeps them from early admission) or
    gunicorn alone (bench/floor_app.py), to show what each layer costs per connection."""
    flask = design == "flask"
    name, trigger = ("startpunkt", "via Flask") if flask else ("gunicorn", "floor app")
    run = Run(name, trigger, args.clients)
    manifests = live.manifest_dir(workdir / f"manifests-{design}")
    env = {**realtime_env(args.clients), **live.files_env(manifests)}
    with gunicorn(env, workdir, design, "app:app" if flask else "floor_app:app") as server:
        extra = "Origin: http://bench\r\n" if flask else ""
        clients = load.Clients(server.port, STREAM, extra=extra)
        try:
            open_streams(run, clients, server.worker, args.clients, b"HEARTBEAT")
        finally:
            clients.shutdown()
    return run


# -- profile -------------------------------------------------------------------------------------


def profile(run: Run, pid: int, work: Callable[[], None]) -> None:
    """`perf record` the server while `work` runs: its CPU by DSO (kernel or Python), by symbol."""
    if shutil.which("perf") is None:
        run.notes.append("perf: not installed")
        return
    data = Path(tempfile.mkdtemp(prefix="perf-")) / "perf.data"
    command = ["perf", "record", "-F", "4000", "-p", str(pid), "-o", str(data)]
    recorder = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    time.sleep(0.5)
    try:
        work()
    finally:
        recorder.send_signal(2)
        recorder.communicate(timeout=30)
    for sort, limit in (("dso", "1"), ("dso,sym", "1.5")):
        options = ["--stdio", "--sort", sort, "--percent-limit", limit]
        report = subprocess.run(
            ["perf", "report", "-i", str(data), *options],
            capture_output=True,
            text=True,
            check=False,
        )
        lines = [line for line in report.stdout.splitlines() if "%" in line[:12]]
        if not lines:
            lines = ["(no samples: " + " ".join(report.stderr.split())[:200] + ")"]
        run.notes.append(f"perf, server CPU during the profiled publishes, by {sort}:")
        run.notes += ["  " + " ".join(line.split()) for line in lines[:16]]
    shutil.rmtree(data.parent, ignore_errors=True)


# -- report --------------------------------------------------------------------------------------


def _ms(seconds: float, digits: int = 0) -> str:
    return f"{'—':>7}" if seconds != seconds else f"{seconds * 1000:>5.{digits}f}ms"


def report(runs: list[Run], args: argparse.Namespace) -> None:
    ms = 1000
    print(
        f"\n{'server':<11} {'trigger':<14} {'clients':>7} {'open':>7} {'CPU/open':>8} "
        f"{'RSS/str':>8} {'first':>7} {'spread':>7} {'last':>7} {'worst':>7} "
        f"{'CPU/str/ev (user+sys)':>25} {'delivered':>13}"
    )
    for r in runs:
        user, system = r.cpu_us()
        cpu = f"{user + system:.1f} µs ({user:.1f}+{system:.1f})" if r.publishes else "—"
        delivered = f"{r.delivered()}/{r.expected}" if r.publishes else "—"
        print(
            f"{r.name:<11} {r.trigger:<14} {r.clients:>7} {r.open_s:>6.2f}s {r.open_us:>6.0f}µs "
            f"{r.rss_kib:>5.1f}KiB {_ms(r.median(first), 1)} {_ms(r.median(spread))} "
            f"{_ms(r.median(last))} {_ms(r.worst(last))} {cpu:>25} {delivered:>13}"
        )
    print(
        "CPU/open: server CPU per stream opened; first, spread, last: medians over the "
        "publishes; worst: the slowest publish's last"
    )
    by = {(r.name, r.trigger): r for r in runs}
    ref = by.get(("nchan", "HTTP POST"))
    kube = by.get(("startpunkt", "watch event"))
    files = by.get(("startpunkt", "manifest edit"))
    print("\nissue 13's figures (startpunkt with the watch trigger unless said):")
    rows: list[tuple[str, str, str, bool]] = []

    def row(name: str, value: str, target: str, ok: bool) -> None:
        rows.append((name, value, target, ok))

    def ratio(name: str, ours: float, theirs: float, key: str) -> None:
        value = ours / theirs if theirs else float("nan")
        row(name, f"{value:.2f}x nchan", f"<= {TARGETS[key]}x", value <= TARGETS[key])

    if kube and ref:
        ratio("spread, last minus first client", kube.median(spread), ref.median(spread), "spread")
        ratio("server CPU per stream per event", sum(kube.cpu_us()), sum(ref.cpu_us()), "cpu")
        ratio("worst publish, last client", kube.worst(last), ref.worst(last), "worst")
        opened = f"{kube.open_s:.2f} s = {kube.open_s / ref.open_s:.2f}x nchan"
        row("open N streams", opened, f"<= {TARGETS['open_s']} s", kube.open_s <= TARGETS["open_s"])
        rss = f"{kube.rss_kib:.1f} KiB = {kube.rss_kib / ref.rss_kib:.2f}x nchan"
        row("RSS per open stream", rss, "<= 12 KiB", kube.rss_kib <= TARGETS["rss_kib"])
    for r in (kube, files):
        if r:
            got = f"{r.delivered()}/{r.expected}"
            row(f"delivered ({r.trigger})", got, "all", r.delivered() == r.expected)
    for r, key, budget in ((kube, "kube_first_ms", "5"), (files, "files_first_ms", "25")):
        if r:
            value = r.median(first) * ms
            target = f"<= {budget} ms + debounce 0"
            row(f"{r.trigger} to first client", f"{value:.1f} ms", target, value <= TARGETS[key])
    if kube and "stalled" in kube.subsets:
        calm, stalled = kube.median(spread, "calm"), kube.median(spread, "stalled")
        change = stalled / calm - 1
        compared = f"{stalled * ms:.0f} ms vs {calm * ms:.0f} ms = {change:+.1%}"
        row(f"healthy spread, {args.stalled} stalled", compared, "<= +10 %", change <= 0.10)
    for name, value, target, ok in rows:
        print(f"  {name:<36} {value:<28} {target:<22} {'ok' if ok else 'MISSED'}")
    for r in runs:
        for note in r.notes:
            print(f"{r.name} ({r.trigger}): {note}" if not note.startswith("  ") else note)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--publishes", type=int, default=5)
    parser.add_argument("--stalled", type=int, default=200, help="0 skips the stall phase")
    parser.add_argument("--stall-publishes", type=int, default=9, help="each, calm and stalled")
    parser.add_argument("--fill", type=int, default=40, help="most events to fill stalled clients")
    parser.add_argument(
        "--servers", default="nchan,kube,files,flask,gunicorn", help="also: baseline"
    )
    parser.add_argument("--perf", action="store_true", help="perf-record extra publishes (kube)")
    parser.add_argument("--no-pin", action="store_true", help="do not pin servers and client")
    args = parser.parse_args()
    limit = load.raise_file_limit()
    if args.clients + 200 > limit:
        sys.exit(f"RLIMIT_NOFILE hard limit {limit} is too low for {args.clients} clients")
    load.PINNING = not args.no_pin and (os.cpu_count() or 1) >= 2
    if load.PINNING:
        os.sched_setaffinity(0, {CLIENT_CPU})
    servers = args.servers.split(",")
    if "nchan" in servers and (shutil.which("nginx") is None or not NCHAN_MODULE.exists()):
        sys.exit(
            "nchan mode needs Debian's nginx and libnginx-mod-nchan: apt-get install -y "
            "nginx libnginx-mod-nchan (or pass --servers without nchan)"
        )
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    size = frame_size()
    print(
        f"event size on the wire: {size} bytes of SSE per event (nchan's padded to match); "
        f"servers on CPU {SERVER_CPU}, clients on CPU {CLIENT_CPU}"
    )
    runs = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as tmp:
        workdir = Path(tmp)
        for name in servers:
            print(f"... {name} with {args.clients} clients", flush=True)
            if name == "nchan":
                runs.append(run_nchan(args, workdir, size))
            elif name == "kube":
                runs.append(run_kube(args, workdir))
            elif name in ("flask", "gunicorn"):
                runs.append(run_opening(args, workdir, name))
            else:
                runs.append(run_files(args, workdir, name))
    report(runs, args)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
