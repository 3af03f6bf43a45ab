"""Feature modules listed by name (routers, commands, tables, jobs), imported on demand.

Lists of names keep the composition in one readable place without importing every feature at
start-up; a listed module that is missing is an error, never a silently disabled feature.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from types import ModuleType


def import_modules(names: Iterable[str]) -> Iterator[ModuleType]:
    """Import each listed module, in order."""
    for name in names:
        yield importlib.import_module(name)
