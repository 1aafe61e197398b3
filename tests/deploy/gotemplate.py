"""Render the Helm chart's templates without helm, for the subset of Go templates they use.

No helm binary can be installed here (Debian does not package helm; PyPI's helm-sdkpy, helm
built as a shared library, needs Python 3.12), yet a chart whose templates do not render, or
render to broken YAML, is the usual chart bug. This renders text/template actions
(if/else/with/range/define, variables, pipelines, `{{-`/`-}}` trimming) and the Sprig/Helm
functions the chart calls. An unknown function or action raises TemplateError, which keeps the
chart to this plain subset.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

# {{ body }}, with the optional trim markers `{{- ` and ` -}}` captured.
ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)
# Inside an action: string literals, parentheses, pipes, assignments, other words.
TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|\(|\)|\||:=|=|[^\s()|]+')
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class TemplateError(Exception):
    """The template uses something this renderer does not model, or is malformed."""


@dataclasses.dataclass
class Node:
    """One parsed piece: text, an output or assignment, or a block with branches."""

    kind: str  # text | output | assign | if | with | range
    text: str = ""
    pipeline: list[str] = dataclasses.field(default_factory=list)
    variable: str = ""
    # if/with/range: (pipeline, body) per branch; a branch with pipeline None is `else`.
    branches: list[tuple[list[str] | None, list[Node]]] = dataclasses.field(default_factory=list)


def _lex(source: str) -> list[tuple[str, str]]:
    """("text", s) and ("action", s) pieces, with trim markers applied to the text."""
    pieces: list[tuple[str, str]] = []
    position, trim_next = 0, False
    for match in ACTION.finditer(source):
        text = source[position : match.start()]
        if trim_next:
            text = text.lstrip()
        if match.group(1):
            text = text.rstrip()
        pieces.append(("text", text))
        body = match.group(2).strip()
        if not (body.startswith("/*") and body.endswith("*/")):
            pieces.append(("action", body))
        position, trim_next = match.end(), bool(match.group(3))
    tail = source[position:]
    pieces.append(("text", tail.lstrip() if trim_next else tail))
    if "{{" in tail or "}}" in tail:
        raise TemplateError("unbalanced {{ }}")
    return pieces


@functools.cache
def parse(source: str) -> tuple[list[Node], dict[str, list[Node]]]:
    """The node tree of a template, and the named templates it defines (never mutated)."""
    defines: dict[str, list[Node]] = {}
    pieces = _lex(source)
    nodes, end = _parse_block(pieces, 0, defines, closing=False)
    if end != len(pieces):
        raise TemplateError("unexpected {{ end }}")
    return nodes, defines


def _parse_block(
    pieces: list[tuple[str, str]], index: int, defines: dict[str, list[Node]], *, closing: bool
) -> tuple[list[Node], int]:
    """Nodes up to the matching else/end (returned index points at it) or the input's end."""
    nodes: list[Node] = []
    while index < len(pieces):
        kind, body = pieces[index]
        if kind == "text":
            nodes.append(Node("text", text=body))
            index += 1
            continue
        words = TOKEN.findall(body)
        head = words[0] if words else ""
        if head in {"end", "else"}:
            if not closing:
                raise TemplateError(f"unexpected {{{{ {body} }}}}")
            return nodes, index
        if head in {"if", "with", "range"}:
            node, index = _parse_branches(pieces, index, defines, head=head)
            nodes.append(node)
        elif head == "define":
            body_nodes, index = _parse_block(pieces, index + 1, defines, closing=True)
            if pieces[index][1] != "end":
                raise TemplateError("define with else")
            defines[json.loads(words[1])] = body_nodes
            index += 1
        elif len(words) > 2 and words[0].startswith("$") and words[1] in {":=", "="}:
            nodes.append(Node("assign", variable=words[0], pipeline=words[2:]))
            index += 1
        elif head in {"template", "block", "break", "continue"}:
            raise TemplateError(f"unsupported action {head!r}")
        else:
            nodes.append(Node("output", pipeline=words))
            index += 1
    if closing:
        raise TemplateError("missing {{ end }}")
    return nodes, index


def _parse_branches(
    pieces: list[tuple[str, str]], index: int, defines: dict[str, list[Node]], *, head: str
) -> tuple[Node, int]:
    node = Node(head)
    condition: list[str] | None = TOKEN.findall(pieces[index][1])[1:]
    if head == "range" and ":=" in (condition or []):
        raise TemplateError("range with variables is not supported")
    while True:
        body, index = _parse_block(pieces, index + 1, defines, closing=True)
        node.branches.append((condition, body))
        words = TOKEN.findall(pieces[index][1])
        if words == ["end"]:
            return node, index + 1
        if condition is None:
            raise TemplateError("else after else")
        condition = words[2:] if words[:2] == ["else", "if"] and head == "if" else None
        if condition is None and words != ["else"]:
            raise TemplateError(f"unsupported {{{{ {pieces[index][1]} }}}}")


