"""Server-Sent Events framing: bytes on the wire, nothing else.

`encode` builds one message; the stream generator and the broadcaster only ever send its output.
It follows the WHATWG "event stream" grammar; no I/O, no state shared between streams. (The
reading side, for tests and benchmarks, is `testkit.sse`.)
"""

from __future__ import annotations

import re

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def encode(
    *,
    id: str | None = None,
    event: str | None = None,
    data: str | None = None,
    retry: int | None = None,
    comment: str | None = None,
) -> bytes:
    """One SSE message, ending with the blank line that dispatches it.

    Multi-line `data` and `comment` become several lines; `id` and `event` must be one line
    (a line break there would let a value inject fields), so they raise ValueError.
    """
    if id is None and event is None and data is None and retry is None and comment is None:
        raise ValueError("an SSE message needs at least one field")
    lines: list[str] = []
    if comment is not None:
        lines += [f": {line}" if line else ":" for line in _LINE_BREAK.split(comment)]
    if id is not None:
        lines.append(f"id: {_one_line('id', id)}")
    if event is not None:
        lines.append(f"event: {_one_line('event', event)}")
    if retry is not None:
        if isinstance(retry, bool) or not isinstance(retry, int) or retry < 0:
            raise ValueError(f"retry must be a non-negative integer, got {retry!r}")
        lines.append(f"retry: {retry}")
    if data is not None:
        lines += [f"data: {line}" for line in _LINE_BREAK.split(data)]
    return ("\n".join(lines) + "\n\n").encode("utf-8")


def _one_line(field: str, value: str) -> str:
    if "\r" in value or "\n" in value or "\0" in value:
        raise ValueError(f"SSE {field} must not contain CR, LF or NUL: {value!r}")
    return value
