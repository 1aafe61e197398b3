"""Every blinker signal startpunkt sends, on one private namespace.

A catalog sends `item_changed` once per real change (content differs), with the item as it was
and as it is; what kind of change that is, `events.payloads.classify` decides, once, for every
receiver. The config watcher sends `config_changed`. The event feed is the main receiver, but
anything may connect (the prober, tests).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

item_changed = _signals.signal("item-changed")
"""Sent by a Catalog with ``old`` and ``new``: the item before and after (None: absent)."""
config_changed = _signals.signal("config-changed")
"""Sent by the app with ``config`` (the new Settings) after a live reload; every part that
follows the settings connects a receiver for its app in its ``init_app``."""
