"""The container image, built once per test session from the root Containerfile, then run for real.

`deploy/image/build.sh` makes the Debian 12 slim base with mmdebstrap (no registry is reachable
here) and builds with podman, which runs containers here only with runc and without default
ulimits (FIELD-NOTES "Containers"; deploy/image/containers.conf). Without podman these tests
skip, except in CI (`CI` set), where that is a failure: `.ci/run` installs podman, runc and
mmdebstrap. How long the build took is written to `artifacts/image/build.txt`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
import uuid
from collections.abc import Iterator

import pytest

from testkit.live import ROOT

from .support import (
    ARTIFACTS,
    CONTAINERS_CONF,
    HOST_CA,
    IMAGE,
    Container,
    Image,
    podman,
    podman_command,
    unavailable,
)


@pytest.fixture(scope="session")
def image() -> Image:
    """The image as `deploy/image/build.sh` builds it from this checkout."""
    if shutil.which("podman") is None:
        unavailable("podman is not installed (apt-get install podman runc mmdebstrap)")
    if shutil.which("mmdebstrap") is None:
        unavailable("mmdebstrap is not installed (apt-get install mmdebstrap)")
    env = {
        **os.environ,
        "PODMAN": " ".join(podman_command()),
        "CONTAINERS_CONF": str(CONTAINERS_CONF),
    }
    if HOST_CA.exists() and "PIP_CERT" not in env:
        env["PIP_CERT"] = str(HOST_CA)  # a TLS-intercepting proxy's CA lives in the host bundle
    started = time.monotonic()
    result = subprocess.run(
        [str(ROOT / "deploy" / "image" / "build.sh"), IMAGE],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    seconds = time.monotonic() - started
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-4000:]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / "build.txt").write_text(f"deploy/image/build.sh {IMAGE}: {seconds:.1f} s\n")
    (info,) = json.loads(podman("image", "inspect", IMAGE).stdout)
    return Image(IMAGE, seconds, info)


@pytest.fixture
def run_container(image: Image) -> Iterator:
    """Start containers (detached, host network, bound to a free loopback port); removed after."""
    names: list[str] = []

    def run(*options: str, port: int, env: dict[str, str] | None = None) -> Container:
        name = f"startpunkt-test-{uuid.uuid4().hex[:10]}"
        names.append(name)
        environment = {"STARTPUNKT_BIND": f"127.0.0.1:{port}", **(env or {})}
        flags = [f"--env={k}={v}" for k, v in environment.items()]
        podman("run", "--detach", "--name", name, "--network=host", *flags, *options, image.name)
        return Container(name, f"http://127.0.0.1:{port}")

    yield run
    for name in names:
        podman("rm", "--force", "--time", "2", name, check=False, timeout=60)
