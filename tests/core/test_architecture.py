"""The shape of the code that the architecture notes promise: layers, no import circle, small
handler modules, handlers registered by factories."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest
from aiogram import Router

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "knowledge")
HANDLER_MODULE_LINES = 300


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py")}


class Imports(ast.NodeVisitor):
    """Every module a module imports at run time, function-level imports included (they are
    circles too, only hidden); imports under ``if TYPE_CHECKING:`` are not run."""

    def __init__(self, name: str, is_package: bool) -> None:
        self.name, self.is_package, self.found = name, is_package, set()

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        if getattr(test, "id", None) == "TYPE_CHECKING" or getattr(test, "attr", "") == "TYPE_CHECKING":
            for child in node.orelse:
                self.visit(child)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        self.found.update(alias.name for alias in node.names)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.name.split(".")
            parts = parts if self.is_package else parts[:-1]
            parts = parts[: len(parts) - node.level + 1]
            base = ".".join(parts + ([node.module] if node.module else []))
        self.found.update(f"{base}.{alias.name}" for alias in node.names)
        self.found.add(base)


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        visitor = Imports(name, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(encoding="utf-8")))
        targets = {owner(found) for found in visitor.found}
        graph[name] = {t for t in targets if t and t != name and not name.startswith(t + ".")}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in graph[node]:
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_no_import_circle() -> None:
    assert cycles(import_graph()) == []


def test_services_and_knowledge_never_import_aiogram() -> None:
    graph = import_graph()
    offenders = []
    for name, path in all_modules().items():
        if name.startswith(("bot.services", "bot.privacy", "bot.models", "bot.db", "knowledge")):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            names = {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
            names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
            if any(n == "aiogram" or n.startswith("aiogram.") for n in names):
                offenders.append(name)
            if any(t.startswith("handlers") for t in graph[name]):
                offenders.append(name)
    assert offenders == []


def test_handler_modules_stay_small() -> None:
    sizes = {str(p.relative_to(ROOT)): len(p.read_text(encoding="utf-8").splitlines())
             for p in (ROOT / "handlers").rglob("*.py")}
    assert {path: n for path, n in sizes.items() if n >= HANDLER_MODULE_LINES} == {}


@pytest.mark.parametrize("module", importlib.import_module("handlers.dispatcher").ROUTER_MODULES)
def test_each_router_is_built_by_a_factory_without_arguments(module: str) -> None:
    """A factory per dispatcher (tests build many); handlers are module-level functions."""
    feature = importlib.import_module(module)
    first, second = feature.build_router(), feature.build_router()
    assert isinstance(first, Router) and first is not second
    for observer in first.observers.values():
        for handler in observer.handlers:
            assert "<locals>" not in handler.callback.__qualname__, handler.callback
