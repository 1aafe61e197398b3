"""Start the real server (gunicorn, gevent workers) in a subprocess, for tests and benchmarks.

Binds 127.0.0.1 on a free port, waits for `/q/health/live` with a deadline, and stops with
SIGTERM (then SIGKILL) so no test leaves a server behind. Also the few things every run against
it needs: a manifest directory with one Ingress, the settings for serving it, `/api/apps` read.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  namespace: media
  annotations:
    startpunkt.ullberg.us/enable: "true"
    startpunkt.ullberg.us/appName: {title}
    startpunkt.ullberg.us/group: Media
spec:
  tls: [{{hosts: [{name}.home.arpa]}}]
  rules: [{{host: {name}.home.arpa}}]
"""


def free_port() -> int:
    """An ephemeral port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def ingress_yaml(name: str, title: str) -> str:
    """An opted-in Ingress in namespace `media`, group Media, at https://<name>.home.arpa."""
    return INGRESS.format(name=name, title=json.dumps(title))


def ingress(name: str, title: str) -> dict[str, Any]:
    """The same Ingress as an object, for a test API server."""
    return yaml.safe_load(ingress_yaml(name, title))


def manifest_dir(directory: Path) -> Path:
    """Create `directory` holding one Ingress, Plex (`plex.yaml`)."""
    directory.mkdir()
    (directory / "plex.yaml").write_text(ingress_yaml("plex", "Plex"))
    return directory


def files_env(manifests: Path) -> dict[str, str]:
    """Settings to serve `manifests` alone: no cluster, no probes, no config file."""
    return {
        "STARTPUNKT_MANIFESTS_DIRECTORY": str(manifests),
        "STARTPUNKT_KUBERNETES_ENABLED": "false",
        "STARTPUNKT_AVAILABILITY_ENABLED": "false",
        "STARTPUNKT_CONFIG": "",
    }


def gunicorn_command(
    port: int, *, app: str = "app:app", extra_args: tuple[str, ...] = ()
) -> list[str]:
    """gunicorn with gunicorn.conf.py, as a pod runs it, bound to 127.0.0.1:`port`."""
    return [
        sys.executable,
        "-m",
        "gunicorn",
        "-c",
        "gunicorn.conf.py",
        "-b",
        f"127.0.0.1:{port}",
        "--no-control-socket",
        *extra_args,
        app,
    ]


def get_json(url: str) -> tuple[int, Any]:
    """Status and decoded JSON body (None when empty), error statuses included."""
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def apps(server: Server) -> dict[str, str | None]:
    """Name → URL of every untagged application `/api/apps` lists."""
    status, body = get_json(server.url + "/api/apps")
    assert status == 200, status
    return {a["name"]: a.get("url") for g in body["groups"] for a in g["applications"]}


class Server:
    """One gunicorn process serving `app` (default `app:app`) from the repository root."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        app: str = "app:app",
        port: int | None = None,
        workers: int = 1,
        extra_args: tuple[str, ...] = (),
        log_path: Path | None = None,
        open_files: int | None = None,
    ) -> None:
        """`open_files` lowers the server's open-file limit (soft and hard), as a pod's would be."""
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {**os.environ, "STARTPUNKT_WORKERS": str(workers), **(env or {})}
        self._app = app
        self._args = extra_args
        self._log_path = log_path
        self._open_files = open_files
        self._log = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0, *, ready: bool = False) -> Server:
        """Launch and wait until the server is live (or, with `ready`, has synced every source)."""
        probe = "/q/health/ready" if ready else "/q/health/live"
        limit = self._open_files
        cmd = [
            *(["prlimit", f"--nofile={limit}:{limit}", "--"] if limit else []),
            *gunicorn_command(self.port, app=self._app, extra_args=self._args),
        ]
        self._log = open(self._log_path, "wb") if self._log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=self._env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(self.url + probe, timeout=2) as r:
                    if r.status == 200:
                        return self
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"gunicorn did not answer within {timeout}s: {self.log()}")

    def worker_pids(self) -> list[int]:
        """The gunicorn workers now running (the master's children)."""
        assert self.process is not None
        out = subprocess.run(
            ["ps", "-o", "pid=", "--ppid", str(self.process.pid)],
            capture_output=True,
            text=True,
            check=False,
        ).stdout
        return sorted(int(pid) for pid in out.split())

    def full_log(self) -> str:
        """Everything the server wrote (when started with a log path)."""
        if self._log_path and self._log_path.exists():
            return self._log_path.read_text(errors="replace")
        return ""

    def log(self) -> str:
        """What the server wrote so far (when started with a log path)."""
        if self._log_path and self._log_path.exists():
            return self._log_path.read_text(errors="replace")[-4000:]
        return "(no log captured)"

    def signal(self, sig: int) -> None:
        assert self.process is not None
        self.process.send_signal(sig)

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM, wait, then SIGKILL; returns the exit code."""
        try:
            if self.process is None or self.process.poll() is not None:
                return self.process.returncode if self.process else None
            self.process.send_signal(signal.SIGTERM)
            try:
                return self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                return self.process.wait(5)
        finally:
            if self._log not in (None, subprocess.DEVNULL):
                self._log.close()

    def __enter__(self) -> Server:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
