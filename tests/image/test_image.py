"""The image, run as a cluster runs it: read-only, non-root, configured by mounts and variables.

Each test starts real containers of the session's image (conftest.py) and talks to them over
HTTP; the cluster is the test Kubernetes API server, running in this process on the host.
"""

from __future__ import annotations

import json
import os
import re
import socket
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

import startpunkt
from testkit import configmap, wait
from testkit.kubeapi import KubeApiServer
from testkit.live import free_port, ingress, ingress_yaml

from .support import Container, Image, podman

READY_DEADLINE = 60.0
"""A cold start is about a second here; the deadline leaves room for a loaded CI machine."""
SIZE_LIMIT = 300_000_000
"""Bytes, uncompressed: the issue's goal on debian:bookworm-slim."""
DEV_ONLY = ("pytest", "cryptography", "playwright", "importlinter", "hypothesis", "testkit")


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()
    except OSError:
        return 0, b""


def apps(container: Container) -> dict[str, str | None]:
    status, body = get(container.url + "/api/apps")
    if status != 200:
        return {}
    groups = json.loads(body)["groups"]
    return {a["name"]: a.get("url") for g in groups for a in g["applications"]}


def wait_ready(container: Container, timeout: float = READY_DEADLINE) -> float:
    try:
        return wait.wait_for(
            lambda: get(container.url + "/q/health/ready")[0] == 200,
            timeout=timeout,
            interval=0.05,
            what=f"{container.url}/q/health/ready",
        )
    except pytest.fail.Exception:
        print(container.logs())
        raise


def readable(path: Path) -> Path:
    """A directory the container's UID 10001 can read (pytest's tmp_path is 0700)."""
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o755)
    return path


def test_the_image_is_labelled_locked_down_and_small(image: Image):
    config = image.inspect["Config"]
    labels = config["Labels"]
    assert labels["org.opencontainers.image.licenses"] == "MIT"
    assert labels["org.opencontainers.image.version"] == startpunkt.__version__
    assert labels["org.opencontainers.image.source"].startswith("https://")
    assert config["User"] == "10001:10001"
    assert config["StopSignal"] == "SIGTERM"
    assert config["Entrypoint"] == ["gunicorn", "-c", "gunicorn.conf.py", "app:app"]
    assert config["WorkingDir"] == "/app"
    assert image.inspect["Size"] < SIZE_LIMIT, f"{image.inspect['Size'] / 1e6:.0f} MB"


def test_only_the_product_ships(image: Image):
    script = (
        "import importlib.util, os\n"
        f"print(sorted(m for m in {DEV_ONLY!r} if importlib.util.find_spec(m)))\n"
        "print(sorted(os.listdir('/app')))\n"
        "print(sorted(os.listdir('/app/examples')))\n"
    )
    result = podman("run", "--rm", "--entrypoint", "python", image.name, "-c", script)
    dev, app, examples = result.stdout.splitlines()
    assert dev == "[]"
    expected = ["LICENSE", "__pycache__", "app.py", "examples", "gunicorn.conf.py", "node_modules"]
    assert app == str(sorted([*expected, "startpunkt", "static", "templates"]))
    assert examples == "['homelab']"


def test_unconfigured_it_serves_the_bundled_example_on_port_8080(image: Image):
    """The README's `podman run -p 8080:8080 IMAGE`, on a free port of the loopback address."""
    port = free_port()
    name = f"startpunkt-test-plain-{port}"
    podman("run", "--detach", "--name", name, "-p", f"127.0.0.1:{port}:8080", image.name)
    try:
        container = Container(name, f"http://127.0.0.1:{port}")
        wait_ready(container)
        status, page = get(container.url + "/")
        assert status == 200 and b"Plex" in page
        assert "Plex" in apps(container)
    finally:
        podman("rm", "--force", "--time", "2", name, check=False)


