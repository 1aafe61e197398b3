"""The watcher reports which files changed, for every way a file can change, in both modes.

Each test runs with inotify and with the stat-polling fallback forced on, since a machine without
inotify must see the same changes (only later).
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from startpunkt.sources import fswatch

POLL = 0.1
"""Short poll interval, so the polling runs finish quickly; the default is about a second."""


class Recorder:
    """Collects every callback's set of changed paths."""

    def __init__(self) -> None:
        self.calls: list[set[str]] = []

    def __call__(self, changed: set[str]) -> None:
        self.calls.append(set(changed))

    def seen(self) -> set[str]:
        return set().union(*self.calls) if self.calls else set()

    def reset(self) -> None:
        self.calls.clear()


@pytest.fixture(params=["inotify", "polling"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def watch(mode: str):
    """Start a watcher (tree or file) in the parametrized mode; stopped at teardown."""
    watchers: list[fswatch.FileWatcher] = []

    def start(path: Path, *, file: bool = False, **options: object) -> Recorder:
        recorder = Recorder()
        factory = fswatch.watch_file if file else fswatch.watch_tree
        watcher = factory(
            str(path), recorder, polling=mode == "polling", poll_interval=POLL, **options
        )
        watcher.start()
        watchers.append(watcher)
        assert watcher.scanned.wait(5.0), "the first scan"
        return recorder

    yield start
    for watcher in watchers:
        watcher.stop()


def first_call(kit, recorder: Recorder) -> set[str]:
    kit.wait_for(lambda: recorder.calls, what="the first scan")
    initial = recorder.calls[0]
    recorder.reset()
    return initial


@contextlib.contextmanager
def watching_tree(
    kit, path: Path, **options: object
) -> Iterator[tuple[fswatch.FileWatcher, Recorder]]:
    """A tree watcher made here (not by the `watch` fixture), past its first call; then stopped."""
    rec = Recorder()
    watcher = fswatch.watch_tree(str(path), rec, **options)
    watcher.start()
    try:
        first_call(kit, rec)
        yield watcher, rec
    finally:
        watcher.stop()


def test_first_call_names_every_file_even_none(kit, watch, tmp_path: Path):
    kit.write(tmp_path / "a.yaml", "a: 1")
    kit.write(tmp_path / "sub" / "b.yml", "b: 1")
    assert first_call(kit, watch(tmp_path)) == {
        str(tmp_path / "a.yaml"),
        str(tmp_path / "sub" / "b.yml"),
    }
    empty = tmp_path / "empty"
    empty.mkdir()
    assert first_call(kit, watch(empty)) == set()


def test_create_modify_delete(kit, watch, tmp_path: Path):
    rec = watch(tmp_path)
    first_call(kit, rec)
    path = kit.write(tmp_path / "a.yaml", "a: 1")
    kit.wait_for(lambda: str(path) in rec.seen(), what="create")
    rec.reset()
    path.write_text("a: 22")
    kit.wait_for(lambda: str(path) in rec.seen(), what="modify")
    rec.reset()
    path.unlink()
    kit.wait_for(lambda: str(path) in rec.seen(), what="delete")


def test_a_rewrite_that_stat_cannot_see_is_seen(kit, tmp_path: Path, monkeypatch):
    """Two writes within one timestamp tick look identical to stat; the inotify event tells.

    File times come from a coarse clock (milliseconds), so the test makes the clock coarser
    still: signatures without times, where only the named event can reveal the rewrite.
    """
    monkeypatch.setattr(fswatch, "signature", lambda st: (st.st_dev, st.st_ino, st.st_size, 0, 0))
    path = kit.write(tmp_path / "a.yaml", "a: 1")
    with watching_tree(kit, tmp_path) as (_, rec):
        with open(path, "w") as f:  # same inode, same size
            f.write("a: 2")
        kit.wait_for(lambda: str(path) in rec.seen(), what="rewrite")


def test_rename_within_into_and_out_of_the_tree(kit, watch, tmp_path: Path):
    root, outside = tmp_path / "root", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    a = kit.write(root / "a.yaml", "a: 1")
    rec = watch(root)
    first_call(kit, rec)
    b = root / "b.yaml"
    a.rename(b)
    kit.wait_for(lambda: {str(a), str(b)} <= rec.seen(), what="rename within")
    rec.reset()
    moved_out = outside / "b.yaml"
    b.rename(moved_out)
    kit.wait_for(lambda: str(b) in rec.seen(), what="move out")
    rec.reset()
    kit.write(outside / "c.yaml", "c: 1").rename(root / "c.yaml")
    kit.wait_for(lambda: str(root / "c.yaml") in rec.seen(), what="move in")


def test_editor_temp_file_then_rename(kit, watch, tmp_path: Path):
    """Editors write `.name.swp`/`name~`, then rename over the file: only the file is reported."""
    path = kit.write(tmp_path / "app.yaml", "a: 1")
    rec = watch(tmp_path, match=lambda p: p.endswith(".yaml"))
    first_call(kit, rec)
    temp = kit.write(tmp_path / ".app.yaml.swp", "a: 2")
    backup = kit.write(tmp_path / "app.yaml~", "a: 1")
    os.replace(temp, path)
    kit.wait_for(lambda: str(path) in rec.seen(), what="replace")
    assert rec.seen() == {str(path)}
    assert backup.exists()


def test_new_subdirectory_and_its_files(kit, watch, tmp_path: Path):
    rec = watch(tmp_path)
    first_call(kit, rec)
    deep = kit.write(tmp_path / "x" / "y" / "z.yaml", "z: 1")
    kit.wait_for(lambda: str(deep) in rec.seen(), what="file in new subdirectories")
    rec.reset()
    deep.write_text("z: 2 changed")
    kit.wait_for(lambda: str(deep) in rec.seen(), what="edit in new subdirectory")
    rec.reset()
    (tmp_path / "x" / "y" / "z.yaml").unlink()
    (tmp_path / "x" / "y").rmdir()
    kit.wait_for(lambda: str(deep) in rec.seen(), what="delete in subdirectory")


def test_hidden_entries_are_not_reported(kit, watch, tmp_path: Path):
    rec = watch(tmp_path)
    first_call(kit, rec)
    kit.write(tmp_path / ".hidden.yaml", "h: 1")
    kit.write(tmp_path / ".git" / "config.yaml", "h: 1")
    visible = kit.write(tmp_path / "visible.yaml", "v: 1")
    kit.wait_for(lambda: str(visible) in rec.seen(), what="visible file")
    assert rec.seen() == {str(visible)}


def test_the_watched_directory_replaced_or_created_later(kit, watch, tmp_path: Path):
    root = tmp_path / "root"
    rec = watch(root)
    assert first_call(kit, rec) == set()
    kit.write(tmp_path / "staging" / "a.yaml", "a: 1")
    (tmp_path / "staging").rename(root)
    kit.wait_for(lambda: str(root / "a.yaml") in rec.seen(), what="directory appears")
    rec.reset()
    kit.write(tmp_path / "next" / "b.yaml", "b: 1")
    root.rename(tmp_path / "old")
    (tmp_path / "next").rename(root)
    kit.wait_for(
        lambda: {str(root / "a.yaml"), str(root / "b.yaml")} <= rec.seen(),
        what="directory replaced",
    )
    rec.reset()
    (root / "b.yaml").write_text("b: 2 changed")  # the new directory is watched now
    kit.wait_for(lambda: str(root / "b.yaml") in rec.seen(), what="edit after replacement")


def test_configmap_data_symlink_swap(kit, watch, tmp_path: Path):
    root = tmp_path / "config"
    kit.configmap_volume(root, "2024_01_01_1", {"apps.yaml": "a: 1"})
    rec = watch(root)
    assert first_call(kit, rec) == {str(root / "apps.yaml")}
    kit.configmap_volume(root, "2024_01_01_2", {"apps.yaml": "a: 2"})
    kit.wait_for(lambda: rec.seen() == {str(root / "apps.yaml")}, what="..data swap")
    assert (root / "apps.yaml").read_text() == "a: 2"


def test_watch_one_file(kit, watch, tmp_path: Path):
    path = tmp_path / "application.yaml"
    rec = watch(path, file=True, report_initial=False)
    kit.write(tmp_path / "other.yaml", "o: 1")
    kit.write(path, "a: 1")
    kit.wait_for(lambda: rec.seen() == {str(path)}, what="file created")
    rec.reset()
    temp = kit.write(tmp_path / "application.yaml.tmp", "a: 22")
    os.replace(temp, path)
    kit.wait_for(lambda: rec.seen() == {str(path)}, what="file replaced")
    rec.reset()
    path.unlink()
    kit.wait_for(lambda: rec.seen() == {str(path)}, what="file deleted")


def test_watch_one_file_in_a_configmap_mount(kit, watch, tmp_path: Path):
    root = tmp_path / "config"
    kit.configmap_volume(root, "1", {"application.yaml": "a: 1"})
    path = root / "application.yaml"
    rec = watch(path, file=True, report_initial=False)
    kit.configmap_volume(root, "2", {"application.yaml": "a: 2"})
    kit.wait_for(lambda: rec.seen() == {str(path)}, what="..data swap")


def test_a_burst_is_coalesced(kit, tmp_path: Path):
    with watching_tree(kit, tmp_path, coalesce=0.2) as (_, rec):
        for i in range(30):
            (tmp_path / f"f{i}.yaml").write_text("x")
        kit.wait_for(lambda: len(rec.seen()) == 30, what="all 30 files")
        assert len(rec.calls) <= 3


def test_a_finished_write_is_looked_at_at_once(kit, tmp_path: Path):
    # The window only gathers what follows: a saved file is reported without waiting for it.
    with watching_tree(kit, tmp_path, coalesce=3.0) as (_, rec):
        temporary = tmp_path / ".app.yaml.tmp"
        temporary.write_text("x")
        started = time.monotonic()
        os.replace(temporary, tmp_path / "app.yaml")  # as editors save
        kit.wait_for(lambda: rec.calls, timeout=2.5, what="the saved file")
        assert time.monotonic() - started < 2.0  # well before the 3 s window would close
        assert rec.calls == [{str(tmp_path / "app.yaml")}]
        rec.reset()
        (tmp_path / "one.yaml").write_text("1")  # looked at at once as well, then
        (tmp_path / "two.yaml").write_text("2")  # the rest of the burst is gathered
        (tmp_path / "three.yaml").write_text("3")
        kit.wait_for(lambda: len(rec.seen()) == 3, timeout=8.0, what="the burst")
        assert len(rec.calls) <= 2


def test_a_failing_callback_does_not_stop_the_watcher(kit, tmp_path: Path, caplog):
    calls: list[set[str]] = []

    def on_change(changed: set[str]) -> None:
        calls.append(changed)
        if len(calls) == 2:
            raise RuntimeError("boom")

    watcher = fswatch.watch_tree(str(tmp_path), on_change)
    watcher.start()
    try:
        kit.wait_for(lambda: calls)
        kit.write(tmp_path / "a.yaml", "a: 1")
        kit.wait_for(lambda: len(calls) == 2)
        kit.write(tmp_path / "b.yaml", "b: 1")
        kit.wait_for(lambda: len(calls) == 3, what="a call after the failure")
    finally:
        watcher.stop()
    assert "boom" in caplog.text


def test_without_inotify_it_polls(kit, tmp_path: Path, monkeypatch, caplog):
    def unavailable() -> None:
        raise OSError(24, "Too many open files")

    monkeypatch.setattr(fswatch.inotify_simple, "INotify", unavailable)
    with watching_tree(kit, tmp_path, poll_interval=POLL) as (watcher, rec):
        assert watcher.mode == "polling"
        assert "inotify unavailable" in caplog.text
        path = kit.write(tmp_path / "a.yaml", "a: 1")
        kit.wait_for(lambda: str(path) in rec.seen())


def test_stop_ends_the_greenlet_and_closes_inotify(kit, tmp_path: Path):
    watcher = fswatch.watch_tree(str(tmp_path), Recorder())
    greenlet = watcher.start()
    kit.wait_for(lambda: watcher._watches, what="watches set up")
    fds_before = len(os.listdir("/proc/self/fd"))
    watcher.stop()
    assert greenlet.dead
    assert len(os.listdir("/proc/self/fd")) == fds_before - 1


def test_inotify_starts_without_forking_to_find_libc(kit, tmp_path: Path, monkeypatch):
    """Bug: inotify_simple found libc with find_library, which forks `ldconfig -p`; under gevent
    that child hung after other tests, so the first watcher never scanned (the suite's first file
    test timed out). Fix: fswatch hands inotify_simple the process's libc, no subprocess."""

    def no_subprocess(name: str) -> str:
        raise AssertionError("find_library would fork")

    monkeypatch.setattr(fswatch.inotify_simple, "find_library", no_subprocess)
    with watching_tree(kit, tmp_path) as (watcher, _):
        assert watcher.mode == "inotify"


def test_a_directory_that_cannot_be_watched_is_polled(kit, tmp_path: Path, monkeypatch, caplog):
    """Past the inotify watch limit (ENOSPC) the rest still works; that part is polled."""
    add_watch = fswatch.inotify_simple.INotify.add_watch

    def limited(self, path: str, mask: int) -> int:
        if path.endswith("full"):
            raise OSError(28, "No space left on device")
        return add_watch(self, path, mask)

    monkeypatch.setattr(fswatch.inotify_simple.INotify, "add_watch", limited)
    with watching_tree(kit, tmp_path, poll_interval=POLL) as (watcher, rec):
        path = kit.write(tmp_path / "full" / "a.yaml", "a: 1")
        kit.wait_for(lambda: str(path) in rec.seen(), what="file in the unwatchable directory")
        rec.reset()
        path.write_text("a: 2 changed")
        kit.wait_for(lambda: str(path) in rec.seen(), what="edit there")
        assert watcher.mode == "inotify"
        assert caplog.text.count("cannot watch") == 1