def truthy(value: Any) -> bool:
    """Go template truth: false, 0, nil and empty strings/maps/lists are false."""
    return value not in (None, False, 0, "") and not (isinstance(value, dict | list) and not value)


def _text(value: Any) -> str:
    if value is None:
        return ""  # Helm prints a missing value as nothing
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        raise TemplateError("printing a map or list; use toYaml")
    return str(value)


def to_yaml(value: Any) -> str:
    """Like Helm's toYaml: block style, sorted keys, no trailing newline."""
    if value is None:
        return "null"
    dumped = yaml.dump(value, Dumper=_DUMPER, default_flow_style=False, sort_keys=True, width=10**9)
    return dumped.removesuffix("...\n").rstrip("\n")


def _indent(spaces: int, text: str) -> str:
    return "\n".join(" " * spaces + line for line in text.split("\n"))


def _printf(fmt: str, *args: Any) -> str:
    return re.sub(r"%[vsd]", "%s", fmt) % tuple(_text(a) for a in args)


def _and(*values: Any) -> Any:
    """Go's `and`: the first false argument, else the last."""
    return next((v for v in values if not truthy(v)), values[-1])


def _or(*values: Any) -> Any:
    """Go's `or`: the first true argument, else the last."""
    return next((v for v in values if truthy(v)), values[-1])


def _int(value: Any) -> int:
    """Sprig's `int`: numbers truncate, numeric strings parse, anything else is 0."""
    if isinstance(value, bool) or value is None:
        return int(bool(value))
    try:
        return int(float(value)) if isinstance(value, str) else int(value)
    except ValueError:
        return 0


def _compare(a: Any, b: Any) -> tuple[Any, Any]:
    """Go compares only values of one basic kind; so does this."""
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool):
        return a, b
    if isinstance(a, str) and isinstance(b, str):
        return a, b
    raise TemplateError(f"incompatible types for comparison: {a!r}, {b!r}")


def _dig(*args: Any) -> Any:
    """Sprig's `dig "a" "b" default map`: map.a.b, or default where a key is missing."""
    *keys, default, value = args
    for key in keys:
        if not isinstance(value, dict) or key not in value:
            return default
        value = value[key]
    return value


def _has_key(mapping: Any, key: str) -> bool:
    if not isinstance(mapping, dict):
        raise TemplateError(f"hasKey of a {type(mapping).__name__}")
    return key in mapping


def _dict(*pairs: Any) -> dict[str, Any]:
    return {str(pairs[i]): pairs[i + 1] for i in range(0, len(pairs) - 1, 2)}


FUNCTIONS: dict[str, Callable[..., Any]] = {
    "default": lambda fallback, value=None: value if truthy(value) else fallback,
    "trunc": lambda n, s: s[:n] if n >= 0 else s[n:],
    "trimSuffix": lambda suffix, s: s.removesuffix(suffix),
    "replace": lambda old, new, s: s.replace(old, new),
    "contains": lambda part, s: part in s,
    "printf": _printf,
    "print": lambda *a: "".join(_text(x) for x in a),
    "quote": lambda *a: " ".join(json.dumps(_text(x)) for x in a),
    "toYaml": to_yaml,
    "indent": _indent,
    "nindent": lambda n, s: "\n" + _indent(n, s),
    "sha256sum": lambda s: hashlib.sha256(s.encode()).hexdigest(),
    "not": lambda v: not truthy(v),
    "eq": lambda a, *b: any(a == x for x in b),
    "and": _and,
    "or": _or,
    "gt": lambda a, b: _compare(a, b)[0] > _compare(a, b)[1],
    "int": _int,
    "hasKey": _has_key,
    "dig": _dig,
    "dict": _dict,
    "list": lambda *items: list(items),
    "join": lambda sep, items: sep.join(_text(i) for i in items),
    "splitList": lambda sep, s: s.split(sep),
}


