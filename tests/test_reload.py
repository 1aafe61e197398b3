"""Editing application.yaml applies live; a broken edit is logged and changes nothing.

A real app with its real config watcher and file source, on files in tmp_path; every change is
awaited with a deadline.
"""

from __future__ import annotations

import logging
import textwrap
from collections.abc import Iterator
from pathlib import Path

import gevent
import pytest
from flask import Flask

import startpunkt
from startpunkt import config, reload, runtime, signals, sources
from testkit import configmap, wait

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  annotations: {{startpunkt.ullberg.us/enable: "true"}}
spec:
  rules: [{{host: {name}.example.com}}]
"""


def config_text(directory: Path, extra: str = "") -> str:
    return (
        textwrap.dedent(f"""\
        startpunkt:
          kubernetes: {{enabled: false}}
          availability: {{enabled: false}}
          manifests: {{directory: "{directory}"}}
        """)
        + extra
    )


@pytest.fixture
def dirs(tmp_path: Path) -> tuple[Path, Path]:
    one, two = tmp_path / "one", tmp_path / "two"
    for directory, name in ((one, "alpha"), (two, "beta")):
        directory.mkdir()
        (directory / f"{name}.yaml").write_text(INGRESS.format(name=name))
    return one, two


@pytest.fixture
def config_file(tmp_path: Path, dirs: tuple[Path, Path]) -> Path:
    path = tmp_path / "application.yaml"
    path.write_text(config_text(dirs[0]))
    return path


@pytest.fixture
def app(config_file: Path) -> Iterator[Flask]:
    """The app as `create_app` starts it, minus the prober: sources and config watcher."""
    app = startpunkt.create_app(config.load(config_file), start=False, config_path=str(config_file))
    sources.init_app(app)
    reload.init_app(app)
    rt = runtime.get(app)
    assert rt.config_watcher.scanned.wait(5.0)
    wait.wait_for(lambda: rt.readiness.ready() and names(app), what="first read")
    yield app
    gevent.killall(list(rt.tasks))


@pytest.fixture
def heard(app: Flask) -> Iterator[list[config.Settings]]:
    received: list[config.Settings] = []

    def receive(sender: Flask, *, config: config.Settings) -> None:
        received.append(config)

    signals.config_changed.connect(receive, sender=app)
    yield received
    signals.config_changed.disconnect(receive, sender=app)


def names(app: Flask) -> list[str]:
    return sorted(a.name for a in runtime.get(app).catalog.snapshot().applications)


def test_an_edit_changes_the_settings_and_sends_config_changed(app, heard, config_file, dirs):
    rt = runtime.get(app)
    assert rt.settings.web.title == "Startpunkt"
    config_file.write_text(config_text(dirs[0], "  web: {title: Homelab}\n"))
    wait.wait_for(lambda: rt.settings.web.title == "Homelab", what="new title")
    assert len(heard) == 1 and heard[0] is rt.settings
    assert names(app) == ["alpha"]


def test_a_broken_edit_keeps_the_settings_and_names_the_key(app, heard, config_file, dirs, caplog):
    rt = runtime.get(app)
    before = rt.settings
    config_file.write_text(config_text(dirs[0], "  web: {titel: Oops}\n"))
    wait.wait_for(lambda: "startpunkt.web.titel: unknown key" in caplog.text, what="error logged")
    record = next(r for r in caplog.records if "titel" in r.getMessage())
    assert record.levelno == logging.ERROR and "keeping the running settings" in record.getMessage()
    config_file.write_text(config_text(dirs[0], "  realtime: {eventDebounceMs: soon}\n"))
    wait.wait_for(
        lambda: "startpunkt.realtime.eventDebounceMs: expected an integer" in caplog.text,
        what="type error logged",
    )
    config_file.write_text("startpunkt: [not, a, mapping\n")
    wait.wait_for(lambda: "not valid YAML" in caplog.text, what="YAML error logged")
    assert rt.settings is before and heard == []
    config_file.write_text(config_text(dirs[0], "  web: {title: Fixed}\n"))
    wait.wait_for(lambda: rt.settings.web.title == "Fixed", what="the fixed file applied")
    assert len(heard) == 1


def test_an_unchanged_or_emptied_file_sends_nothing(app, heard, config_file, dirs, caplog):
    rt = runtime.get(app)
    before = rt.settings
    config_file.write_text(config_text(dirs[0]) + "# only a comment\n")
    config_file.write_text("")
    wait.wait_for(lambda: "is empty; keeping the running settings" in caplog.text, what="empty")
    assert rt.settings is before and heard == []


def test_a_new_manifest_directory_restarts_the_file_source(app, heard, config_file, dirs):
    rt = runtime.get(app)
    old_source = rt.files
    config_file.write_text(config_text(dirs[1]))
    wait.wait_for(lambda: names(app) == ["beta"], what="items of the new directory")
    assert rt.files is not old_source
    assert old_source.watcher.greenlet.dead and old_source.watcher.greenlet not in rt.tasks
    assert list(rt.readiness.sources()) == [f"files:{dirs[1]}"]
    (dirs[1] / "gamma.yaml").write_text(INGRESS.format(name="gamma"))
    wait.wait_for(lambda: names(app) == ["beta", "gamma"], what="the new directory is watched")


def test_kind_switches_remap_every_file(app, config_file, dirs):
    config_file.write_text(config_text(dirs[0], "  ingress: {enabled: false}\n"))
    wait.wait_for(lambda: names(app) == [], what="ingresses switched off")
    config_file.write_text(config_text(dirs[0], "  ingress: {enabled: true}\n"))
    wait.wait_for(lambda: names(app) == ["alpha"], what="ingresses back")


def test_manifests_can_be_switched_off_and_on(app, config_file, dirs):
    rt = runtime.get(app)
    config_file.write_text(
        config_text(dirs[0], "").replace("manifests: {", "manifests: {enabled: false, ")
    )
    wait.wait_for(lambda: rt.files is None and names(app) == [], what="source stopped")
    config_file.write_text(config_text(dirs[0]))
    wait.wait_for(lambda: names(app) == ["alpha"], what="source started again")


def test_restart_only_keys_are_applied_but_warned_about(app, config_file, dirs, caplog):
    rt = runtime.get(app)
    config_file.write_text(
        config_text(dirs[0]).replace("{enabled: false}", "{enabled: false, context: lab}", 1)
    )
    wait.wait_for(lambda: rt.settings.kubernetes.context == "lab", what="applied")
    assert "startpunkt.kubernetes.context changed" in caplog.text
    assert "takes effect after a restart" in caplog.text


def test_a_configmap_mounted_config_file_is_followed(tmp_path: Path, dirs):
    """The kubelet swaps `..data`; the file's path stays a symlink through it."""
    root = tmp_path / "config"
    configmap.mount(root, "1", {"application.yaml": config_text(dirs[0])})
    path = root / "application.yaml"
    app = startpunkt.create_app(config.load(path), start=False, config_path=str(path))
    reload.init_app(app)
    rt = runtime.get(app)
    try:
        assert rt.config_watcher.scanned.wait(5.0)
        text = config_text(dirs[0], "  web: {title: From the ConfigMap}\n")
        configmap.mount(root, "2", {"application.yaml": text})
        wait.wait_for(lambda: rt.settings.web.title == "From the ConfigMap", what="..data swap")
    finally:
        gevent.killall(list(rt.tasks))


