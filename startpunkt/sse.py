"""Server-Sent Events framing: bytes on the wire, nothing else.

`encode` builds one message (the stream generator and the broadcaster only ever send its output);
`Decoder` reads a stream back into messages, for tests, the benchmark and debugging. Both follow
the WHATWG "event stream" grammar; no I/O, no state shared between streams.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

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


@dataclass(frozen=True)
class Message:
    """One parsed block: the fields it set (`data` lines joined with LF)."""

    id: str | None = None
    event: str | None = None
    data: str | None = None
    retry: int | None = None


class Decoder:
    """Incremental parser: feed bytes as they arrive, get complete messages back.

    Unlike a browser it also returns blocks without data (a lone `retry:`), so tests can see
    every block the server sent; comments are skipped.
    """

    def __init__(self) -> None:
        self._text = codecs.getincrementaldecoder("utf-8")()
        self._buffer = ""
        self._fields: dict[str, str] = {}
        self._data: list[str] = []

    def feed(self, chunk: bytes) -> list[Message]:
        """Messages completed by `chunk`, in order."""
        self._buffer += self._text.decode(chunk)
        messages: list[Message] = []
        while True:
            match = _LINE_BREAK.search(self._buffer)
            # A CR at the very end may be the first half of a CRLF still in flight.
            if match is None or (match.group() == "\r" and match.end() == len(self._buffer)):
                return messages
            line, self._buffer = self._buffer[: match.start()], self._buffer[match.end() :]
            message = self._line(line)
            if message is not None:
                messages.append(message)

    def _line(self, line: str) -> Message | None:
        if not line:
            return self._dispatch()
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name in ("id", "event", "retry"):
            self._fields[name] = value
        return None

    def _dispatch(self) -> Message | None:
        fields, data = self._fields, self._data
        self._fields, self._data = {}, []
        if not fields and not data:
            return None
        retry = fields.get("retry")
        return Message(
            id=fields.get("id"),
            event=fields.get("event"),
            data="\n".join(data) if data else None,
            retry=int(retry) if retry is not None and retry.isdigit() else None,
        )
