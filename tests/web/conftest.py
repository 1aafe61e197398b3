"""Fixtures for the web tests: apps built around a pre-filled catalog, no background greenlets.

Items are built directly with `startpunkt.model` (`testkit.items`), so these tests do
not depend on the mappers. Test modules reach the builders through the `web` fixture (conftest
modules are not imported).
"""

from __future__ import annotations

from collections.abc import Iterable
from types import SimpleNamespace
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

import startpunkt
from startpunkt import catalog, model
from startpunkt.config import Settings
from testkit import items

ORIGIN = "test:items"


def reference_applications() -> list[model.Application]:
    """The reference's three-application fixture (its ApplicationResourceTest)."""
    return [
        items.application(
            "Home Assistant",
            "Home Automation",
            resource_name="homeassistant",
            icon="mdi:home-automation",
            url="https://homeassistant.ullberg.us",
            info="Smart Home Manager",
            target_blank=True,
            enabled=True,
            tags="admin,home",
        ),
        items.application(
            "Node-RED",
            "Home Automation",
            resource_name="nodered",
            icon="mdi:node-red",
            icon_color="red",
            url="https://nodered.ullberg.us",
            info="Flow-based development tool",
            target_blank=True,
            location=1,
            enabled=True,
            tags="dev,home",
        ),
        items.application(
            "CyberChef",
            "Utilities",
            resource_name="cyberchef",
            icon="mdi:chef-hat",
            url="https://cyberchef.ullberg.us",
            info="Cyber Swiss Army Knife",
            target_blank=True,
            enabled=True,
        ),
    ]


def make_app(held: Iterable[model.Item] = (), settings: Settings | None = None) -> Flask:
    """A startpunkt app whose catalog holds `held`, with no sources or watchers running."""
    filled = catalog.Catalog()
    filled.replace(ORIGIN, held)
    return startpunkt.create_app(settings or Settings(), catalog=filled, start=False)


@pytest.fixture
def web() -> SimpleNamespace:
    """The builders: `application`, `bookmark`, `reference_applications`, `make_app`, `names`."""
    return SimpleNamespace(
        application=items.application,
        bookmark=items.bookmark,
        reference_applications=reference_applications,
        make_app=make_app,
        names=names,
    )


@pytest.fixture
def reference_app() -> Flask:
    return make_app(reference_applications())


@pytest.fixture
def client(reference_app: Flask) -> FlaskClient:
    return reference_app.test_client()


def names(body: dict[str, Any], member: str = "applications") -> list[list[str]]:
    """The item names of a group list, group by group."""
    return [[item["name"] for item in group[member]] for group in body["groups"]]
