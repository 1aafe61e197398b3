"""A file that was being read when a worker died is skipped by the next worker, until it changes.

The parser has caps and runs in a thread, but if a file still kills the process (a bug in
LibYAML, the kernel's OOM killer), gunicorn starts a new worker that would read the same file
first thing and die the same way: the service stays down until someone removes the file. So
each file source keeps a marker, a small file under the temporary directory naming the file it
is reading (path and stat signature), emptied when the read ends. A new source finds the markers
of processes that no longer exist and turns each into a quarantine entry, which every later
worker honours while the file's signature is unchanged: an edit lets the file be read again.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import json
import logging
import os
from collections.abc import Iterator

log = logging.getLogger(__name__)

Signature = tuple[int, int, int, int, int]
_READING = "startpunkt-reading-"
_QUARANTINE = "startpunkt-quarantine-"
_serial = itertools.count(1)


def signature(path: str) -> Signature | None:
    """(device, inode, size, mtime_ns, ctime_ns) of `path`; None when it cannot be read."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, owned by someone else
        return True
    return True


class Quarantine:
    """Markers and quarantine entries of one manifest directory, under `state_dir`."""

    def __init__(self, directory: str, state_dir: str) -> None:
        key = hashlib.sha256(os.path.realpath(directory).encode()).hexdigest()[:16]
        self._state_dir = state_dir
        self._reading = f"{_READING}{key}-"
        self._quarantine = f"{_QUARANTINE}{key}-"
        self._marker = os.path.join(state_dir, f"{self._reading}{os.getpid()}-{next(_serial)}")
        self._fd: int | None = None
        self._held: dict[str, Signature] = {}
        """Quarantined path → the signature it had when a worker died reading it."""
        self._pids: dict[str, int] = {}
        """Quarantined path → the worker that died reading it."""

    def open(self) -> None:
        """Take over the markers of dead workers, read the entries, open this source's marker."""
        try:
            self._adopt_dead_markers()
            self._read_entries()
            self._fd = os.open(self._marker, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        except OSError as exc:
            log.warning(
                "cannot keep track of the manifest file being read in %s (%s): a file that "
                "kills the worker would be read again by the next one",
                self._state_dir,
                exc,
            )

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None
            with contextlib.suppress(OSError):
                os.unlink(self._marker)

    def held(self, path: str) -> int | None:
        """The pid of the worker that died reading `path`, while it is unchanged; else None.

        An entry whose file changed (or went) is dropped: the file is read again.
        """
        if path not in self._held:
            return None
        current = signature(path)
        if current is not None and list(current) == list(self._held[path]):
            return self._pids.get(path, 0)
        del self._held[path]
        with contextlib.suppress(OSError):
            os.unlink(self._entry(path))
        return None

    @contextlib.contextmanager
    def reading(self, path: str, sig: Signature | None) -> Iterator[None]:
        """Mark `path` as being read for the duration (two small writes, no fsync: only the
        process dies, the page cache stays)."""
        self._write(json.dumps({"path": path, "signature": sig}).encode())
        try:
            yield
        finally:
            self._write(b"")

    def _write(self, data: bytes) -> None:
        if self._fd is None:
            return
        try:
            os.pwrite(self._fd, data, 0)
            os.ftruncate(self._fd, len(data))
        except OSError:
            pass  # full disk: reading goes on without the guard

    def _entry(self, path: str) -> str:
        name = hashlib.sha256(path.encode()).hexdigest()[:24]
        return os.path.join(self._state_dir, self._quarantine + name)

    def _adopt_dead_markers(self) -> None:
        for name in os.listdir(self._state_dir):
            if not name.startswith(self._reading):
                continue
            pid = int(name[len(self._reading) :].split("-")[0] or 0)
            if _alive(pid):
                continue
            marker = os.path.join(self._state_dir, name)
            try:
                with open(marker, encoding="utf-8") as stream:
                    content = stream.read()
                if content:
                    record = {**json.loads(content), "pid": pid}
                    self._write_entry(record)
                os.unlink(marker)
            except (OSError, ValueError):
                continue  # another worker took it first, or it was half written

    def _write_entry(self, record: dict[str, object]) -> None:
        path = str(record["path"])
        temporary = self._entry(path) + f".{os.getpid()}"
        with open(temporary, "w", encoding="utf-8") as stream:
            json.dump(record, stream)
        os.replace(temporary, self._entry(path))

    def _read_entries(self) -> None:
        for name in os.listdir(self._state_dir):
            if not name.startswith(self._quarantine) or "." in name:
                continue
            try:
                with open(os.path.join(self._state_dir, name), encoding="utf-8") as stream:
                    record = json.load(stream)
                path, sig = str(record["path"]), record["signature"]
            except (OSError, ValueError, KeyError, TypeError):
                continue
            if sig is not None:
                self._held[path] = tuple(sig)  # type: ignore[assignment]
                self._pids[path] = int(record.get("pid") or 0)
