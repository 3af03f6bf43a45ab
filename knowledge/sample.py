"""Access to the invented sample directory (HSDS 3.0 JSON) used for demos, tests and seeding."""

from __future__ import annotations

import json
from pathlib import Path

DATA_DIR = Path(__file__).parent / "data"


def sample_directory_path() -> Path:
    """Path of ``sample_directory.json`` (all invented except the national trafficking hotline)."""
    return DATA_DIR / "sample_directory.json"


def load_sample_directory() -> dict:
    """The parsed sample directory: ``{"_notice": ..., "organizations": [...]}``.

    A fresh dict on each call, so callers may adjust timestamps (``x_updated_hours_ago``,
    ``x_verified_days_ago``) without affecting each other.
    """
    return json.loads(sample_directory_path().read_text(encoding="utf-8"))
