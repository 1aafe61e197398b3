"""Placeholder until its issue lands."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("page", __name__)
