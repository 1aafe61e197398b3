"""`pip install .` gives a working `startpunkt` command and installs the product only.

The package is installed into a fresh virtual environment, and every command runs from a
directory outside the checkout, so nothing can be imported from the source tree by accident.
Dependencies come from the test environment through a `.pth` file (`pip install --no-deps`),
which keeps this offline and fast; the build runs hatchling from the test environment
(`--no-build-isolation`) with the version pyproject.toml asks for.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import sysconfig
import tomllib
import urllib.request
import venv
import zipfile
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace

import pytest
from packaging.requirements import Requirement

import startpunkt
from testkit import wait
from testkit.live import ROOT, free_port

PIP = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "-q"]
SHIPPED_DATA = {"templates/index.html", "gunicorn.conf.py", "examples/homelab/media.yaml"}
NEVER_SHIPPED = ("tests", "testkit", "bench", "docs", "deploy", "app.py", "conftest.py")


def _pyproject() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> SimpleNamespace:
    """A fresh venv with `pip install --no-deps .` done in it, and an empty working directory."""
    base = tmp_path_factory.mktemp("package")
    env = base / "venv"
    venv.create(env, with_pip=False)
    python = env / "bin" / "python"
    site = Path(
        subprocess.check_output(
            [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], text=True
        ).strip()
    )
    # Dependencies (and nothing of startpunkt: it is not installed there) from the test venv.
    (site / "deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [*PIP, "--python", str(python), "install", "--no-deps", "--no-build-isolation", "."],
        cwd=ROOT,
        check=True,
        timeout=300,
    )
    work = base / "work"
    work.mkdir()
    environ = {
        "PATH": f"{env / 'bin'}:/usr/bin:/bin",
        "HOME": str(base),
        "STARTPUNKT_KUBERNETES_ENABLED": "false",
        "STARTPUNKT_AVAILABILITY_ENABLED": "false",
    }
    return SimpleNamespace(env=env, site=site, work=work, environ=environ, python=python)


def _run(installed: SimpleNamespace, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(installed.env / "bin" / "startpunkt"), *args],
        cwd=installed.work,
        env=installed.environ,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_command_reports_its_version(installed):
    result = _run(installed, "--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout == f"startpunkt {startpunkt.__version__}\n"


def test_startpunkt_is_imported_from_the_installed_package(installed):
    result = subprocess.run(
        [installed.python, "-c", "import startpunkt, startpunkt.bundled as b; print(b.PACKAGE)"],
        cwd=installed.work,
        env=installed.environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == str(installed.site / "startpunkt")


def test_the_install_holds_the_product_only(installed):
    record = next(installed.site.glob("startpunkt-*.dist-info")) / "RECORD"
    paths = [row.split(",")[0] for row in record.read_text().splitlines()]
    outside = [p for p in paths if not p.startswith(("startpunkt/", "startpunkt-"))]
    assert outside == ["../../../bin/startpunkt"]
    inside = {p.removeprefix("startpunkt/") for p in paths if "__pycache__" not in p}
    assert inside >= SHIPPED_DATA
    assert not [p for p in inside if p.split("/")[0] in NEVER_SHIPPED]


def test_check_passes_on_the_example_and_on_the_bundled_copy(installed):
    result = _run(installed, "check", str(ROOT / "examples" / "homelab"))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[-1] == "check passed"
    bundled = _run(installed, "check")  # manifests.directory defaults to the bundled example
    assert bundled.returncode == 0, bundled.stdout
    summary = bundled.stdout.splitlines()[1]
    assert summary.startswith(f"{installed.site}/startpunkt/examples/homelab: ")
    assert summary.split(": ", 1)[1] == result.stdout.splitlines()[1].split(": ", 1)[1]


def test_check_fails_on_a_broken_manifest_naming_the_file_and_the_reason(installed, tmp_path):
    (tmp_path / "ok.yaml").write_text((ROOT / "examples" / "homelab" / "media.yaml").read_text())
    (tmp_path / "broken.yaml").write_text("kind: Ingress\nmetadata: {name: [x\n")
    result = _run(installed, "check", str(tmp_path))
    assert result.returncode == 1
    assert f"    {tmp_path}/broken.yaml: not valid YAML at line 3" in result.stdout
    assert result.stdout.splitlines()[-1] == "check failed: fix the errors above"


@pytest.fixture
def serving(installed) -> Iterator[SimpleNamespace]:
    port = free_port()
    process = subprocess.Popen(
        [
            str(installed.env / "bin" / "startpunkt"),
            "serve",
            "-b",
            f"127.0.0.1:{port}",
            "--no-control-socket",
        ],
        cwd=installed.work,
        env=installed.environ,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        yield SimpleNamespace(process=process, url=url)
    finally:
        if process.poll() is None:
            process.kill()
        process.wait(10)


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, response.read()
    except OSError:
        return 0, b""


def test_serve_runs_gunicorn_with_the_shipped_config_and_page(serving):
    wait.wait_for(lambda: _get(serving.url + "/q/health/ready")[0] == 200, timeout=60, what="ready")
    status, page = _get(serving.url + "/")
    assert status == 200 and b"Plex" in page  # the bundled example, rendered by its template
    assert _get(serving.url + "/static/css/startpunkt.css")[0] == 200
    openapi = json.loads(_get(serving.url + "/q/openapi?format=json")[1] or b"{}")
    assert openapi.get("info", {}).get("license", {}).get("identifier") == "MIT"
    serving.process.send_signal(signal.SIGTERM)
    assert serving.process.wait(30) == 0
    log = serving.process.stdout.read().decode()
    assert "Using worker: gevent" in log


def test_every_pinned_requirement_is_inside_its_declared_range():
    """requirements.txt (what the image ships and CI tests) within pyproject's ranges."""
    declared = {
        Requirement(r).name.lower(): Requirement(r) for r in _pyproject()["project"]["dependencies"]
    }
    pinned = {}
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            requirement = Requirement(line)
            pinned[requirement.name.lower()] = next(iter(requirement.specifier)).version
    assert set(pinned) == set(declared)
    for name, version in pinned.items():
        assert declared[name].specifier.contains(version), f"{name}=={version}"


def test_the_build_backend_asked_for_is_the_one_tested():
    requires = [Requirement(r) for r in _pyproject()["build-system"]["requires"]]
    (hatchling,) = [r for r in requires if r.name == "hatchling"]
    dev = (ROOT / "requirements-dev.txt").read_text()
    tested = next(line for line in dev.splitlines() if line.startswith("hatchling=="))
    assert hatchling.specifier.contains(tested.split("==")[1])


def test_the_wheel_holds_the_product_its_licence_and_version(tmp_path):
    subprocess.run(
        [*PIP, "wheel", "--no-deps", "--no-build-isolation", "-w", str(tmp_path), "."],
        cwd=ROOT,
        check=True,
        timeout=300,
        env={**os.environ},
    )
    (wheel,) = tmp_path.glob("startpunkt-*.whl")
    assert wheel.name == f"startpunkt-{startpunkt.__version__}-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        metadata = archive.read(f"startpunkt-{startpunkt.__version__}.dist-info/METADATA")
        names = archive.namelist()
    assert b"License-Expression: MIT" in metadata
    assert f"startpunkt-{startpunkt.__version__}.dist-info/licenses/LICENSE" in names
    assert all(n.startswith(("startpunkt/", "startpunkt-")) for n in names)
    assert not [n for n in names if n.endswith((".pyc", ".pyo")) or "__pycache__" in n]
    assert {f"startpunkt/{n}" for n in SHIPPED_DATA} <= set(names)
