"""What the container image weighs and how fast it starts: the figures in bench/README.md.

Builds the image with `deploy/image/build.sh` (a Debian 12 slim base made with mmdebstrap, as
no registry is reachable), then measures:

1. Size: uncompressed (what `podman image inspect` reports) and compressed (each layer gzipped,
   as `podman push` sends it, from `podman save --compress --format docker-dir`), layer by layer.
2. Start to ready: `--runs` times, a container is started as a pod runs it (read-only root,
   only /tmp writable, host network, the bundled example) and `/q/health/ready` is polled every
   10 ms; the time from invoking `podman run` to the first 200, and from `podman run` returning
   (the container's process is running) to the first 200.
3. Idle RSS: after the last start, 10 s idle, the VmRSS of gunicorn's master and its worker.

    python bench/image_bench.py [--runs 5] [--no-build]

podman runs with runc and deploy/image/containers.conf where runc is installed (FIELD-NOTES).
Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
IMAGE = "localhost/startpunkt:bench"
CONTAINERS_CONF = ROOT / "deploy" / "image" / "containers.conf"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")


def podman(*args: str, timeout: float = 300) -> str:
    command = ["podman", "--runtime", "runc"] if shutil.which("runc") else ["podman"]
    env = {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}
    result = subprocess.run(
        [*command, *args], capture_output=True, text=True, timeout=timeout, env=env, check=False
    )
    if result.returncode != 0:
        sys.exit(f"podman {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def build() -> float:
    env = {
        **os.environ,
        "PODMAN": "podman --runtime runc" if shutil.which("runc") else "podman",
        "CONTAINERS_CONF": str(CONTAINERS_CONF),
    }
    if HOST_CA.exists():
        env.setdefault("PIP_CERT", str(HOST_CA))
    started = time.monotonic()
    subprocess.run([str(ROOT / "deploy" / "image" / "build.sh"), IMAGE], env=env, check=True)
    return time.monotonic() - started


def layers() -> list[tuple[int, int, str]]:
    """(uncompressed, compressed, created by) per layer that holds files, base first."""
    history = json.loads(podman("history", "--format", "json", IMAGE))
    filled = [h for h in reversed(history) if h["size"] > 0]
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "image"
        podman("save", "--compress", "--format", "docker-dir", "-o", str(target), IMAGE)
        manifest = json.loads((target / "manifest.json").read_text())
        compressed = [layer["size"] for layer in manifest["layers"]]
    assert len(compressed) == len(filled), (len(compressed), len(filled))
    return [
        (h["size"], size, h.get("CreatedBy", h.get("createdBy", "")))
        for h, size in zip(filled, compressed, strict=True)
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ready(url: str) -> bool:
    try:
        with urllib.request.urlopen(url + "/q/health/ready", timeout=1) as response:
            return response.status == 200
    except OSError:
        return False


def start_once(name: str) -> tuple[float, float]:
    """Seconds from invoking `podman run`, and from its return, to ready."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    invoked = time.monotonic()
    podman(
        "run", "--detach", "--name", name, "--network=host", "--read-only",
        "--read-only-tmpfs=false", "--tmpfs=/tmp:rw,size=64m,mode=1777",
        f"--env=STARTPUNKT_BIND=127.0.0.1:{port}", IMAGE,
    )  # fmt: skip
    running = time.monotonic()
    deadline = running + 60
    while not ready(url):
        if time.monotonic() > deadline:
            sys.exit(f"{name} not ready within 60 s:\n{podman('logs', name)}")
        time.sleep(0.01)
    done = time.monotonic()
    return done - invoked, done - running


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--no-build", action="store_true", help=f"use {IMAGE} as it is")
    args = parser.parse_args()
    built = None if args.no_build else build()

    rows = layers()
    total, packed = sum(r[0] for r in rows), sum(r[1] for r in rows)
    print(f"image {IMAGE}: {total / 1e6:.1f} MB uncompressed, {packed / 1e6:.1f} MB compressed")
    print(f"{'uncompressed':>13} {'compressed':>11}  layer")
    for size, gz, created in rows:
        print(f"{size / 1e6:10.1f} MB {gz / 1e6:8.1f} MB  {' '.join(created.split())[:90]}")

    names = [f"startpunkt-bench-{os.getpid()}-{i}" for i in range(args.runs)]
    totals, afters = [], []
    try:
        for i, name in enumerate(names):
            total_s, after_s = start_once(name)
            totals.append(total_s)
            afters.append(after_s)
            if i < len(names) - 1:
                podman("rm", "--force", "--time", "2", name)
        time.sleep(10)
        (info,) = json.loads(podman("container", "inspect", names[-1]))
        master = int(info["State"]["Pid"])
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
        worker = int(children[0])
        master_rss, worker_rss = rss_kib(master), rss_kib(worker)
    finally:
        podman("rm", "--force", "--time", "2", names[-1])

    print(
        f"start to ready ({args.runs} runs, read-only, bundled example): from `podman run` "
        f"median {statistics.median(totals):.2f} s (min {min(totals):.2f}, max "
        f"{max(totals):.2f}); from the container running median {statistics.median(afters):.2f} s"
    )
    print(
        f"idle RSS after 10 s: master {master_rss / 1024:.1f} MiB, worker "
        f"{worker_rss / 1024:.1f} MiB, together {(master_rss + worker_rss) / 1024:.1f} MiB"
    )
    if built is not None:
        print(f"build (deploy/image/build.sh, cached base and layers as found): {built:.1f} s")
    load = os.getloadavg()[0]
    print(
        f"machine: nproc {os.cpu_count()}, {platform.machine()}, Linux {platform.release()}, "
        f"podman {podman('--version').split()[-1]}, load average {load:.2f}"
    )
    print(f"command: python bench/image_bench.py --runs {args.runs}")


if __name__ == "__main__":
    main()
