"""Reading Server-Sent Events back into messages, for tests, benchmarks and debugging.

The counterpart of `startpunkt.sse.encode`, following the same WHATWG "event stream" grammar.
Unlike a browser it also returns blocks without data (a lone `retry:`), so tests see every block
the server sent.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

_LINE_BREAK = re.compile(r"\r\n|\r|\n")


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
