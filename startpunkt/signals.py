"""Every blinker signal startpunkt sends, on one private namespace.

The catalog sends the item signals after each real change (content differs); the availability
prober's results arrive as `status_changed`; the config watcher sends `config_changed`. The event
broadcaster is the main receiver, but anything may connect (tests, metrics).
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

application_added = _signals.signal("application-added")
"""Sent with ``item`` (the new Application)."""
application_updated = _signals.signal("application-updated")
"""Sent with ``item`` (the new Application) and ``previous``."""
application_removed = _signals.signal("application-removed")
"""Sent with ``item`` (the Application as it was last)."""
bookmark_added = _signals.signal("bookmark-added")
"""Sent with ``item`` (the new Bookmark)."""
bookmark_updated = _signals.signal("bookmark-updated")
"""Sent with ``item`` (the new Bookmark) and ``previous``."""
bookmark_removed = _signals.signal("bookmark-removed")
"""Sent with ``item`` (the Bookmark as it was last)."""
status_changed = _signals.signal("status-changed")
"""Sent with ``item`` (the Application, ``available`` already updated) and ``previous``."""
config_changed = _signals.signal("config-changed")
"""Sent by the app with ``config`` (the new Settings) after a live reload; every part that
follows the settings connects a receiver for its app in its ``init_app``."""
