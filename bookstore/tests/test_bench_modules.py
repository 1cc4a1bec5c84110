"""The benchmark (bench/, never run by the suite) still imports against the code it measures: a renamed helper in
the catalog once broke `make bench` without any test noticing."""

import importlib

import pytest

BENCH_MODULES = ["run", "fixtures", "longtail", "scenarios", "reporting", "database", "processes", "profiling"]


@pytest.mark.parametrize("name", BENCH_MODULES)
def test_bench_module_imports(name):
    module = importlib.import_module(f"bench.{name}")
    assert module.__doc__
