"""Regression tests borrow the fixtures of the stage each bug lived in."""

from __future__ import annotations

from tests.availability.conftest import run_prober, site

__all__ = ["run_prober", "site"]
