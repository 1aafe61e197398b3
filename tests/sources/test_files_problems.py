"""Mapper problems are logged once per object and problem, counted, and bounded in memory."""

from __future__ import annotations

import logging

from prometheus_client import REGISTRY

from startpunkt.mappers import Problem
from startpunkt.sources import problems

log = logging.getLogger("test.problems")
LOCATION = Problem("Ingress", "media", "plex", "location: 'abc' is not an integer", "location")
SKIPPED = Problem("Bookmark", "links", "docs", "no url: object skipped")


def skipped_count(kind: str, reason: str) -> float:
    labels = {"kind": kind, "reason": reason}
    return REGISTRY.get_sample_value("startpunkt_objects_skipped_total", labels) or 0.0


def test_a_problem_is_logged_and_counted_once_while_it_lasts(caplog):
    before = skipped_count("Ingress", "location")
    plog = problems.ProblemLog(log)
    for _ in range(3):
        plog.observe("plex", [LOCATION], where="/m/media.yaml")
    assert caplog.messages == [
        "Ingress media/plex: location: 'abc' is not an integer (in /m/media.yaml)"
    ]
    assert caplog.records[0].levelno == logging.WARNING
    assert skipped_count("Ingress", "location") == before + 1


def test_a_fixed_problem_that_returns_is_news_again(caplog):
    plog = problems.ProblemLog(log)
    plog.observe("plex", [LOCATION])
    plog.observe("plex", [])
    plog.observe("plex", [LOCATION])
    plog.observe("docs", [SKIPPED])
    plog.forget("docs")
    plog.observe("docs", [SKIPPED])
    assert len(caplog.messages) == 4


def test_skipped_objects_are_counted_under_object():
    before = skipped_count("Bookmark", "object")
    problems.ProblemLog(log).observe("docs", [SKIPPED])
    assert skipped_count("Bookmark", "object") == before + 1


def test_memory_is_bounded_by_forgetting_the_least_recent(caplog):
    plog = problems.ProblemLog(log, max_objects=10)
    for i in range(100):
        plog.observe(i, [Problem("Ingress", "ns", f"o{i}", "bad")])
    assert len(plog) == 10
    plog.observe(0, [Problem("Ingress", "ns", "o0", "bad")])  # forgotten, so news again
    assert len(caplog.messages) == 101
    plog.observe(99, [Problem("Ingress", "ns", "o99", "bad")])  # still known
    assert len(caplog.messages) == 101
