"""Start the real server (gunicorn, gevent workers) in a subprocess, for tests and benchmarks.

Binds 127.0.0.1 on a free port, waits for `/q/health/live` with a deadline, and stops with
SIGTERM (then SIGKILL) so no test leaves a server behind.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    """An ephemeral port on 127.0.0.1 that was free a moment ago."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """One gunicorn process serving `app:app` from the repository root."""

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        port: int | None = None,
        workers: int = 1,
        extra_args: tuple[str, ...] = (),
        log_path: Path | None = None,
    ) -> None:
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._env = {**os.environ, "STARTPUNKT_WORKERS": str(workers), **(env or {})}
        self._args = extra_args
        self._log_path = log_path
        self._log = None
        self.process: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30.0, *, ready: bool = False) -> Server:
        """Launch and wait until the server is live (or, with `ready`, has synced every source)."""
        probe = "/q/health/ready" if ready else "/q/health/live"
        cmd = [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{self.port}",
            "--no-control-socket",
            *self._args,
            "app:app",
        ]
        self._log = open(self._log_path, "wb") if self._log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            cmd, cwd=ROOT, env=self._env, stdout=self._log, stderr=subprocess.STDOUT
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
