"""The design card's dependency rule: accounts imports no domain app."""

import ast
from pathlib import Path

import pytest

ACCOUNTS = Path(__file__).resolve().parent.parent
DOMAIN_APPS = {"catalog", "orders", "shipping"}
MODULES = sorted(
    path for path in ACCOUNTS.rglob("*.py") if "tests" not in path.parts and "migrations" not in path.parts
)


def imported_top_level_packages(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda path: str(path.relative_to(ACCOUNTS)))
def test_accounts_imports_no_domain_app(path):
    assert not imported_top_level_packages(path) & DOMAIN_APPS
