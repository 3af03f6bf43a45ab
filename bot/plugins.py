"""Feature modules listed by name (routers, commands, tables, jobs), imported on demand."""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from types import ModuleType


def import_modules(names: Iterable[str]) -> Iterator[ModuleType]:
    """Import each listed module, skipping features whose module does not exist yet."""
    for name in names:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not (name == exc.name or name.startswith(exc.name + ".")):
                raise
