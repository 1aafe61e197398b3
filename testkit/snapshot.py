"""What a catalog holds, in the few shapes tests ask about: sorted names, one application's URL.

The file-source and cluster-source tests both check results through these, so a source's test
reads the same whichever source filled the catalog.
"""

from __future__ import annotations

from startpunkt import catalog as catalog_module


def names(catalog: catalog_module.Catalog) -> list[str]:
    """Names of every item (applications and bookmarks) in the catalog, sorted."""
    snap = catalog.snapshot()
    return sorted(i.name for i in (*snap.applications, *snap.bookmarks))


def app_url(catalog: catalog_module.Catalog, name: str) -> str | None:
    """The URL of the application called `name` (None if absent or without URL)."""
    for item in catalog.snapshot().applications:
        if item.name == name:
            return item.url
    return None
