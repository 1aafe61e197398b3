"""Render the chart with changed values, as `helm template --set a.b=value` would."""

from __future__ import annotations

import copy
from typing import Any

from . import documents, gotemplate

Doc = dict[str, Any]


def values(**changes: Any) -> Doc:
    """values.yaml with `a__b=value` set at values["a"]["b"] (any depth)."""
    result = documents.load_one(documents.CHART / "values.yaml")
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = result
        for key in parents:
            node = node[key]
        node[last] = copy.deepcopy(value)
    return result


def render(
    chart_values: Doc, *, release: str = "startpunkt", namespace: str = "startpunkt"
) -> list[Doc]:
    """The objects the templates give (NOTES.txt left out)."""
    rendered = gotemplate.Chart(documents.CHART, chart_values, release, namespace).render()
    return [
        doc
        for name, text in rendered.items()
        if name.endswith(".yaml")
        for doc in documents.parse_documents(text)
    ]
