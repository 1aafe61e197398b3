"""Hostile manifest files: each costs only itself, is named once in the log, and the rest serve.

Findings 1 and 2 of issue 12, against the real file source on real files: an alias bomb, files
past the caps, deep nesting, huge integers, non-UTF-8 and binary files, symlinks that loop or
lead out of the directory, a directory and a FIFO named like manifests, a file that vanishes
while the directory is read, and 5,000 files written at once.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import gevent
import pytest

from startpunkt.sources import files
from testkit import hostile
from testkit.live import ROOT

GOOD = [f"app{i}" for i in range(8)]


def write_good(kit, directory: Path) -> None:
    for name in GOOD:
        kit.write(directory / f"{name}.yaml", kit.ingress(name))


def names_logged(caplog, path: Path) -> int:
    """How many log lines name `path`."""
    return sum(str(path) in r.getMessage() for r in caplog.records)


def settled(kit, catalog, expected: list[str]) -> None:
    kit.wait_for(lambda: kit.names(catalog) == sorted(expected), timeout=20, what=expected)


def test_every_bad_file_costs_only_itself_and_is_named_once(
    kit, start_source, catalog, readiness, tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    directory = tmp_path / "m"
    write_good(kit, directory)
    bad = {
        "bomb.yaml": hostile.BOMB,
        "deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n",
        "flow.yaml": "[" * 300_000,
        "digits.yaml": "kind: Ingress\napiVersion: v1\nx: " + "9" * 5000 + "\n",
        "notyaml.yaml": "a: b: c\n  - [\n",
        "aliases.yaml": "a: &a x\nb: [" + ",".join(["*a"] * 1500) + "]\n",
    }
    for name, text in bad.items():
        (directory / name).write_text(text)
    (directory / "latin1.yaml").write_bytes("name: Gr\xf6\xdfe\n".encode("latin-1"))
    (directory / "binary.yaml").write_bytes(bytes(range(256)) * 64)
    (directory / "big.yaml").write_bytes(b"- x\n" * (3 * 1024 * 1024 // 4))
    start_source(directory)
    settled(kit, catalog, GOOD)
    assert readiness.sources()[f"files:{directory}"].objects == len(GOOD)
    for name in [*bad, "latin1.yaml", "binary.yaml", "big.yaml"]:
        assert names_logged(caplog, directory / name) == 1, name
    text = caplog.text
    assert "more than 250,000 YAML nodes" in text  # the bomb, refused before it expands
    assert "nested deeper than 64 levels" in text
    assert "more than 1,000 aliases" in text
    assert "not UTF-8 text (byte 0xf6 at offset 8)" in text
    assert "ValueError" in text and "4300" in text
    assert "more than 2,097,152" in text
    assert "Traceback" not in text


def test_a_bad_file_written_in_the_same_burst_as_good_ones_keeps_none_of_them_out(
    kit, start_source, catalog, readiness, tmp_path: Path
) -> None:
    """Finding 2: a RecursionError or ValueError used to abort the whole batch."""
    directory = tmp_path / "m"
    directory.mkdir()
    start_source(directory)
    (directory / "deep.yaml").write_text("[" * 5000 + "]" * 5000)
    (directory / "digits.yaml").write_text("x: " + "9" * 5000)
    write_good(kit, directory)
    settled(kit, catalog, GOOD)
    (directory / "deep.yaml").unlink()
    (directory / "digits.yaml").unlink()
    assert kit.stays(lambda: kit.names(catalog) == sorted(GOOD), seconds=0.5)
    assert readiness.sources()[f"files:{directory}"].state == "synced"


def test_after_a_restart_the_good_files_are_read_despite_the_bad_ones(
    kit, start_source, catalog, readiness, tmp_path: Path
) -> None:
    """Finding 2: after a restart the catalog was empty and readiness 503 for good."""
    directory = tmp_path / "m"
    write_good(kit, directory)
    (directory / "deep.yaml").write_text("[" * 5000 + "]" * 5000)
    (directory / "digits.yaml").write_text("x: " + "9" * 5000)
    start_source(directory)
    settled(kit, catalog, GOOD)
    status = readiness.sources()[f"files:{directory}"]
    assert (status.state, status.objects) == ("synced", len(GOOD))
    assert readiness.ready()


def test_a_big_file_is_parsed_off_the_event_loop(kit, start_source, catalog, tmp_path) -> None:
    """Finding 1: 1 MB stalled every stream and request for 4.5 s; the hub must keep going."""
    directory = tmp_path / "m"
    write_good(kit, directory)
    source = start_source(directory)
    lags: list[float] = []

    def tick() -> None:
        while True:
            started = time.monotonic()
            gevent.sleep(0.01)
            lags.append(time.monotonic() - started - 0.01)

    ticker = gevent.spawn(tick)
    try:
        items = "".join(f"- {{name: item{i}, value: {i}}}\n" for i in range(45_000))
        (directory / "list.yaml").write_text(items)  # 1.2 MB, 225,000 nodes: inside every cap
        kit.wait_for(lambda: str(directory / "list.yaml") in source._files, timeout=20)
    finally:
        ticker.kill()
    assert max(lags) < 0.5, f"the hub stalled {max(lags):.2f}s"


def test_symlinks_are_followed_only_inside_the_directory(
    kit, start_source, catalog, tmp_path: Path, caplog
) -> None:
    caplog.set_level(logging.WARNING)
    outside = tmp_path / "outside"
    kit.write(outside / "secret.yaml", kit.ingress("secret"))
    kit.write(outside / "sub" / "deep.yaml", kit.ingress("deep"))
    directory = tmp_path / "m"
    write_good(kit, directory)
    kit.write(directory / ".hidden" / "inner.yaml", kit.ingress("inner"))
    (directory / "out.yaml").symlink_to(outside / "secret.yaml")
    (directory / "outdir").symlink_to(outside / "sub")
    (directory / "root").symlink_to("/")
    (directory / "in.yaml").symlink_to(directory / ".hidden" / "inner.yaml")
    (directory / "loop.yaml").symlink_to(directory / "loop2.yaml")
    (directory / "loop2.yaml").symlink_to(directory / "loop.yaml")
    (directory / "dirloop").symlink_to(directory)
    (directory / "x.yaml").mkdir()
    kit.write(directory / "x.yaml" / "nested.yaml", kit.ingress("nested"))
    os.mkfifo(directory / "fifo.yaml")
    start_source(directory)
    settled(kit, catalog, [*GOOD, "inner", "nested"])
    for name in ("out.yaml", "outdir", "root"):
        assert names_logged(caplog, directory / name) == 1, name
    kit.write(outside / "secret.yaml", kit.ingress("secret", app_name="Changed"))
    assert kit.stays(lambda: "secret" not in kit.names(catalog), seconds=0.5)


def test_a_file_repointed_out_of_the_directory_is_withdrawn(
    kit, start_source, catalog, tmp_path: Path
) -> None:
    outside = tmp_path / "outside"
    kit.write(outside / "other.yaml", kit.ingress("other"))
    directory = tmp_path / "m"
    kit.write(directory / "real" / "one.yaml", kit.ingress("one"))
    (directory / "link.yaml").symlink_to(directory / "real" / "one.yaml")
    start_source(directory)
    settled(kit, catalog, ["one"])
    temporary = directory / ".link.tmp"
    temporary.symlink_to(outside / "other.yaml")
    os.replace(temporary, directory / "link.yaml")
    (directory / "real" / "one.yaml").unlink()
    settled(kit, catalog, [])


def test_files_vanishing_while_the_directory_is_read(kit, start_source, catalog, tmp_path) -> None:
    directory = tmp_path / "m"
    write_good(kit, directory)
    start_source(directory)
    settled(kit, catalog, GOOD)

    def churn() -> None:
        for i in range(300):
            path = directory / f"churn{i % 7}.yaml"
            path.write_text(kit.ingress(f"churn{i % 7}"))
            gevent.sleep(0)
            path.unlink()

    gevent.spawn(churn).join(timeout=30)
    settled(kit, catalog, GOOD)


def test_5000_files_at_once(kit, start_source, catalog, readiness, tmp_path: Path) -> None:
    directory = tmp_path / "m"
    directory.mkdir()
    source = start_source(directory)
    for i in range(5000):
        (directory / f"a{i:04d}.yaml").write_text(kit.ingress(f"a{i:04d}"))
    kit.wait_for(lambda: source.object_count() == 5000, timeout=60, what="5,000 files read")
    assert len(catalog.snapshot().applications) == 5000
    assert readiness.sources()[source.name].state == "synced"


def test_documents_past_the_cap_are_skipped_with_one_line(
    kit, start_source, catalog, settings_box, tmp_path: Path, caplog
) -> None:
    import dataclasses

    base = settings_box["settings"]
    settings_box["settings"] = dataclasses.replace(
        base, limits=dataclasses.replace(base.limits, max_objects_per_file=3)
    )
    directory = tmp_path / "m"
    kit.write(directory / "many.yaml", "---\n".join(kit.ingress(f"a{i}") for i in range(10)))
    start_source(directory)
    settled(kit, catalog, ["a0", "a1", "a2"])
    assert "7 documents past limits.maxObjectsPerFile (3) skipped" in caplog.text


DIE_READING = """
import os, signal, sys
from startpunkt.sources import quarantine
guard = quarantine.Quarantine(sys.argv[1], sys.argv[2])
guard.open()
with guard.reading(sys.argv[3], quarantine.signature(sys.argv[3])):
    os.kill(os.getpid(), signal.SIGKILL)  # as the OOM killer would, mid-parse
