"""Without inotify the file source polls (about once a second) and sees the same changes.

The fallback is forced, so this runs on machines that do have inotify; deadlines allow a few
poll rounds on a busy CI machine.
"""

from __future__ import annotations

from pathlib import Path

from startpunkt.sources import files, fswatch

DEADLINE = 6.0


def test_polling_sees_add_edit_rename_delete(kit, start_source, catalog, tmp_path: Path):
    kit.write(tmp_path / "a.yaml", kit.ingress("alpha"))
    source = start_source(tmp_path, polling=True)
    assert source.watcher.mode == "polling"
    assert kit.names(catalog) == ["alpha"]
    b = kit.write(tmp_path / "sub" / "b.yaml", kit.ingress("beta"))
    kit.wait_for(lambda: kit.names(catalog) == ["alpha", "beta"], timeout=DEADLINE, what="add")
    kit.write(b, kit.ingress("beta", app_name="Beta, edited"))
    kit.wait_for(
        lambda: kit.names(catalog) == ["Beta, edited", "alpha"], timeout=DEADLINE, what="edit"
    )
    renamed = tmp_path / "renamed.yaml"
    b.rename(renamed)
    kit.wait_for(
        lambda: files.file_origin(str(renamed)) in catalog.origins(),
        timeout=DEADLINE,
        what="rename",
    )
    assert files.file_origin(str(b)) not in catalog.origins()
    (tmp_path / "a.yaml").unlink()
    kit.wait_for(lambda: kit.names(catalog) == ["Beta, edited"], timeout=DEADLINE, what="delete")


def test_inotify_failure_falls_back_to_polling(
    kit, start_source, catalog, tmp_path: Path, monkeypatch
):
    def unavailable() -> None:
        raise OSError(38, "Function not implemented")

    monkeypatch.setattr(fswatch.inotify_simple, "INotify", unavailable)
    source = start_source(tmp_path)
    assert source.watcher.mode == "polling"
    kit.write(tmp_path / "a.yaml", kit.ingress("alpha"))
    kit.wait_for(lambda: kit.names(catalog) == ["alpha"], timeout=DEADLINE)
