"""The layering of SPEC §1 is checked, not only described.

`pyproject.toml` holds the import-linter contracts (pure mappers, model, catalog and SSE framing;
a web layer without Kubernetes or sources; no test doubles in the product). These tests run
them on the tree, show each can fail by breaking it in a copy, and prove the pure parts import
in an environment that has nothing but PyYAML and blinker.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import venv
from pathlib import Path

import blinker
import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(tree: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tree,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "COLUMNS": "400"},  # one line per contract
    )


def test_every_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("startpunkt/mappers/ingress.py", "import flask", "Mappers are pure"),
        ("startpunkt/catalog.py", "import gevent", "The model, the catalog and the SSE framing"),
        ("startpunkt/events/coalesce.py", "import flask", "The model, the catalog and the SSE"),
        ("startpunkt/web/page.py", "from startpunkt.sources import files", "The web layer"),
        ("startpunkt/events/feed.py", "import kubernetes", "Events know the catalog's items"),
        ("startpunkt/sse.py", "from testkit import wait", "Test doubles never ship"),
        ("startpunkt/sources/remote/http.py", "import kubernetes", "Following other instances"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, line: str, contract: str
) -> None:
    """The same contracts, run on a copy of the tree with one forbidden import added."""
    for part in ("startpunkt", "testkit"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    bad = tmp_path / module
    bad.write_text(bad.read_text() + f"\n{line}  # deliberately forbidden\n")

    result = lint_imports(tmp_path)

    assert result.returncode != 0
    broken = [row for row in result.stdout.splitlines() if row.endswith(" BROKEN")]
    assert any(row.startswith(contract) for row in broken), result.stdout


def test_the_pure_parts_import_with_only_pyyaml_and_blinker(tmp_path: Path) -> None:
    """A fresh virtual environment holding PyYAML and blinker, nothing else."""
    env = tmp_path / "venv"
    venv.create(env, with_pip=False)
    packages = tmp_path / "packages"
    packages.mkdir()
    for module in (yaml, blinker):
        source = Path(module.__file__).parent
        (packages / source.name).symlink_to(source)
    yaml_ext = Path(yaml.__file__).parent.parent / "_yaml"
    if yaml_ext.is_dir():
        (packages / "_yaml").symlink_to(yaml_ext)
    site = next((env / "lib").glob("python*/site-packages"))
    (site / "only.pth").write_text(f"{packages}\n")
    python = env / "bin" / "python"

    script = (
        "import importlib.util as u\n"
        "for absent in ('flask', 'werkzeug', 'gevent', 'kubernetes', 'urllib3'):\n"
        "    assert u.find_spec(absent) is None, absent\n"
        "import startpunkt.mappers, startpunkt.model, startpunkt.catalog, startpunkt.sse\n"
        "import startpunkt.rules, startpunkt.quoting, startpunkt.config_table\n"
        "import startpunkt.mappers.remote\n"
        "print('ok')\n"
    )
    result = subprocess.run(
        [str(python), "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
