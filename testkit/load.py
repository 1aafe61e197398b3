"""What load and fault tests measure and feed: the kernel's TCP figures and receive times, a
process's figures, and events of a chosen size.

Figures come from /proc (Linux): the send queue of each connection on a port, the kernel's
memory for all TCP sockets, a process's resident memory and open descriptors; arrival times are
the kernel's receive timestamps, so a slow reader still times the server. Events of a size
are made with a padded `info` of emoji: each is one character for the field-length cap and
twelve bytes in the event (ASCII-only JSON writes it as a surrogate pair `\\ud83d\\ude00`).
"""

from __future__ import annotations

import os
import resource
import socket
import struct
import time
from pathlib import Path

from testkit import live

EMOJI = "\U0001f600"
EMOJI_BYTES = 12
"""Bytes of one EMOJI in an event's JSON."""
PAGE = resource.getpagesize()
SO_TIMESTAMPNS = getattr(socket, "SO_TIMESTAMPNS", 35)
"""Set on a socket, each message read with `recvmsg` carries the kernel's time of receipt."""


def padded_ingress_yaml(name: str, *, revision: int, event_bytes: int) -> str:
    """The Ingress `name` (as `live.ingress_yaml`) whose UPDATED event is about `event_bytes`
    long; `revision` makes each version differ."""
    pad = EMOJI * max(0, (event_bytes - 360) // EMOJI_BYTES)
    info = f"{pad} #{revision}"
    head, _, rest = live.ingress_yaml(name, name.title()).partition("  annotations:\n")
    return f'{head}  annotations:\n    startpunkt.ullberg.us/info: "{info}"\n{rest}'


def kernel_time(ancillary: list[tuple[int, int, bytes]]) -> float:
    """When the kernel received a message (its SO_TIMESTAMPNS in `recvmsg`'s ancillary data);
    now, where there is none."""
    for level, kind, data in ancillary:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS:
            seconds, nanoseconds = struct.unpack("qq", data[:16])
            return seconds + nanoseconds / 1e9
    return time.time()


def send_queues(port: int) -> list[int]:
    """Bytes in the kernel's send queue of each established connection whose local port is
    `port` (the server's side of every client)."""
    queues = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            local, state, queue = fields[1], fields[3], fields[4]
            if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                queues.append(int(queue.split(":")[0], 16))
    return queues


def tcp_memory() -> int:
    """Bytes of memory the kernel holds for all TCP sockets (`/proc/net/sockstat`, every
    process on the machine)."""
    for line in Path("/proc/net/sockstat").read_text().splitlines():
        if line.startswith("TCP:"):
            fields = line.split()
            return int(fields[fields.index("mem") + 1]) * PAGE
    raise RuntimeError("no TCP line in /proc/net/sockstat")


def rss(pid: int) -> int:
    """Resident memory of `pid`, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def open_files(pid: int) -> int:
    """File descriptors `pid` holds open."""
    return len(os.listdir(f"/proc/{pid}/fd"))


def worker(master: int) -> int:
    """The one worker process of a gunicorn master."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    if len(children) != 1:
        raise RuntimeError(f"expected one worker, found {children}")
    return int(children[0])
