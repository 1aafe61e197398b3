"""Fan-out: how fast one change reaches N open SSE streams, startpunkt against the baseline.

For each N (1,000 / 5,000 / 10,000, selectable) and each design it starts real gunicorn (one
gevent worker) on a temporary manifest directory, opens N raw-socket SSE clients from this
process (one epoll loop, no gevent), then edits the manifest several times. Each edit is one
change, one publish. It prints the connect time, the worker's RSS per connection, the delivery
latency from the file write to the first/median/p99/last client, delivered/expected, and the
ratio against the baseline: one gevent Queue and one generator per client, each event serialised
per client (bench/baseline_app.py). Only 127.0.0.1 is used.

    python bench/fanout.py [--clients 1000,10000] [--publishes 5] [--designs startpunkt,baseline]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import resource
import select
import shlex
import socket
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testkit import live  # noqa: E402

DESIGNS = {
    "startpunkt": ("app:app", "/api/updates/stream"),
    "baseline": ("baseline_app:app", "/baseline/stream"),
}
CONNECT_BATCH = 500
"""Below gunicorn's listen backlog (2048), so connects never wait for a SYN retry."""


def raise_file_limit() -> int:
    """Soft RLIMIT_NOFILE up to the hard limit (servers started from here inherit it)."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return hard


def worker_pid(server: live.Server) -> int:
    """The pid of the gunicorn master's (only) worker."""
    assert server.process is not None
    pid = server.process.pid
    return int(Path(f"/proc/{pid}/task/{pid}/children").read_text().split()[0])


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Clients:
    """N SSE streams on raw sockets, read by one epoll loop."""

    def __init__(self, port: int, path: str) -> None:
        self.port, self.path = port, path
        self.socks: dict[int, socket.socket] = {}
        self.tails: dict[int, bytes] = {}
        self.poll = select.epoll()

    def connect(self, n: int, *, timeout: float = 300) -> None:
        request = f"GET {self.path} HTTP/1.1\r\nHost: bench\r\n\r\n".encode()
        deadline = time.monotonic() + timeout
        while len(self.socks) < n:
            batch = []
            for _ in range(min(CONNECT_BATCH, n - len(self.socks))):
                s = socket.create_connection(("127.0.0.1", self.port))
                s.sendall(request)
                s.setblocking(False)
                self.socks[s.fileno()] = s
                self.tails[s.fileno()] = b""
                self.poll.register(s.fileno(), select.EPOLLIN)
                batch.append(s.fileno())
            self.wait_for(b"HEARTBEAT", set(batch), deadline=deadline)

    def wait_for(self, marker: bytes, fds: set[int], *, deadline: float) -> dict[int, float]:
        """Read until every fd in `fds` has received `marker`; arrival time per fd."""
        arrived: dict[int, float] = {}
        while len(arrived) < len(fds) and time.monotonic() < deadline:
            for fd, _ in self.poll.poll(min(1.0, max(0.0, deadline - time.monotonic()))):
                try:
                    data = self.socks[fd].recv(65536)
                except BlockingIOError:
                    continue
                now = time.perf_counter()
                if not data:
                    self.poll.unregister(fd)
                    continue
                seen = self.tails[fd] + data
                self.tails[fd] = seen[-len(marker) :]
                if fd in fds and fd not in arrived and marker in seen:
                    arrived[fd] = now
        return arrived

    def close(self) -> None:
        for s in self.socks.values():
            s.close()
        self.poll.close()


@dataclass
class Result:
    design: str
    clients: int
    connect_s: float
    rss_per_conn_kib: float
    latencies: list[list[float]]  # per publish, sorted seconds from the write
    delivered: int
    expected: int
    server_cpu_s: float
    client_cpu_s: float

    def quantile(self, q: float) -> float:
        """Median over publishes of that publish's q-quantile latency."""
        per = [lat[min(len(lat) - 1, int(q * len(lat)))] for lat in self.latencies if lat]
        return statistics.median(per) if per else float("nan")


def run(design: str, n: int, publishes: int, workdir: Path) -> Result:
    app_uri, path = DESIGNS[design]
    manifests = live.manifest_dir(workdir / f"{design}-{n}")
    env = {
        **live.files_env(manifests),
        "STARTPUNKT_REALTIME_EVENTDEBOUNCEMS": "0",
        "STARTPUNKT_REALTIME_HEARTBEATINTERVAL": "600s",
        "STARTPUNKT_REALTIME_MAXCONNECTIONS": str(n + 100),
        "STARTPUNKT_REALTIME_MAXCONNECTIONSPERCLIENT": str(n + 100),
        "STARTPUNKT_WORKER_CONNECTIONS": str(max(12000, n + 500)),
        "STARTPUNKT_LOG_LEVEL": "warning",
    }
    # gunicorn.conf.py exactly as the tests run it, for either app (the baseline lives in bench/).
    server = live.Server(
        env,
        app=app_uri,
        extra_args=("--pythonpath", "bench"),
        log_path=workdir / f"{design}-{n}.log",
    ).start(timeout=60)
    clients = Clients(server.port, path)
    try:
        worker = worker_pid(server)
        time.sleep(0.5)
        rss_before = rss_kib(worker)
        started = time.monotonic()
        clients.connect(n)
        connect_s = time.monotonic() - started
        time.sleep(1.0)  # let the connection burst's garbage settle before measuring
        rss_per_conn = (rss_kib(worker) - rss_before) / n
        latencies, delivered = [], 0
        cpu_server, cpu_client = cpu_seconds(worker), time.process_time()
        for k in range(publishes):
            title = f"Plex bench {k} {time.time_ns()}"
            temporary = manifests / ".plex.tmp"
            temporary.write_text(live.ingress_yaml("plex", title))
            written = time.perf_counter()
            os.replace(temporary, manifests / "plex.yaml")
            arrived = clients.wait_for(
                title.encode(), set(clients.socks), deadline=time.monotonic() + 30
            )
            delivered += len(arrived)
            latencies.append(sorted(t - written for t in arrived.values()))
            time.sleep(0.3)
        return Result(
            design,
            n,
            connect_s,
            rss_per_conn,
            latencies,
            delivered,
            n * publishes,
            cpu_seconds(worker) - cpu_server,
            time.process_time() - cpu_client,
        )
    finally:
        clients.close()
        server.stop(30)