def test_no_config_file_no_watcher():
    app = startpunkt.create_app(config.Settings(), start=False)
    runtime.get(app).config_path = None
    reload.init_app(app)
    assert runtime.get(app).config_watcher is None


def test_changed_keys_are_named_as_in_the_file():
    old = config.Settings()
    new = config.from_mapping(
        {
            "startpunkt": {
                "web": {"theme": {"dark": {"bodyColor": "#fff"}}},
                "realtime": {"eventDebounceMs": 100},
            }
        },
        {},
    )
    assert reload.changed_keys(old, new) == [
        "startpunkt.web.theme.dark.bodyColor",
        "startpunkt.realtime.eventDebounceMs",
    ]


def test_every_part_is_told_through_config_changed(app, config_file, dirs):
    """The reloader tells every part the same way: one `config_changed` with the new settings
    (the cluster source's receiver is tested in tests/sources/kube/test_kube_reconfigure.py)."""
    told: list[str] = []

    def receive(sender: Flask, *, config: config.Settings, **_: object) -> None:
        told.append(config.web.title)

    signals.config_changed.connect(receive, sender=app)
    config_file.write_text(config_text(dirs[0], "  web: {title: Told}\n"))
    wait.wait_for(lambda: told, what="config_changed sent")
    assert told == ["Told"]
    assert runtime.get(app).settings.web.title == "Told"
    signals.config_changed.disconnect(receive, sender=app)
