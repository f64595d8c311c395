"""The tests' own shape: helpers come from tests/helpers/, fixtures from conftest.py, each fixture
name means one thing, and no test measures time (speed is measured by scripts/bench.py)."""

from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
#: What a test module may import from tests/: the helpers and the two rigs they lean on.
SHARED = ("tests.helpers", "tests.conversation", "tests.mailservers")
#: Names that meant several things before; a fixture says what it gives instead.
VAGUE = {"settings", "cfg", "template"}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(TESTS.parent).with_suffix("").parts).removesuffix(".__init__")


MODULES = {module_name(p): p for p in sorted(TESTS.rglob("*.py")) if "conversations" not in p.parts}
TEST_MODULES = [m for m in MODULES if m.rsplit(".", 1)[-1].startswith("test_")]
HELPERS = [m for m in MODULES if m.startswith(SHARED)]
TREES = {m: ast.parse(p.read_text(encoding="utf-8")) for m, p in MODULES.items()}


def imported(module: str) -> set[str]:
    """The modules of tests/ that `module` imports (`from . import x` counts as tests.x)."""
    package = module if MODULES[module].name == "__init__.py" else module.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in ast.walk(TREES[module]):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                target = f"{base}.{node.module}" if node.module else base
            else:
                target = node.module or ""
            found.add(target)
            found |= {f"{target}.{alias.name}" for alias in node.names
                      if f"{target}.{alias.name}" in MODULES}
    return {name for name in found if name == "tests" or name.startswith("tests.")}


def is_fixture(node: ast.FunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if isinstance(target, ast.Attribute) and target.attr == "fixture":
            return True
    return False


def fixture_name(node: ast.FunctionDef) -> str:
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call):
            for keyword in decorator.keywords:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
    return node.name


def fixtures(module: str) -> list[str]:
    return [fixture_name(node) for node in ast.walk(TREES[module])
            if isinstance(node, ast.FunctionDef) and is_fixture(node)]


@pytest.mark.parametrize("module", [*TEST_MODULES, *HELPERS])
def test_no_test_module_is_imported_but_the_helpers(module: str) -> None:
    """A test module imports helpers from tests/helpers/ (and the two rigs), never from another
    test module nor from conftest.py; the helpers do the same."""
    wrong = {name for name in imported(module) - {"tests"}
             if not name.startswith(SHARED)}
    assert wrong == set()


def test_conftest_holds_fixtures_only() -> None:
    body = TREES["tests.conftest"].body
    others = [getattr(node, "name", type(node).__name__) for i, node in enumerate(body)
              if not (isinstance(node, (ast.Import, ast.ImportFrom))
                      or (i == 0 and isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
                      or (isinstance(node, ast.FunctionDef) and is_fixture(node)))]
    assert others == [], "conftest.py holds fixtures; helpers go to tests/helpers/"


def test_each_fixture_is_defined_once() -> None:
    counts = Counter(name for module in ["tests.conftest", *TEST_MODULES] for name in fixtures(module))
    assert {name: n for name, n in counts.items() if n > 1} == {}


def test_no_fixture_has_a_vague_name() -> None:
    defined = {name for module in ["tests.conftest", *TEST_MODULES] for name in fixtures(module)}
    assert defined & VAGUE == set(), "say what it gives: shipped_settings, workspace…"


def _times_something(node: ast.AST) -> bool:
    """A call of a clock used to measure a duration: perf_counter(), or monotonic()/time()
    in a subtraction (how long something took)."""
    def clock(n: ast.AST, names: tuple[str, ...]) -> bool:
        return (isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute | ast.Name)
                and (n.func.attr if isinstance(n.func, ast.Attribute) else n.func.id) in names)

    if clock(node, ("perf_counter", "perf_counter_ns", "process_time")):
        return True
    return (isinstance(node, ast.BinOp) and isinstance(node.op, ast.Sub)
            and any(clock(side, ("monotonic", "monotonic_ns", "time", "time_ns"))
                    for side in (node.left, node.right)))


@pytest.mark.parametrize("module", TEST_MODULES)
def test_no_test_measures_how_long_something_took(module: str) -> None:
    """Speed is read in scripts/bench.py; a test asserts what happens (a deadline that keeps a
    wait from hanging is not a measure)."""
    lines = sorted(node.lineno for node in ast.walk(TREES[module])
                   if _times_something(node) and hasattr(node, "lineno"))
    assert lines == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_a_type_ignore_says_what_it_ignores(module: str) -> None:
    text = MODULES[module].read_text(encoding="utf-8")
    assert re.findall(r"# type: ?ignore(?!\[)", text) == []
