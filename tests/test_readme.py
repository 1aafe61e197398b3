"""README.md's two commands are the ones CI and newcomers run; keep them true."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _commands() -> list[str]:
    readme = (ROOT / "README.md").read_text()
    blocks = readme.split("```sh\n")[1:3]
    return [block.split("\n```")[0].strip() for block in blocks]


def test_ci_runs_the_readme_test_command_verbatim():
    _, run_tests = _commands()
    ci_lines = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert run_tests in ci_lines


def test_readme_run_command_starts_the_app_on_the_bundled_example():
    run_app, _ = _commands()
    assert run_app.endswith("app.py")
    assert (ROOT / "examples" / "homelab").is_dir()