def test_read_only_as_uid_10001_with_only_tmp_writable_and_json_logs(run_container):
    container = run_container(
        "--read-only",
        "--read-only-tmpfs=false",
        "--tmpfs=/tmp:rw,size=64m,mode=1777",
        port=free_port(),
        env={"STARTPUNKT_LOG_FORMAT": "json"},
    )
    wait_ready(container)
    status, page = get(container.url + "/")
    assert status == 200 and b"Home Assistant" in page
    assert apps(container)["Plex"] == "https://plex.home.arpa"
    # The npm data ships: icons drawn offline, and Swagger UI.
    icons = re.findall(rb"/icons/(?:mdi|simple-icons)/[0-9a-f]+/[a-z0-9-]+\.svg", page)
    assert icons, "the page draws no icon from the installed sets"
    status, svg = get(container.url + icons[0].decode())
    assert status == 200 and svg.startswith(b"<svg")
    assert get(container.url + "/q/swagger-ui")[0] == 200
    master = container.pid()
    workers = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    assert workers, "gunicorn has no worker"
    for pid in [master, *map(int, workers)]:
        status_lines = Path(f"/proc/{pid}/status").read_text().splitlines()
        uids = next(line for line in status_lines if line.startswith("Uid:")).split()[1:]
        assert uids == ["10001"] * 4, (pid, uids)
    lines = [line for line in container.logs().splitlines() if line.strip()]
    entries = [json.loads(line) for line in lines]  # every line one JSON object
    assert any(e["logger"] == "startpunkt.readiness" for e in entries)
    assert any(e["logger"] == "gunicorn.error" for e in entries)


def test_configmap_volumes_update_the_page_live(run_container, tmp_path: Path):
    """Manifests and application.yaml mounted as kubelet lays out ConfigMaps (`..data` swaps)."""
    manifests, settings = readable(tmp_path / "manifests"), readable(tmp_path / "config")
    configmap.mount(manifests, "2026_01_01", {"plex.yaml": ingress_yaml("plex", "Plex")})
    application = (
        "startpunkt:\n"
        "  web: {{title: {title}}}\n"
        "  manifests: {{enabled: true, directory: /manifests}}\n"
        "  kubernetes: {{enabled: false}}\n"
        "  availability: {{enabled: false}}\n"
    )
    configmap.mount(settings, "2026_01_01", {"application.yaml": application.format(title="Home")})
    container = run_container(
        f"--volume={manifests}:/manifests:ro",
        f"--volume={settings}:/config:ro",
        "--read-only",
        port=free_port(),
        env={"STARTPUNKT_CONFIG": "/config/application.yaml"},
    )
    wait_ready(container)
    assert apps(container) == {"Plex": "https://plex.home.arpa"}

    two = {"plex.yaml": ingress_yaml("plex", "Plex"), "jelly.yaml": ingress_yaml("jelly", "Jelly")}
    configmap.mount(manifests, "2026_01_02", two)
    wait.wait_for(lambda: "Jelly" in apps(container), timeout=10, what="Jelly after the swap")
    configmap.mount(settings, "2026_01_02", {"application.yaml": application.format(title="Lab")})

    def title() -> str:
        return json.loads(get(container.url + "/api/config")[1] or b"{}")["config"]["web"]["title"]

    wait.wait_for(lambda: title() == "Lab", timeout=10, what="the new title")
    configmap.mount(manifests, "2026_01_03", {"jelly.yaml": ingress_yaml("jelly", "Jelly")})
    wait.wait_for(lambda: set(apps(container)) == {"Jelly"}, timeout=10, what="Plex gone")


