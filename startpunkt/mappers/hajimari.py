"""Hajimari's custom resources (hajimari.io/v1alpha1): the spec fields they may use.

Homelabs moving from Hajimari keep their resources: `startpunkt_crd` maps them like Startpunkt's
own, restricted to these fields (no `urlFrom`, so a Hajimari author cannot read other objects).
The `startpunkt.ullberg.us/rootPath` and `/tags` annotations apply, as they did in the reference.
"""

from __future__ import annotations

APPLICATION_KEYS = frozenset(
    {"name", "group", "icon", "iconColor", "url", "info", "targetBlank", "location", "enabled"}
)
BOOKMARK_KEYS = frozenset({"name", "group", "icon", "url", "info", "targetBlank", "location"})
