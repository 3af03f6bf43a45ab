"""Import an HSDS 3.0 directory: a tabular package (``datapackage.json`` + CSV files) or JSON.

JSON may be a service, a list of services, an organization with its services, a
service_at_location document, or ``{"organizations": [...]}`` (our sample). Everything is read
and checked first; any problem (bad JSON, missing required column, bad number or date, unknown
id reference, a NUL character, a text cell that a spreadsheet would run as a formula unless
``allow_formula_cells``) raises :class:`ImportFailed` with the file, row and column of each,
before anything is written (and a refused cell is never sent to the database). Then objects are
upserted by HSDS id in the caller's transaction, and each service's categories and regions are
derived; what could not be mapped is reported.

The steps live in their own modules: :mod:`.read` (files), :mod:`.flatten` (nested JSON to
rows), :mod:`.check` (types and references), :mod:`.load` (upserts), :mod:`.derive` and
:mod:`.coverage` (categories and regions), :mod:`.pipeline` (the whole import).
"""

from __future__ import annotations

from knowledge.hsds_common import Bundle, ImportFailed, Problem
from knowledge.hsds_import.check import Checked, check
from knowledge.hsds_import.coverage import PROVINCE_WORDS, QUEBEC_PROVINCE
from knowledge.hsds_import.flatten import bundle_from_json
from knowledge.hsds_import.load import DEFAULT_ZONE
from knowledge.hsds_import.pipeline import import_bundle, import_path
from knowledge.hsds_import.read import read_package, read_source
from knowledge.hsds_import.report import ImportReport
from knowledge.hsds_import.tables import MODELS

__all__ = [
    "DEFAULT_ZONE",
    "MODELS",
    "PROVINCE_WORDS",
    "QUEBEC_PROVINCE",
    "Bundle",
    "Checked",
    "ImportFailed",
    "ImportReport",
    "Problem",
    "bundle_from_json",
    "check",
    "import_bundle",
    "import_path",
    "read_package",
    "read_source",
]
