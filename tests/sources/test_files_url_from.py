"""urlFrom in the manifest directory: targets are other objects of the directory, found by
group, kind, namespace and name, and followed file by file as they change."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from startpunkt.catalog import Catalog
from startpunkt.config import UrlFromSettings
from startpunkt.model import Item
from startpunkt.sources import files

URL_FROM_APP = """\
apiVersion: startpunkt.ullberg.us/v1alpha4
kind: Application
metadata:
  name: overseerr
  namespace: media
spec:
  name: Overseerr
  url: https://fallback.example.com
  rootPath: /requests
  urlFrom:
    apiVersion: networking.k8s.io/v1
    kind: Ingress
    name: overseerr
    property: spec.rules[0].host
    urlTemplate: https://{0}
"""


def target_ingress(host: str) -> str:
    return f"""\
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata:
  name: overseerr
  namespace: media
spec:
  rules:
    - host: {host}
"""


def test_url_from_reads_another_file_and_follows_it(kit, start_source, catalog, tmp_path: Path):
    kit.write(tmp_path / "app.yaml", URL_FROM_APP)
    target = kit.write(tmp_path / "ingress.yaml", target_ingress("requests.home.arpa"))
    start_source(tmp_path)
    assert kit.app_url(catalog, "Overseerr") == "https://requests.home.arpa/requests"
    kit.write(target, target_ingress("overseerr.example.com"))
    kit.wait_for(
        lambda: kit.app_url(catalog, "Overseerr") == "https://overseerr.example.com/requests",
        what="re-resolved",
    )
    target.unlink()
    kit.wait_for(
        lambda: kit.app_url(catalog, "Overseerr") == "https://fallback.example.com/requests",
        what="fallback to url",
    )
    kit.write(tmp_path / "later.yaml", target_ingress("back.home.arpa"))
    kit.wait_for(
        lambda: kit.app_url(catalog, "Overseerr") == "https://back.home.arpa/requests",
        what="target back in another file",
    )


def test_url_from_target_in_the_same_file_and_missing(
    kit, start_source, catalog, tmp_path: Path, caplog
):
    kit.write(tmp_path / "both.yaml", URL_FROM_APP + "---\n" + target_ingress("one.home.arpa"))
    lonely = URL_FROM_APP.replace(
        "name: overseerr\n  namespace: media", "name: lonely\n  namespace: media"
    ).replace("Overseerr", "Lonely")
    kit.write(tmp_path / "lonely.yaml", lonely.replace("name: overseerr", "name: nowhere"))
    start_source(tmp_path)
    assert kit.app_url(catalog, "Overseerr") == "https://one.home.arpa/requests"
    assert kit.app_url(catalog, "Lonely") == "https://fallback.example.com/requests"
    assert "Ingress media/nowhere not found, using url" in caplog.text


def test_url_from_kind_must_be_allowed(kit, start_source, catalog, settings_box, tmp_path: Path):
    settings_box["settings"] = dataclasses.replace(
        settings_box["settings"], url_from=UrlFromSettings(allowed_kinds=("Service",))
    )
    kit.write(tmp_path / "both.yaml", URL_FROM_APP + "---\n" + target_ingress("one.home.arpa"))
    start_source(tmp_path)
    assert kit.app_url(catalog, "Overseerr") == "https://fallback.example.com/requests"


def test_a_target_is_any_version_of_its_group_but_not_another_group(
    kit, start_source, catalog, tmp_path: Path
):
    """As in a cluster, which serves one object in every version of its group."""
    older = target_ingress("old.home.arpa").replace(
        "networking.k8s.io/v1", "networking.k8s.io/v1beta1"
    )
    kit.write(tmp_path / "app.yaml", URL_FROM_APP)
    kit.write(tmp_path / "ingress.yaml", older)
    other = URL_FROM_APP.replace("name: overseerr\n  namespace", "name: other\n  namespace")
    other = other.replace("Overseerr", "Other").replace(
        "kind: Ingress", "kind: Ingress\n    apiGroup: example.com"
    )
    kit.write(tmp_path / "other.yaml", other)
    start_source(tmp_path)
    assert kit.app_url(catalog, "Overseerr") == "https://old.home.arpa/requests"
    assert kit.app_url(catalog, "Other") == "https://fallback.example.com/requests"


def test_a_target_in_two_files_is_read_from_the_first_by_path(
    kit, start_source, catalog, tmp_path: Path
):
    """The same rule as the catalog's for an item two files give: the first origin by name."""
    kit.write(tmp_path / "app.yaml", URL_FROM_APP)
    kit.write(tmp_path / "b.yaml", target_ingress("b.home.arpa"))
    first = kit.write(tmp_path / "a.yaml", target_ingress("a.home.arpa"))
    start_source(tmp_path)
    assert kit.app_url(catalog, "Overseerr") == "https://a.home.arpa/requests"
    first.unlink()
    kit.wait_for(
        lambda: kit.app_url(catalog, "Overseerr") == "https://b.home.arpa/requests",
        what="the other copy used",
    )


class WriteLog(Catalog):
    """The real catalog, noting which origins a source writes (an edit may come as two)."""

    def __init__(self) -> None:
        super().__init__()
        self.written: list[str] = []

    def replace(self, origin: str, items: Iterable[Item]) -> None:
        self.written.append(origin)
        super().replace(origin, items)


def test_an_edit_rewrites_only_its_file_and_the_files_following_what_it_touched(
    kit, readiness, settings_box, tmp_path: Path
):
    catalog = WriteLog()
    app = kit.write(tmp_path / "app.yaml", URL_FROM_APP)
    target = kit.write(tmp_path / "ingress.yaml", target_ingress("one.home.arpa"))
    other = kit.write(tmp_path / "other.yaml", kit.ingress("web"))
    source = files.FileSource(
        str(tmp_path),
        catalog=catalog,
        readiness=readiness,
        settings=lambda: settings_box["settings"],
    )
    source.start()
    try:
        kit.wait_for(lambda: kit.app_url(catalog, "Overseerr") == "https://one.home.arpa/requests")
        catalog.written.clear()

        kit.write(other, kit.ingress("web", app_name="Web"))
        kit.wait_for(lambda: "Web" in kit.names(catalog), what="the unrelated edit")
        assert set(catalog.written) == {files.file_origin(str(other))}

        catalog.written.clear()
        kit.write(target, target_ingress("two.home.arpa"))
        kit.wait_for(lambda: kit.app_url(catalog, "Overseerr") == "https://two.home.arpa/requests")
        assert set(catalog.written) == {files.file_origin(str(p)) for p in (app, target)}
    finally:
        source.stop()
