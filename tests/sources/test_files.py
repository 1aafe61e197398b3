"""The manifest directory becomes the catalog: add, edit, delete and rename files.

Real files in tmp_path, a real Catalog, the real mappers; the source runs in greenlets, so each
change is awaited with a deadline.
"""

from __future__ import annotations

import logging
from pathlib import Path

from startpunkt.sources import files


def origin(path: Path) -> str:
    return files.ORIGIN_PREFIX + str(path)


def test_first_read_fills_the_catalog_and_reports_synced(
    kit, start_source, catalog, readiness, tmp_path: Path
):
    kit.write(tmp_path / "a.yaml", kit.ingress("alpha"))
    kit.write(tmp_path / "nested" / "b.yml", kit.ingress("beta"))
    kit.write(tmp_path / "notes.txt", kit.ingress("ignored"))
    source = start_source(tmp_path)
    assert kit.names(catalog) == ["alpha", "beta"]
    status = readiness.sources()[source.name]
    assert (source.name, status.state, status.objects) == (f"files:{tmp_path}", "synced", 2)
    assert set(catalog.items(origin(tmp_path / "a.yaml"))) == {"ingress/default/alpha"}


def test_add_edit_delete(kit, start_source, catalog, readiness, tmp_path: Path):
    source = start_source(tmp_path)
    assert kit.names(catalog) == []
    path = kit.write(tmp_path / "app.yaml", kit.ingress("plex", app_name="Plex"))
    kit.wait_for(lambda: kit.names(catalog) == ["Plex"], what="added")
    kit.write(path, kit.ingress("plex", app_name="Plex Media Server"))
    kit.wait_for(lambda: kit.names(catalog) == ["Plex Media Server"], what="edited")
    assert readiness.sources()[source.name].objects == 1
    path.unlink()
    kit.wait_for(lambda: kit.names(catalog) == [], what="deleted")
    assert catalog.origins() == []
    assert readiness.sources()[source.name].objects == 0


def test_rename_moves_the_items_to_the_new_origin(kit, start_source, catalog, tmp_path: Path):
    old = kit.write(tmp_path / "old.yaml", kit.ingress("grafana"))
    start_source(tmp_path)
    new = tmp_path / "new.yaml"
    old.rename(new)
    kit.wait_for(lambda: catalog.origins() == [origin(new)], what="origin follows the file")
    assert kit.names(catalog) == ["grafana"]


def test_one_file_changing_leaves_the_others_alone(kit, start_source, catalog, tmp_path: Path):
    kit.write(tmp_path / "a.yaml", kit.ingress("alpha"))
    b = kit.write(tmp_path / "b.yaml", kit.ingress("beta"))
    start_source(tmp_path)
    before = catalog.items(origin(tmp_path / "a.yaml"))
    kit.write(b, kit.ingress("beta", app_name="Beta 2"))
    kit.wait_for(lambda: kit.names(catalog) == ["Beta 2", "alpha"])
    assert catalog.items(origin(tmp_path / "a.yaml")) == before


def test_malformed_yaml_keeps_the_previous_items_until_fixed(
    kit, start_source, catalog, tmp_path: Path, caplog
):
    path = kit.write(tmp_path / "app.yaml", kit.ingress("plex", app_name="Plex"))
    start_source(tmp_path)
    caplog.set_level(logging.WARNING, logger="startpunkt.sources.files")
    path.write_text("apiVersion: networking.k8s.io/v1\nkind: Ingress\nmetadata: [unclosed\n")
    kit.wait_for(lambda: str(path) in caplog.text, what="a warning naming the file")
    assert "line 4, column 1" in caplog.text
    assert kit.names(catalog) == ["Plex"]
    kit.write(path, kit.ingress("plex", app_name="Plex fixed"))
    kit.wait_for(lambda: kit.names(catalog) == ["Plex fixed"], what="fixed file applied")


def test_a_file_that_never_parsed_contributes_nothing(
    kit, start_source, catalog, readiness, tmp_path: Path, caplog
):
    kit.write(tmp_path / "broken.yaml", "a: b: c\n")
    kit.write(tmp_path / "good.yaml", kit.ingress("good"))
    source = start_source(tmp_path)
    assert kit.names(catalog) == ["good"]
    assert readiness.sources()[source.name].state == "synced"
    assert "broken.yaml: not valid YAML at line 1, column 5" in caplog.text