"""


@pytest.mark.parametrize("polling", [False, True])
def test_a_file_a_worker_died_reading_is_skipped_until_it_changes(
    kit, catalog, readiness, settings_box, tmp_path: Path, caplog, polling: bool
) -> None:
    """Finding 1: every new worker read the same file again, so the service stayed down."""
    directory, state = tmp_path / "m", tmp_path / "state"
    state.mkdir()
    write_good(kit, directory)
    killer = kit.write(directory / "killer.yaml", kit.ingress("killer"))
    died = subprocess.run(
        [sys.executable, "-c", DIE_READING, str(directory), str(state), str(killer)],
        cwd=ROOT,
        check=False,
    )
    assert died.returncode == -9 and len(list(state.iterdir())) == 1  # its marker

    def start() -> files.FileSource:
        source = files.FileSource(
            str(directory),
            catalog=catalog,
            readiness=readiness,
            settings=lambda: settings_box["settings"],
            guard_dir=str(state),
            polling=polling,
        )
        source.start()
        return source

    source = start()
    try:
        settled(kit, catalog, GOOD)
        assert names_logged(caplog, killer) == 1
        assert "a worker (pid" in caplog.text and "died while reading it" in caplog.text
    finally:
        source.stop()
    # The next worker skips it as well: the entry outlives the worker that made it.
    source = start()
    try:
        settled(kit, catalog, GOOD)
        kit.write(killer, kit.ingress("killer", app_name="Fixed"))
        settled(kit, catalog, [*GOOD, "Fixed"])
    finally:
        source.stop()
    assert [p.name for p in state.iterdir()] == []
