"""The shape of the house (docs/architecture.md): no import cycles, no oversized modules.

The layer contracts themselves are import-linter's (`lint-imports`, run by `make lint`);
these are the two rules it does not express.
"""

from pathlib import Path

import grimp
import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PACKAGES = ("portal", "partners", "referrals", "campaigns", "training", "dashboards", "benchmarks")
MAX_LINES = 500


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*PACKAGES)


def test_no_project_module_imports_one_that_imports_it_back(graph):
    cycles = []
    for module in sorted(graph.modules):
        for imported in sorted(graph.find_modules_directly_imported_by(module)):
            chain = graph.find_shortest_chain(importer=imported, imported=module)
            if chain:
                cycles.append(" -> ".join((module, *chain)))
    assert cycles == []


def test_no_project_module_is_longer_than_500_lines():
    too_long = {}
    for package in PACKAGES:
        for path in (BASE_DIR / package).rglob("*.py"):
            if "migrations" in path.parts:
                continue
            lines = len(path.read_text().splitlines())
            if lines > MAX_LINES:
                too_long[str(path.relative_to(BASE_DIR))] = lines
    assert too_long == {}
