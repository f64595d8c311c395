"""The shape of the code: no import cycle anywhere in `mailflow/` (imports inside functions
included), no module over 500 lines, and the layers importing downwards only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "mailflow"
MAX_LINES = 500


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def imports(module: str) -> set[str]:
    """The mailflow modules this one imports, wherever the import statement stands."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = _resolve(module, node)
            found.add(base)  # `from pkg import sub` runs pkg/__init__.py first: pkg is imported
            for alias in node.names:
                if f"{base}.{alias.name}" in MODULES:
                    found.add(f"{base}.{alias.name}")
    return {name for name in found if name in MODULES and name != module}


GRAPH = {module: imports(module) for module in MODULES}


def cycles() -> list[list[str]]:
    """Every strongly connected group of modules larger than one (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(GRAPH[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                group.append(top)
                if top == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for module in sorted(GRAPH):
        if module not in index:
            visit(module)
    return found


def test_the_graph_is_read() -> None:
    assert "mailflow.app.intake" in GRAPH["mailflow.app.service"]
    assert "mailflow.core.decide" in GRAPH["mailflow.app.intake"]
    assert "mailflow.errors" in GRAPH["mailflow.cli"]  # imported inside main(): counted too


def test_no_import_cycle() -> None:
    assert cycles() == []


def test_a_cycle_would_be_seen() -> None:
    GRAPH["mailflow.model"] = GRAPH["mailflow.model"] | {"mailflow.app.service"}
    try:
        assert any("mailflow.model" in group for group in cycles())
    finally:
        GRAPH["mailflow.model"] = imports("mailflow.model")


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_over_500_lines(module: str) -> None:
    lines = MODULES[module].read_text(encoding="utf-8").count("\n")
    assert lines <= MAX_LINES, f"{module}: {lines} lines"


# Each layer and what it may import: the core is pure, adapters and the store speak of values
# only, the application composes them, the commands use the application, the CLI parses.
LAYERS = {
    "mailflow.core": {"mailflow.core", "mailflow.model", "mailflow.enums", "mailflow.network",
                      "mailflow.people", "mailflow.errors", "mailflow.ports"},
    "mailflow.store": {"mailflow.store", "mailflow.model", "mailflow.enums", "mailflow.network",
                       "mailflow.people", "mailflow.errors", "mailflow.ports", "mailflow.files"},
    "mailflow.adapters": {"mailflow.adapters", "mailflow.errors", "mailflow.ports", "mailflow.files"},
}


@pytest.mark.parametrize("layer", sorted(LAYERS))
def test_layers_import_downwards(layer: str) -> None:
    allowed = LAYERS[layer]
    wrong = {(module, target) for module, targets in GRAPH.items()
             if module.startswith(layer) for target in targets
             if not any(target == a or target.startswith(a + ".") for a in allowed)}
    assert wrong == set()
