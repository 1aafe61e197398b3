"""Live reload of the configuration file: edit `application.yaml`, no restart.

The file is watched (inotify, or polling where that is missing). A change is loaded with the
same rules as start-up, environment overrides included. A file that does not load (bad YAML, an
unknown key, a wrong type) is logged as an ERROR naming the key and the running settings stay.

The new settings replace `runtime.settings`, then `signals.config_changed` reaches every part the
same way: each part's `init_app` connected a receiver. Applies live: everything read per request
or per cycle from the settings (web title, theme, search engine, refreshInterval, realtime
switches and intervals), availability (the prober wakes, or starts), the manifest source (a new
`manifests.directory` or `manifests.enabled` restarts it; kind switches, `onlyAnnotated`,
`namespaceSelector`, `defaultProtocol` and `urlFrom.allowedKinds` re-map every file), the
cluster source (the same keys start, stop or re-map its informers), the followed instances
(`clusters.remote`: each entry that changed is started, stopped or restarted), and
`CONFIG_CHANGED` tells open pages. Needs a restart: `kubernetes.*` (which cluster and
credentials), and anything a part sized once at start-up; a change there is logged as a WARNING.
"""

from __future__ import annotations

import dataclasses
import logging
import os
from pathlib import Path
from typing import Any

from flask import Flask

from startpunkt import config, runtime, signals
from startpunkt.sources import fswatch

log = logging.getLogger(__name__)

RESTART_ONLY = ("startpunkt.kubernetes", "startpunkt.web.rootPath")
"""Key prefixes whose new values take effect only after a restart."""


def init_app(app: Flask) -> None:
    """Watch the configuration file, if the app was started from one."""
    rt = runtime.get(app)
    if not rt.config_path:
        return
    rt.config_watcher = fswatch.watch_file(
        rt.config_path, lambda _changed: apply(app), report_initial=False
    )
    rt.tasks.add(rt.config_watcher.start())


def apply(app: Flask) -> bool:
    """Load the configuration file again and apply it; False when nothing was applied."""
    rt = runtime.get(app)
    path = Path(str(rt.config_path))
    if path.is_file() and os.path.getsize(path) == 0:
        # An editor truncates before it writes; an empty file would silently mean all defaults.
        log.warning("%s is empty; keeping the running settings", path)
        return False
    try:
        new = config.load(path)
    except config.ConfigError as exc:
        log.error("configuration not applied, keeping the running settings: %s", exc)
        return False
    old = rt.settings
    if new == old:
        log.debug("%s changed, but not its settings", path)
        return False
    for key in changed_keys(old, new):
        if key.startswith(RESTART_ONLY):
            log.warning("%s changed in %s: takes effect after a restart", key, path)
    rt.settings = new
    signals.config_changed.send(app, config=new)
    log.info("configuration reloaded from %s", path)
    return True


def changed_keys(old: Any, new: Any, path: str = "startpunkt") -> list[str]:
    """The configuration keys (as written in the file) whose values differ."""
    if not dataclasses.is_dataclass(old):
        return [path] if old != new else []
    keys: list[str] = []
    for f in dataclasses.fields(old):
        keys += changed_keys(
            getattr(old, f.name), getattr(new, f.name), f"{path}.{config.camel(f.name)}"
        )
    return keys
