"""Helpers of the image tests: podman as it works here, a container, the built image."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from testkit.live import ROOT

IMAGE = "localhost/startpunkt:test"
CONTAINERS_CONF = ROOT / "deploy" / "image" / "containers.conf"
HOST_CA = Path("/etc/ssl/certs/ca-certificates.crt")
ARTIFACTS = Path(os.environ.get("STARTPUNKT_ARTIFACTS", ROOT / "artifacts")) / "image"


def podman_command() -> list[str]:
    """podman, with runc where it is installed (the default crun fails here)."""
    return ["podman", "--runtime", "runc"] if shutil.which("runc") else ["podman"]


def podman(*args: str, timeout: float = 120, check: bool = True) -> subprocess.CompletedProcess:
    env = {**os.environ, "CONTAINERS_CONF": str(CONTAINERS_CONF)}
    result = subprocess.run(
        [*podman_command(), *args], capture_output=True, text=True, timeout=timeout, env=env
    )
    if check and result.returncode != 0:
        raise AssertionError(f"podman {' '.join(args)}: {result.returncode}\n{result.stderr}")
    return result


def unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must run the image tests (.ci/run installs them)")
    pytest.skip(reason)


@dataclass
class Image:
    name: str
    build_seconds: float
    inspect: dict = field(default_factory=dict)


@dataclass
class Container:
    """One running container of the image."""

    name: str
    url: str

    def logs(self) -> str:
        result = podman("logs", self.name, check=False)
        return result.stdout + result.stderr

    def inspect(self) -> dict:
        (info,) = json.loads(podman("container", "inspect", self.name).stdout)
        return info

    def pid(self) -> int:
        return int(self.inspect()["State"]["Pid"])