def test_a_bad_document_or_object_does_not_affect_the_others(
    kit, start_source, catalog, tmp_path: Path, caplog
):
    path = kit.write(
        tmp_path / "mixed.yaml",
        kit.ingress("first")
        + "---\njust a string\n---\n- a\n- list\n---\nkind: Ingress\n"
        + "---\napiVersion: startpunkt.ullberg.us/v1alpha4\nkind: Bookmark\n"
        + "metadata: {namespace: links}\nspec: {name: Nameless, group: Links}\n"
        + "---\napiVersion: startpunkt.ullberg.us/v1alpha4\nkind: Application\n"
        + "metadata: {name: bad-location}\nspec: {name: Kept, url: 'https://kept.example.com',"
        + " location: abc}\n---\n"
        + kit.ingress("last"),
    )
    start_source(tmp_path)
    assert kit.names(catalog) == ["Kept", "first", "last"]
    assert f"{path}: document 2 is a str, not a mapping; skipped" in caplog.text
    assert f"{path}: document 3 is a list, not a mapping; skipped" in caplog.text
    assert f"{path}: document 4 has no apiVersion or kind; skipped" in caplog.text
    assert "Bookmark links/: " in caplog.text  # skipped: it has no name
    assert "Application default/bad-location: location: 'abc'" in caplog.text
    kept = catalog.snapshot().find_application("default", "Kept")
    assert kept is not None and kept.location == 1000


def test_problems_are_logged_once_per_object(kit, start_source, catalog, tmp_path: Path, caplog):
    bad = "apiVersion: startpunkt.ullberg.us/v1alpha4\nkind: Application\nmetadata: {name: x}\n"
    path = kit.write(tmp_path / "a.yaml", bad + "spec: {name: X, location: abc}\n")
    kit.write(tmp_path / "b.yaml", kit.ingress("other"))
    start_source(tmp_path)
    kit.write(tmp_path / "b.yaml", kit.ingress("other", app_name="Other 2"))
    kit.wait_for(lambda: "Other 2" in kit.names(catalog))
    path.write_text(bad + "spec: {name: X2, location: abc}\n")
    kit.wait_for(lambda: "X2" in kit.names(catalog))
    assert caplog.text.count("Application default/x: location:") == 1


def test_namespace_defaults_to_default(kit, start_source, catalog, tmp_path: Path):
    kit.write(
        tmp_path / "a.yaml",
        kit.ingress("plain") + "---\n" + kit.ingress("placed", namespace="media"),
    )
    start_source(tmp_path)
    snap = catalog.snapshot()
    assert {(a.namespace, a.group, a.id) for a in snap.applications} == {
        ("default", "default", "ingress/default/plain"),
        ("media", "media", "ingress/media/placed"),
    }


def test_multi_document_file_is_one_origin(kit, start_source, catalog, tmp_path: Path):
    path = kit.write(
        tmp_path / "all.yaml",
        kit.ingress("one")
        + "---\n"
        + kit.ingress("two")
        + "---\n---\n"
        + "apiVersion: startpunkt.ullberg.us/v1alpha4\nkind: Bookmark\nmetadata: {name: docs}\n"
        + "spec: {name: Docs, group: Links, url: 'https://docs.example.com'}\n",
    )
    start_source(tmp_path)
    assert catalog.origins() == [origin(path)]
    assert kit.names(catalog) == ["Docs", "one", "two"]
    kit.write(path, kit.ingress("two"))
    kit.wait_for(lambda: kit.names(catalog) == ["two"], what="documents removed from the file")


def test_new_subdirectory_is_read(kit, start_source, catalog, tmp_path: Path):
    start_source(tmp_path)
    kit.write(tmp_path / "team" / "apps" / "x.yaml", kit.ingress("deep"))
    kit.wait_for(lambda: kit.names(catalog) == ["deep"])


def test_remap_applies_new_settings_without_reading(
    kit, start_source, catalog, settings_box, tmp_path: Path
):
    import dataclasses

    from startpunkt.config import IngressSettings

    kit.write(tmp_path / "a.yaml", kit.ingress("web"))
    source = start_source(tmp_path)
    assert kit.names(catalog) == ["web"]
    settings_box["settings"] = dataclasses.replace(
        settings_box["settings"], ingress=IngressSettings(enabled=False)
    )
    source.remap()
    assert kit.names(catalog) == []


def test_stop_withdraws_everything(kit, catalog, readiness, settings_box, tmp_path: Path):
    from startpunkt.config import Settings

    kit.write(tmp_path / "a.yaml", kit.ingress("web"))
    source = files.FileSource(
        str(tmp_path), catalog=catalog, readiness=readiness, settings=Settings
    )
    greenlet = source.start()
    kit.wait_for(lambda: kit.names(catalog) == ["web"])
    source.stop()
    assert greenlet.dead
    assert catalog.origins() == []
    assert source.name not in readiness.sources()


def test_missing_directory_is_absent_until_it_appears(
    kit, start_source, catalog, readiness, tmp_path: Path
):
    directory = tmp_path / "manifests"
    source = start_source(directory)
    status = readiness.sources()[source.name]
    assert status.state == "absent" and "not a directory" in (status.last_error or "")
    kit.write(tmp_path / "staging" / "a.yaml", kit.ingress("late"))
    (tmp_path / "staging").rename(directory)
    kit.wait_for(lambda: kit.names(catalog) == ["late"])
    assert readiness.sources()[source.name].state == "synced"
