"""Watch a directory tree, or one file, and report which files changed.

watchdog does not run under gevent (FIELD-NOTES), so inotify is read in a greenlet after
`gevent.socket.wait_read(fd)`, with stat polling (about once a second) where inotify is missing.
Either way a change is *found* the same way: rescan and compare each file's (device, inode, size,
mtime, ctime) with the last scan. Events only say when to look, which makes renames, editors that
write a temp file and rename it, new subdirectories, a replaced directory and Kubernetes' ConfigMap
`..data` symlink swap ordinary cases instead of special ones.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gevent
import gevent.event
import gevent.socket

log = logging.getLogger(__name__)

Signature = tuple[int, int, int, int, int]
"""(device, inode, size, mtime_ns, ctime_ns) of a file, following symlinks."""
OnChange = Callable[[set[str]], None]

try:
    import inotify_simple
except ImportError:  # pragma: no cover - a pinned dependency; the fallback is tested by forcing it
    inotify_simple = None  # type: ignore[assignment]
else:
    # inotify_simple looks libc up with ctypes.util.find_library, which forks `ldconfig -p`; under
    # gevent that child can hang forever (seen in the test suite), stalling the first watcher.
    # The process's own symbols already include libc, so hand them over (inotify_simple 2.0.1).
    if getattr(inotify_simple, "_libc", None) is None:
        inotify_simple._libc = ctypes.CDLL(None, use_errno=True)

_MASK = 0x0002 | 0x0004 | 0x0008 | 0x0040 | 0x0080 | 0x0100 | 0x0200 | 0x0400 | 0x0800
"""MODIFY ATTRIB CLOSE_WRITE MOVED_FROM MOVED_TO CREATE DELETE DELETE_SELF MOVE_SELF."""
_IGNORED = 0x8000
_FINISHED = 0x0008 | 0x0040 | 0x0080 | 0x0200
"""CLOSE_WRITE MOVED_FROM MOVED_TO DELETE: a write or a move is over, the file is as it will be."""


@dataclass(frozen=True)
class WatchDir:
    """A directory to watch: its identity, and the entry names that matter (None: all)."""

    ident: tuple[int, int]
    names: frozenset[str] | None = None


@dataclass
class Scan:
    """What a scan found: the files to report on and the directories whose events matter."""

    files: dict[str, Signature] = field(default_factory=dict)
    dirs: dict[str, WatchDir] = field(default_factory=dict)
    complete: bool = True
    """False when a directory that should be watched does not exist: poll until it does."""

    def add_dir(self, path: str, names: frozenset[str] | None = None) -> bool:
        """Watch `path` (merging name filters); False when it does not exist."""
        try:
            st = os.stat(path)
        except OSError:
            return False
        old = self.dirs.get(path)
        if old is not None:
            names = None if old.names is None or names is None else old.names | names
        self.dirs[path] = WatchDir((st.st_dev, st.st_ino), names)
        return True


def signature(st: os.stat_result) -> Signature:
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def scan_tree(
    root: str, match: Callable[[str], bool], descend: Callable[[str], bool] | None = None
) -> Scan:
    """Every matching file under `root`, following symlinks, skipping hidden entries.

    Hidden entries (names starting with `.`) are editor swap files and the ConfigMap machinery
    (`..data`, `..2024_01_01_...`): the visible names are symlinks into them. `descend` says
    which subdirectories to enter (the manifest source keeps symlinks from leading out).
    """
    scan = Scan()
    parent, base = os.path.split(root)
    # The parent tells us when the root itself appears, vanishes or is replaced.
    scan.complete = scan.add_dir(parent or os.sep, frozenset({base}))
    stack, seen = [root], set()
    while stack:
        directory = stack.pop()
        try:
            st = os.stat(directory)
            if (st.st_dev, st.st_ino) in seen:  # a symlink loop
                continue
            seen.add((st.st_dev, st.st_ino))
            entries = list(os.scandir(directory))
        except OSError:
            continue
        scan.add_dir(directory)
        for entry in entries:
            if entry.name.startswith("."):
                continue
            try:
                if entry.is_dir():
                    if descend is None or descend(entry.path):
                        stack.append(entry.path)
                elif entry.is_file() and match(entry.path):
                    scan.files[entry.path] = signature(os.stat(entry.path))
                    if entry.is_symlink():
                        _watch_target(scan, entry.path)
            except OSError:  # vanished or unreadable between listing and stat
                continue
    return scan


def scan_file(path: str) -> Scan:
    """The one file `path`, watching its directory (and its symlink target's)."""
    scan = Scan()
    scan.complete = scan.add_dir(os.path.dirname(path) or os.curdir)
    with contextlib.suppress(OSError):
        scan.files[path] = signature(os.stat(path))
        _watch_target(scan, path)
    return scan


def _watch_target(scan: Scan, path: str) -> None:
    """Watch where a symlinked file really lives, so in-place edits there are seen too."""
    real = os.path.realpath(path)
    scan.add_dir(os.path.dirname(real), frozenset({os.path.basename(real)}))


class FileWatcher:
    """Calls `on_change(paths)` after each burst of changes to files, from its own greenlet.

    The first call comes after the first scan and names every file found (possibly none), unless
    `report_initial` is False. A finished write or move of a visible file (inotify's
    CLOSE_WRITE, MOVED_TO, MOVED_FROM, DELETE) is looked at at once; what follows it within
    `coalesce` seconds, and any change still in progress (MODIFY, CREATE, hidden temporary
    files), is gathered for up to `coalesce` seconds into one look. With inotify a full
    rescan also runs every `rescan_interval` seconds, in case an event was lost (NFS, FUSE).
    Built by `watch_tree` (the manifest directory) or `watch_file` (the config file); the
    cluster's counterpart is `kube.watching.ListWatch`.
    """

    def __init__(
        self,
        scan: Callable[[], Scan],
        on_change: OnChange,
        *,
        name: str,
        polling: bool = False,
        coalesce: float = 0.05,
        poll_interval: float = 1.0,
        rescan_interval: float = 30.0,
        report_initial: bool = True,
    ) -> None:
        self.name = name
        self._scan = scan
        self._on_change = on_change
        self._polling = polling or inotify_simple is None
        self._coalesce = coalesce
        self._poll_interval = poll_interval
        self._rescan_interval = rescan_interval
        self._report_initial = report_initial
        self._files: dict[str, Signature] = {}
        self._watches: dict[str, tuple[int, WatchDir]] = {}
        self._paths_by_wd: dict[int, set[str]] = {}
        self._unwatchable: set[str] = set()
        self._degraded = False
        self._quiet_until = 0.0
        """Until then even a finished write waits: the last look was less than `coalesce` ago."""
        self._greenlet: gevent.Greenlet | None = None
        self.scanned = gevent.event.Event()
        """Set once the first scan is done: later changes are reported from then on."""

    @property
    def mode(self) -> str:
        """How changes are noticed, `inotify` or `polling` (final once the greenlet runs)."""
        return "polling" if self._polling else "inotify"

    @property
    def greenlet(self) -> gevent.Greenlet | None:
        return self._greenlet

    def start(self) -> gevent.Greenlet:
        self._greenlet = gevent.spawn(self._run)
        return self._greenlet

    def stop(self) -> None:
        """End the greenlet (closing the inotify descriptor)."""
        if self._greenlet is not None:
            self._greenlet.kill()

    def _run(self) -> None:
        notify = None if self._polling else self._open()
        try:
            self._rescan(notify, set(), initial=True)
            while True:
                named = self._wait(notify)
                if named is not None:
                    self._rescan(notify, named, initial=False)
        finally:
            if notify is not None:
                notify.close()

    def _open(self) -> inotify_simple.INotify | None:
        try:
            return inotify_simple.INotify()
        except OSError as exc:
            log.warning("%s: inotify unavailable (%s); polling instead", self.name, exc)
            self._polling = True
            return None

    def _wait(self, notify: inotify_simple.INotify | None) -> set[str] | None:
        """Block until something may have changed; the paths events named, None if irrelevant."""
        if notify is None:
            gevent.sleep(self._poll_interval)
            return set()
        timeout = self._poll_interval if self._degraded else self._rescan_interval
        try:
            gevent.socket.wait_read(notify.fileno(), timeout=timeout)
        except TimeoutError:
            return set()
        gather_until = time.monotonic() + self._coalesce
        relevant, finished, named = False, False, set()
        while True:
            for event in notify.read(timeout=0):
                matters, done = self._judge(event, named)
                relevant |= matters
                finished |= matters and done
            now = time.monotonic()
            # A finished write is looked at now, unless we looked less than `coalesce` ago.
            look_at = max(now, self._quiet_until) if finished else gather_until
            if now >= look_at:
                break
            with contextlib.suppress(TimeoutError):
                gevent.socket.wait_read(notify.fileno(), timeout=look_at - now)
        self._quiet_until = time.monotonic() + self._coalesce
        return named if relevant else None

    def _judge(self, event: Any, named: set[str]) -> tuple[bool, bool]:
        """Whether an inotify event matters, and whether it finished a visible file's change.

        Adds the paths it names to `named`.
        """
        if event.mask & _IGNORED:  # a watch we removed, or one whose directory went away
            return False, False
        paths = self._paths_by_wd.get(event.wd)
        if paths is None:  # queue overflow (wd -1) or a watch already dropped: look anyway
            return True, True
        matters = False
        for path in paths:
            names = self._watches[path][1].names
            if names is None or event.name in names or not event.name:
                matters = True
                if event.name:
                    named.add(os.path.join(path, event.name))
        # Hidden names are editors' temporary files and the ConfigMap machinery: a visible
        # change follows them (the rename, the `..data` swap), so they only open a window.
        done = bool(event.mask & _FINISHED) and not event.name.startswith(".")
        return matters, done

    def _rescan(
        self, notify: inotify_simple.INotify | None, named: set[str], *, initial: bool
    ) -> None:
        scan = self._scan()
        # New directories get watches first, then a second look catches files created before
        # their watch existed; bounded, because a tree growing without end must not stall us.
        for _ in range(3):
            if notify is None or not self._sync_watches(notify, scan):
                break
            scan = self._scan()
        old, new = self._files, scan.files
        changed = {p for p in old.keys() | new.keys() if old.get(p) != new.get(p)}
        # Two writes within one mtime tick look identical; the event that named the file does not.
        changed |= named & new.keys()
        self._files = new
        self.scanned.set()
        if changed or (initial and self._report_initial):
            try:
                self._on_change(changed)
            except Exception:
                log.exception("%s: handling changes to %d file(s) failed", self.name, len(changed))

    def _sync_watches(self, notify: inotify_simple.INotify, scan: Scan) -> bool:
        """Make the inotify watches match the scan; True if any watch was added."""
        for path, (_, watched) in list(self._watches.items()):
            wanted = scan.dirs.get(path)
            if wanted is None or wanted.ident != watched.ident:
                self._unwatch(notify, path)
        added, failed = False, False
        for path, wanted in scan.dirs.items():
            if path in self._watches:
                self._watches[path] = (self._watches[path][0], wanted)
                continue
            try:
                wd = notify.add_watch(path, _MASK)
            except OSError as exc:
                failed = True
                if path not in self._unwatchable:  # once, not on every poll that follows
                    self._unwatchable.add(path)
                    log.warning("%s: cannot watch %s (%s); polling it", self.name, path, exc)
                continue
            self._unwatchable.discard(path)
            self._watches[path] = (wd, wanted)
            self._paths_by_wd.setdefault(wd, set()).add(path)
            added = True
        self._degraded = failed or not scan.complete
        return added

    def _unwatch(self, notify: inotify_simple.INotify, path: str) -> None:
        wd, _ = self._watches.pop(path)
        paths = self._paths_by_wd.get(wd, set())
        paths.discard(path)
        if not paths:  # one inode seen through two paths shares one watch descriptor
            self._paths_by_wd.pop(wd, None)
            with contextlib.suppress(OSError):  # the kernel already dropped it
                notify.rm_watch(wd)


def watch_tree(
    root: str,
    on_change: OnChange,
    *,
    match: Callable[[str], bool] | None = None,
    descend: Callable[[str], bool] | None = None,
    **options: Any,
) -> FileWatcher:
    """A watcher of every (matching) file under directory `root`, reported by absolute path."""
    root = os.path.abspath(root)
    wanted = match or (lambda _path: True)
    return FileWatcher(lambda: scan_tree(root, wanted, descend), on_change, name=root, **options)


def watch_file(path: str, on_change: OnChange, **options: Any) -> FileWatcher:
    """A watcher of the one file `path` (which may come and go, or be a swapped symlink)."""
    path = os.path.abspath(path)
    return FileWatcher(lambda: scan_file(path), on_change, name=path, **options)
