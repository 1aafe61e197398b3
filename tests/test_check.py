"""`startpunkt check`: offline validation of a configuration and manifest directories.

It must show what the server would show (same parser, mappers, urlFrom and catalog), list each
object left out and why, name the file and the reason of every error, and exit non-zero on one.
The installed command is tried in tests/package/; here `cli.main` runs in-process.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

import startpunkt
from startpunkt import cli, config
from startpunkt.catalog import Catalog
from startpunkt.readiness import Readiness
from startpunkt.sources import files
from testkit import wait

INGRESS = """\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: {name}
  namespace: {namespace}
  annotations:{enable}
    startpunkt.ullberg.us/group: Media
spec:
  rules: [{{host: {name}.home.arpa}}]
"""


def ingress(name: str, *, namespace: str = "media", opted_in: bool = True) -> str:
    enable = '\n    startpunkt.ullberg.us/enable: "true"' if opted_in else ""
    return INGRESS.format(name=name, namespace=namespace, enable=enable)


def write(directory: Path, name: str, text: str) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(textwrap.dedent(text))
    return directory / name


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str]]:
    status = cli.main(["check", *args])
    return status, capsys.readouterr().out.splitlines()


def test_the_bundled_example_passes_and_shows_what_the_server_shows(capsys):
    status, lines = run(capsys, config.EXAMPLE_DIRECTORY)
    assert status == 0
    assert lines[-1] == "check passed"
    summary = lines[1]
    assert summary.startswith(f"{config.EXAMPLE_DIRECTORY}: ") and ", 0 errors" in summary

    served = Catalog()
    source = files.FileSource(
        config.EXAMPLE_DIRECTORY,
        catalog=served,
        readiness=(readiness := Readiness()),
        settings=config.Settings,
    )
    source.start()
    try:
        wait.wait_for(lambda: readiness.ready() and readiness.sources(), timeout=5, what="sync")
        snapshot = served.snapshot()
    finally:
        source.stop()
    expected = [
        f"    {item.group} / {item.name} -> {item.url}"
        for item in (*snapshot.applications, *snapshot.bookmarks)
    ]
    shown = [line.split("  (")[0].split(" [tags:")[0] for line in lines if " -> " in line]
    assert shown == expected


def test_a_broken_manifest_fails_naming_the_file_and_the_reason(tmp_path, capsys):
    directory = tmp_path / "manifests"
    write(directory, "plex.yaml", ingress("plex"))
    write(directory, "broken.yaml", "apiVersion: v1\nkind: [Ingress\n")
    write(
        directory,
        "apps.yaml",
        """\
        apiVersion: startpunkt.ullberg.us/v1alpha4
        kind: Application
        metadata: {name: nas, namespace: infra}
        spec: {name: NAS, url: "https://nas.home.arpa", location: first}
        """,
    )
    status, lines = run(capsys, str(directory))
    assert status == 1
    assert lines[-1] == "check failed: fix the errors above"
    errors = lines[lines.index("  errors:") + 1 :]
    assert any(
        line.startswith(f"    {directory}/broken.yaml: not valid YAML at line 3, column 1")
        for line in errors
    ), errors
    assert (
        f"    Application infra/nas: location: 'first' is not an integer, using 1000 "
        f"(in {directory}/apps.yaml)" in errors
    )
    assert any("Media / plex -> http://plex.home.arpa" in line for line in lines)


def test_objects_left_out_are_listed_with_the_reason(tmp_path, capsys):
    directory = tmp_path / "manifests"
    write(directory, "media.yaml", ingress("plex") + "---\n" + ingress("sabnzbd", opted_in=False))
    write(directory, "other.yaml", ingress("grafana", namespace="monitoring"))
    write(directory, "svc.yaml", "apiVersion: v1\nkind: Service\nmetadata: {name: plex}\n")
    settings = write(
        tmp_path,
        "application.yaml",
        "startpunkt:\n  namespaceSelector: {any: false, matchNames: [media]}\n",
    )
    status, lines = run(capsys, "--config", str(settings), str(directory))
    assert status == 0
    skipped = lines[lines.index("  skipped:") + 1 : lines.index("check passed")]
    assert skipped == [
        f"    {directory}/media.yaml: Ingress media/sabnzbd: not opted in (onlyAnnotated is on "
        'and no enable annotation says "true")',
        f"    {directory}/other.yaml: Ingress monitoring/grafana: namespace 'monitoring' is not "
        "in namespaceSelector.matchNames",
        f"    {directory}/svc.yaml: Service default/plex: not a kind startpunkt reads",
    ]
    assert lines[0] == f"configuration: {settings} (with STARTPUNKT_* overrides)"


def test_url_from_is_resolved_as_the_server_resolves_it(tmp_path, capsys):
    directory = tmp_path / "manifests"
    write(directory, "plex.yaml", ingress("plex"))
    write(
        directory,
        "portal.yaml",
        """\
        apiVersion: startpunkt.ullberg.us/v1alpha4
        kind: Application
        metadata: {name: portal, namespace: media}
        spec:
          name: Portal
          url: https://fallback.home.arpa
          urlFrom:
            apiVersion: networking.k8s.io/v1
            kind: Ingress
            name: plex
            property: spec.rules[0].host
            urlTemplate: "https://{0}/web"
        """,
    )
    status, lines = run(capsys, str(directory))
    assert status == 0
    portal = [line for line in lines if line.startswith("    media / Portal -> ")]
    assert portal and portal[0].startswith("    media / Portal -> https://plex.home.arpa/web")


def test_the_same_object_in_two_files_is_shown_once(tmp_path, capsys):
    directory = tmp_path / "manifests"
    write(directory, "a.yaml", ingress("plex"))
    write(directory, "b.yaml", ingress("plex"))
    status, lines = run(capsys, str(directory))
    assert status == 0
    assert sum(" -> http://plex.home.arpa" in line for line in lines) == 1
    duplicate = f"Ingress media/plex: the same item is in {directory}/a.yaml"
    assert f"    {directory}/b.yaml: {duplicate}" in lines


def test_a_configuration_error_fails_naming_the_key(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("STARTPUNKT_REALTIME_EVENTDEBOUNCEMS", "soon")
    status, lines = run(capsys, str(tmp_path))
    assert status == 1
    assert lines == [
        "configuration error: startpunkt.realtime.eventDebounceMs (from the environment variable "
        "STARTPUNKT_REALTIME_EVENTDEBOUNCEMS): expected an integer, "
        "got str 'soon'"
    ]


def test_a_missing_directory_is_an_error(tmp_path, capsys):
    status, lines = run(capsys, str(tmp_path / "nowhere"))
    assert status == 1
    assert f"    {tmp_path}/nowhere: not a directory" in lines


def test_without_directories_the_configured_directory_is_checked(tmp_path, capsys):
    directory = tmp_path / "manifests"
    write(directory, "plex.yaml", ingress("plex"))
    text = f"startpunkt:\n  manifests:\n    directory: {directory}\n"
    settings = write(tmp_path, "application.yaml", text)
    status, lines = run(capsys, "--config", str(settings))
    assert status == 0
    assert lines[1].startswith(f"{directory}: 1 files, 1 objects: 1 applications")


def test_version(capsys):
    with pytest.raises(SystemExit) as caught:
        cli.main(["--version"])
    assert caught.value.code == 0
    assert capsys.readouterr().out == f"startpunkt {startpunkt.__version__}\n"


def test_no_command_shows_the_commands_and_fails(capsys):
    assert cli.main([]) == 2
    out = capsys.readouterr().out
    assert "serve" in out and "check" in out