def report(results: list[Result]) -> None:
    ms = 1000
    print(
        f"\n{'design':<11} {'clients':>7} {'connect':>8} {'RSS/conn':>9} {'first':>7} "
        f"{'p50':>7} {'p99':>7} {'last':>7} {'delivered':>13} {'srv CPU':>8} {'cli CPU':>8}"
    )
    for r in results:
        print(
            f"{r.design:<11} {r.clients:>7} {r.connect_s:>7.1f}s {r.rss_per_conn_kib:>6.1f}KiB "
            f"{r.quantile(0) * ms:>5.0f}ms {r.quantile(0.5) * ms:>5.0f}ms "
            f"{r.quantile(0.99) * ms:>5.0f}ms {r.quantile(1) * ms:>5.0f}ms "
            f"{f'{r.delivered}/{r.expected}':>13} {r.server_cpu_s:>7.2f}s {r.client_cpu_s:>7.2f}s"
        )
    by = {(r.design, r.clients): r for r in results}
    for n in sorted({r.clients for r in results}):
        ours, base = by.get(("startpunkt", n)), by.get(("baseline", n))
        if ours and base:
            print(
                f"N={n}: baseline/startpunkt  last {base.quantile(1) / ours.quantile(1):.2f}x"
                f"  p50 {base.quantile(0.5) / ours.quantile(0.5):.2f}x"
                f"  server CPU {base.server_cpu_s / max(ours.server_cpu_s, 1e-9):.2f}x"
                f"  RSS/conn {base.rss_per_conn_kib / max(ours.rss_per_conn_kib, 1e-9):.2f}x"
            )
    print(
        "\nLatency: from the manifest file's rename to the client's recv(), median over the "
        "publishes of each publish's quantile; it includes the file watcher's 50 ms coalescing."
    )


def wakeup_microbench(n: int, rounds: int = 5) -> tuple[float, float]:
    """Median ms to wake `n` parked greenlets: startpunkt's Parking vs one gevent Event.

    In-process, no I/O: only the cost of the wake-up primitive itself.
    """
    import gevent
    from gevent.event import Event

    from startpunkt.events.parking import Parking

    woken, ready = [0], [0]

    def measure(wait: object, wake: object) -> float:
        def waiter() -> None:
            while True:
                ready[0] += 1
                wait()  # type: ignore[operator]
                woken[0] += 1

        greenlets = [gevent.spawn(waiter) for _ in range(n)]
        times = []
        for _ in range(rounds):
            while ready[0] < n:  # every waiter parked again
                gevent.sleep(0.01)
            ready[0] = woken[0] = 0
            started = time.perf_counter()
            wake()  # type: ignore[operator]
            while woken[0] < n:
                gevent.sleep(0)
            times.append((time.perf_counter() - started) * 1000)
        gevent.killall(greenlets)
        ready[0] = 0
        return statistics.median(times)

    parking = Parking()
    holder = [Event()]

    def event_wait() -> None:
        holder[0].wait()

    def event_wake() -> None:
        old, holder[0] = holder[0], Event()
        old.set()

    return measure(parking.park, parking.wake_all), measure(event_wait, event_wake)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", default="1000,10000", help="comma list of N")
    parser.add_argument("--publishes", type=int, default=5)
    parser.add_argument("--designs", default="startpunkt,baseline")
    args = parser.parse_args()
    limit = raise_file_limit()
    sizes = [int(n) for n in args.clients.split(",")]
    if max(sizes) + 100 > limit:
        sys.exit(f"RLIMIT_NOFILE hard limit {limit} is too low for {max(sizes)} clients")
    print(
        f"machine: {platform.node()} {platform.machine()} {os.cpu_count()} CPUs, "
        f"Python {platform.python_version()}, {platform.platform()}"
    )
    with contextlib.suppress(OSError):
        print(
            "cpu:",
            next(
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
        )
    print("command:", shlex.join([Path(sys.executable).name, *sys.argv]))
    print("load average before: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))
    parked, event = wakeup_microbench(10_000)
    print(
        f"wake-up of 10,000 parked greenlets (no I/O): Parking {parked:.1f} ms, "
        f"gevent Event {event:.1f} ms"
    )
    results = []
    with tempfile.TemporaryDirectory(prefix="fanout-") as workdir:
        for n in sizes:
            for design in args.designs.split(","):
                print(f"... {design} with {n} clients", flush=True)
                results.append(run(design, n, args.publishes, Path(workdir)))
    report(results)
    print("load average after: {:.2f} {:.2f} {:.2f}".format(*os.getloadavg()))


if __name__ == "__main__":
    main()
