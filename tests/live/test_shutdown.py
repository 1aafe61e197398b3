"""SIGTERM with open streams: gunicorn exits quickly and every stream's cleanup runs.

Without the worker hooks in gunicorn.conf.py the streams would hold the worker until
`graceful_timeout` (30 s), it would be SIGKILLed and no cleanup would run. The worker logs
`event streams opened=N closed=N open=0` at exit: that line is the proof of cleanup.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

from testkit import wait
from testkit.live import ROOT, Server, files_env, free_port

STREAMS = 100
EXIT_BUDGET = 5.0


def test_sigterm_with_100_streams_exits_fast_and_cleans_every_stream(
    serve: Callable[..., Server], live: SimpleNamespace
) -> None:
    server = serve()
    streams = [live.stream(server.port) for _ in range(STREAMS)]
    for stream in streams:
        assert stream.head(timeout=30) == 200
        stream.until(lambda m: m.event == "HEARTBEAT", timeout=30)
    wait.wait_for(
        lambda: live.metric(server, "startpunkt_sse_clients") == STREAMS,
        timeout=10,
        interval=0.05,
        what="all subscribed",
    )

    signalled = time.monotonic()
    assert server.stop(timeout=30) == 0  # SIGTERM, then wait for the master to exit
    took = time.monotonic() - signalled
    assert took < EXIT_BUDGET, f"gunicorn took {took:.1f}s to exit"

    for stream in streams:
        stream.read_to_end(timeout=5)
        assert stream.finished  # each response ended properly, none was cut off
    log = server.log()
    counts = re.search(r"event streams opened=(\d+) closed=(\d+) open=(\d+)", log)
    assert counts is not None, log
    assert counts.groups() == (str(STREAMS), str(STREAMS), "0")
    assert "graceful timeout" not in log.lower()


def test_the_development_server_stops_cleanly_on_ctrl_c(
    manifests: Path, live: SimpleNamespace, tmp_path: Path
) -> None:
    port = free_port()
    env = {**os.environ, **files_env(manifests)}
    log = tmp_path / "dev.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "app.py", "--port", str(port)],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    stream = live.stream(port)
                    break
                except ConnectionRefusedError:
                    assert time.monotonic() < deadline, log.read_text()
                    time.sleep(0.1)
            stream.until(lambda m: m.event == "HEARTBEAT", timeout=30)
            signalled = time.monotonic()
            process.send_signal(signal.SIGINT)
            assert process.wait(timeout=10) == 0
            assert time.monotonic() - signalled < EXIT_BUDGET
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    stream.read_to_end(timeout=5)
    assert stream.finished
    output = log.read_text()
    assert "Traceback" not in output and "KeyboardInterrupt" not in output, output
