"""Placeholder until its issue lands."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("stream", __name__)
