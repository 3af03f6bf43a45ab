"""The import as one step: read a path, check everything, then load it and bump the version.

Nothing is written unless the whole source checks out; the caller owns the transaction and
commits it. Bumping the directory version tells every process's search index to reload.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot.services.directory.state import bump_version
from knowledge.hsds_common import Bundle
from knowledge.hsds_import.check import check
from knowledge.hsds_import.load import Loader
from knowledge.hsds_import.read import read_source
from knowledge.hsds_import.report import ImportReport
from knowledge.places import load_gazetteer
from knowledge.taxonomy import load_taxonomy


async def import_bundle(
    session: AsyncSession, bundle: Bundle, *, now: datetime, gazetteer: Any, taxonomy: Any,
    allow_formula_cells: bool = False,
) -> ImportReport:
    """Check then upsert every row; the caller owns the transaction."""
    checked = await check(session, bundle, allow_formula_cells=allow_formula_cells)
    loader = Loader(session, checked.values, now, gazetteer, taxonomy)
    report = await loader.run()
    report.unmapped[:0] = checked.notes
    report.skipped = dict(bundle.skipped)
    await bump_version(session, now)
    return report


async def import_path(
    session: AsyncSession, path: Path | str, *, now: datetime, gazetteer: Any = None,
    taxonomy: Any = None, allow_formula_cells: bool = False,
) -> ImportReport:
    """Read ``path`` and import it (see :mod:`knowledge.hsds_import`). Text cells that a
    spreadsheet would run as formulas are problems unless ``allow_formula_cells``; NUL
    characters always."""
    if gazetteer is None:
        gazetteer = load_gazetteer()
    if taxonomy is None:
        taxonomy = load_taxonomy()
    return await import_bundle(session, read_source(Path(path)), now=now, gazetteer=gazetteer,
                               taxonomy=taxonomy, allow_formula_cells=allow_formula_cells)
