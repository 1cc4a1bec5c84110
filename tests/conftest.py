"""Fixtures shared by the whole-system tests (browser journeys, security, faults).

The personas and factories are the root conftest's; the buying fixtures (carriers, addresses) are the
orders app's, re-exported here so every folder below can use them.
"""

import importlib
from pathlib import Path

import pytest
from django.apps import apps as django_apps

from orders.tests.conftest import (  # noqa: F401 - fixtures
    AddressFactory,
    carriers,
    charlie_address,
    charlie_cart,
    choice,
    make_order,
    placed_order,
    shipped_order,
)

ROOT = Path(__file__).resolve().parents[1]
# Screenshots, logs and other things a person may want to look at after a run (ignored by git).
OUTPUT = ROOT / "test-output"


@pytest.fixture
def categories(db):
    """The shelves of the data migrations, with their Spanish names (a transactional test flushes them), by slug."""
    importlib.import_module("catalog.migrations.0003_default_categories").add_categories(django_apps, None)
    importlib.import_module("catalog.migrations.0006_category_names_in_spanish").fill_names(django_apps, None)
    from catalog.models import Category

    return {category.slug: category for category in Category.objects.all()}


__all__ = ["OUTPUT", "ROOT", "AddressFactory"]