def test_a_mounted_kubeconfig_gives_the_clusters_applications(run_container, tmp_path: Path):
    """The cluster is the test API server on the host, over TLS with a token, as in a pod."""
    cluster = KubeApiServer(tls=True, token="s3cret", bookmark_interval=1.0).start()
    try:
        cluster.apply(ingress("plex", "Plex"))
        kube = readable(tmp_path / "kube")
        cluster.kubeconfig(kube / "config").chmod(0o644)
        container = run_container(
            f"--volume={kube}:/kube:ro",
            "--read-only",
            port=free_port(),
            env={
                "STARTPUNKT_KUBERNETES_ENABLED": "true",
                "STARTPUNKT_KUBERNETES_KUBECONFIG": "/kube/config",
                "STARTPUNKT_AVAILABILITY_ENABLED": "false",
            },
        )
        wait_ready(container)
        health = json.loads(get(container.url + "/q/health/ready")[1])
        checks = {c["name"]: c for c in health["checks"]}
        assert checks["source kube:ingresses.networking.k8s.io"]["data"]["state"] == "synced"
        assert apps(container) == {"Plex": "https://plex.home.arpa"}
        cluster.apply(ingress("jellyfin", "Jellyfin"))
        wait.wait_for(lambda: "Jellyfin" in apps(container), timeout=10, what="Jellyfin")
    finally:
        cluster.stop()


class Stream:
    """A raw SSE client: enough to hold a stream open and see how it ends."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        self.sock.sendall(b"GET /api/updates/stream HTTP/1.1\r\nHost: x\r\n\r\n")
        self.received = b""
        while b"HEARTBEAT" not in self.received:
            chunk = self.sock.recv(65536)
            assert chunk, "the stream closed before its first heartbeat"
            self.received += chunk

    def read_to_end(self, timeout: float) -> bool:
        """True if the server finished the response (terminating chunk) and closed."""
        self.sock.settimeout(timeout)
        try:
            while chunk := self.sock.recv(65536):
                self.received += chunk
        except OSError:
            return False
        finally:
            self.sock.close()
        return self.received.endswith(b"0\r\n\r\n")


def test_sigterm_with_open_streams_exits_within_five_seconds(run_container):
    port = free_port()
    container = run_container("--read-only", port=port)
    wait_ready(container)
    streams = [Stream(port) for _ in range(5)]
    started = time.monotonic()
    podman("kill", "--signal", "TERM", container.name)
    exit_code = int(podman("wait", container.name, timeout=30).stdout.strip())
    elapsed = time.monotonic() - started
    assert elapsed < 5.0, f"{elapsed:.1f} s"
    assert exit_code == 0, container.logs()
    assert all(s.read_to_end(timeout=5) for s in streams), "a stream was cut, not ended"
    assert "event streams opened=5 closed=5 open=0" in container.logs()


def test_a_configuration_error_is_one_line_and_a_failed_start(image: Image):
    result = podman(
        "run",
        "--rm",
        "--network=host",
        "--env=STARTPUNKT_REALTIME_HEARTBEATINTERVAL=fast",
        image.name,
        check=False,
    )
    assert result.returncode != 0
    assert result.stderr.splitlines() == [
        "startpunkt: configuration error: startpunkt.realtime.heartbeatInterval (from the "
        "environment variable STARTPUNKT_REALTIME_HEARTBEATINTERVAL): expected a "
        "duration like 30s, 500ms, 5m or PT30S, got str 'fast'"
    ]


def test_check_runs_in_the_image_against_mounted_manifests(image: Image, tmp_path: Path):
    manifests = readable(tmp_path / "manifests")
    (manifests / "plex.yaml").write_text(ingress_yaml("plex", "Plex"))
    (manifests / "broken.yaml").write_text("kind: [\n")
    for path in manifests.iterdir():
        path.chmod(0o644)
    result = podman(
        "run",
        "--rm",
        f"--volume={manifests}:/manifests:ro",
        "--entrypoint",
        "python",
        image.name,
        "-m",
        "startpunkt",
        "check",
        "/manifests",
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "/manifests/broken.yaml: not valid YAML" in result.stdout
    assert "Media / Plex -> https://plex.home.arpa" in result.stdout


def test_the_build_time_is_recorded(image: Image):
    assert image.build_seconds > 0
    assert os.environ.get("CI") is None or image.build_seconds < 900
