"""Server-Sent Events framing: bytes on the wire, nothing else, in both directions.

`encode` builds one message; the stream generator and the broadcaster only ever send its output.
`Decoder` reads a stream back, incrementally, as a browser's EventSource does: the remote source
follows other instances with it, so it is strict and bounded (a line or a message past its cap
is dropped and reported, never buffered). Both follow the WHATWG "event stream" grammar; no I/O,
no state shared between streams. (`testkit.sse` is a lenient reader for tests only.)
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


_LINE_END = re.compile(r"[\r\n]")
MAX_LINE = 256 * 1024
"""Characters in one line: an event carries one item (a few KiB); more is an attack or a bug."""
MAX_DATA = 256 * 1024
"""Characters of data in one message."""


@dataclass(frozen=True)
class Message:
    """One dispatched event, as an EventSource delivers it."""

    event: str
    """The `event:` field, `message` when none was given."""
    data: str | None
    """The `data:` lines joined with LF; None when the message was too large (`oversize`)."""
    id: str
    """The last event id at dispatch: the stream's `id:` fields persist across messages."""
    oversize: bool = False
    """A line or the data passed its cap: dropped, so only the type and id are known."""


class Decoder:
    """An incremental parser: feed bytes as they arrive, get the completed messages back.

    Exactly the WHATWG rules: UTF-8 (invalid bytes become U+FFFD), one leading BOM dropped, CR,
    LF or CRLF end a line (a CRLF split between two chunks counts once), `:` starts a comment,
    a blank line dispatches a message when it has data, an `id` holding NUL is ignored, `retry`
    only takes ASCII digits, unknown fields are ignored. Memory is bounded by the caps.
    """

    def __init__(self, *, max_line: int = MAX_LINE, max_data: int = MAX_DATA) -> None:
        self.last_event_id = ""
        """Set at every blank line from the `id:` fields seen, as `EventSource.lastEventId`."""
        self.retry: int | None = None
        """The last valid `retry:` in milliseconds."""
        self._max_line = max_line
        self._max_data = max_data
        self._utf8 = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._started = False
        self._after_cr = False
        self._partial: list[str] = []
        self._partial_size = 0
        self._skipping = False
        """Dropping the rest of a line that passed `max_line`."""
        self._id = ""
        self._event = ""
        self._data: list[str] = []
        self._data_size = 0
        self._oversize = False

    def feed(self, chunk: bytes) -> list[Message]:
        """The messages `chunk` completes, in order."""
        text = self._utf8.decode(chunk)
        if not self._started and text:
            self._started = True
            text = text.removeprefix("\ufeff")
        pos = 0
        if self._after_cr and text:
            self._after_cr = False
            if text[0] == "\n":  # the second half of a CRLF that the previous chunk cut
                pos = 1
        messages: list[Message] = []
        while True:
            match = _LINE_END.search(text, pos)
            if match is None:
                self._keep(text[pos:])
                return messages
            end = match.start()
            message = self._line_end(text[pos:end])
            if message is not None:
                messages.append(message)
            pos = end + 1
            if text[end] == "\r":
                if pos == len(text):
                    self._after_cr = True
                elif text[pos] == "\n":
                    pos += 1

    def _keep(self, rest: str) -> None:
        """The start of a line whose end has not arrived; dropped once it passes the cap."""
        if self._skipping or not rest:
            return
        self._partial.append(rest)
        self._partial_size += len(rest)
        if self._partial_size > self._max_line:
            self._partial, self._partial_size = [], 0
            self._skipping = self._oversize = True

    def _line_end(self, piece: str) -> Message | None:
        if self._skipping:
            self._skipping = False
            return None
        if self._partial:
            line = "".join(self._partial) + piece
            self._partial, self._partial_size = [], 0
        else:
            line = piece
        if len(line) > self._max_line:
            self._oversize = True
            return None
        return self._line(line)

    def _line(self, line: str) -> Message | None:
        if not line:
            return self._dispatch()
        if line[0] == ":":
            return None
        name, colon, value = line.partition(":")
        if colon and value[:1] == " ":
            value = value[1:]
        if name == "data":
            self._data_size += len(value) + 1
            if self._data_size > self._max_data:
                self._oversize = True
                self._data.clear()
            elif not self._oversize:
                self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id":
            if "\0" not in value:
                self._id = value
        elif name == "retry" and value.isascii() and value.isdigit():
            self.retry = int(value)
        return None

    def _dispatch(self) -> Message | None:
        self.last_event_id = self._id
        event, data, oversize = self._event or "message", self._data, self._oversize
        self._event, self._data, self._data_size, self._oversize = "", [], 0, False
        if oversize:
            return Message(event, None, self._id, oversize=True)
        if not data:
            return None
        return Message(event, "\n".join(data), self._id)