@dataclasses.dataclass
class Chart:
    """A chart directory rendered with one set of values, the way `helm template` does."""

    root: Path
    values: dict[str, Any]
    release: str = "startpunkt"
    namespace: str = "startpunkt"

    def render(self) -> dict[str, str]:
        """Rendered text of every template that is not a partial (_*.tpl), by file name."""
        meta = yaml.load((self.root / "Chart.yaml").read_text(encoding="utf-8"), Loader=_LOADER)
        files = sorted((self.root / "templates").iterdir())
        self._defines: dict[str, list[Node]] = {}
        self._trees: dict[str, list[Node]] = {}
        for path in files:
            nodes, defines = parse(path.read_text(encoding="utf-8"))
            self._defines.update(defines)
            self._trees[f"{meta['name']}/templates/{path.name}"] = nodes
        context = {
            "Values": self.values,
            "Chart": {k[0].upper() + k[1:]: v for k, v in meta.items()},
            "Release": {"Name": self.release, "Namespace": self.namespace, "Service": "Helm"},
            "Template": {"BasePath": f"{meta['name']}/templates"},
        }
        self._root = context
        return {
            name.partition("/")[2]: self._run(nodes, context, {"$": context})
            for name, nodes in self._trees.items()
            if not name.rpartition("/")[2].startswith("_")
        }

    def _run(self, nodes: list[Node], dot: Any, variables: dict[str, Any]) -> str:
        variables = dict(variables)  # a block's variables end with the block
        out: list[str] = []
        for node in nodes:
            if node.kind == "text":
                out.append(node.text)
            elif node.kind == "output":
                out.append(_text(self._pipeline(node.pipeline, dot, variables)))
            elif node.kind == "assign":
                variables[node.variable] = self._pipeline(node.pipeline, dot, variables)
            else:
                out.append(self._block(node, dot, variables))
        return "".join(out)

    def _block(self, node: Node, dot: Any, variables: dict[str, Any]) -> str:
        for condition, body in node.branches:
            if condition is None:
                return self._run(body, dot, variables)
            value = self._pipeline(condition, dot, variables)
            if not truthy(value):
                continue
            if node.kind == "if":
                return self._run(body, dot, variables)
            if node.kind == "with":
                return self._run(body, value, variables)
            items = [value[k] for k in sorted(value)] if isinstance(value, dict) else value
            return "".join(self._run(body, item, variables) for item in items)
        return ""

    def _pipeline(self, words: list[str], dot: Any, variables: dict[str, Any]) -> Any:
        commands: list[list[Any]] = [[]]
        stack = [commands]
        for word in words:  # group parentheses into nested pipelines, split on |
            if word == "(":
                inner: list[list[Any]] = [[]]
                stack[-1][-1].append(inner)
                stack.append(inner)
            elif word == ")":
                if len(stack) == 1:
                    raise TemplateError("unbalanced parentheses")
                stack.pop()
            elif word == "|":
                stack[-1].append([])
            else:
                stack[-1][-1].append(word)
        if len(stack) != 1:
            raise TemplateError("unbalanced parentheses")
        return self._run_commands(commands, dot, variables)

    def _run_commands(self, commands: list[list[Any]], dot: Any, variables: dict) -> Any:
        """Each command's result is the last argument of the next one."""
        result: Any = _NOTHING
        for command in commands:
            result = self._command(command, dot, variables, piped=result)
        return result

    def _command(self, command: list[Any], dot: Any, variables: dict, *, piped: Any) -> Any:
        head, args = command[0], command[1:]
        if isinstance(head, str) and (head in FUNCTIONS or head == "include"):
            values = [self._operand(a, dot, variables) for a in args]
            if piped is not _NOTHING:
                values.append(piped)
            if head == "include":
                name, context = values
                nodes = self._defines.get(name) or self._trees.get(name)
                if nodes is None:
                    raise TemplateError(f"include of undefined template {name!r}")
                return self._run(nodes, context, {"$": self._root})
            try:
                return FUNCTIONS[head](*values)
            except TypeError as exc:
                raise TemplateError(f"{head}: wrong arguments ({exc})") from None
        if args or piped is not _NOTHING:
            raise TemplateError(f"unknown function {head!r}")
        return self._operand(head, dot, variables)

    def _operand(self, word: Any, dot: Any, variables: dict[str, Any]) -> Any:
        if isinstance(word, list):
            return self._run_commands(word, dot, variables)
        if word.startswith('"'):
            return json.loads(word)
        if re.fullmatch(r"-?\d+", word):
            return int(word)
        if word in {"true", "false", "nil"}:
            return {"true": True, "false": False, "nil": None}[word]
        if word == ".":
            return dot
        if word in FUNCTIONS:  # a niladic call, as `list` in `default list`
            try:
                return FUNCTIONS[word]()
            except TypeError:
                raise TemplateError(f"{word} needs arguments") from None
        if word.startswith("."):
            return _fields(dot, word[1:].split("."))
        if word.startswith("$"):
            name, _, rest = word.partition(".")
            if name not in variables:
                raise TemplateError(f"undefined variable {name}")
            return _fields(variables[name], rest.split(".")) if rest else variables[name]
        raise TemplateError(f"unknown function {word!r}")


_NOTHING = object()


def render_string(source: str, dot: Any) -> str:
    """One template rendered against dot, with no chart around it."""
    nodes, defines = parse(source)
    chart = Chart(Path(), {})
    chart._defines, chart._trees, chart._root = defines, {}, dot
    return chart._run(nodes, dot, {"$": dot})


def _fields(value: Any, names: list[str]) -> Any:
    """Follow .a.b.c through maps: a missing key is nil, a field of nil is an error (as in Helm)."""
    for name in names:
        if not isinstance(value, dict):
            raise TemplateError(
                f"nil pointer evaluating .{name}"
                if value is None
                else f"cannot read field {name!r} of {type(value).__name__}"
            )
        value = value.get(name)
    return value
