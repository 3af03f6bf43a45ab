"""Log lines for log collectors: one JSON object per line (``RELAIS_LOG_FORMAT=json``).

Each object has ``time`` (UTC, ISO 8601), ``level``, ``logger`` and ``message``, plus
``exception`` (the class name only) when an exception is attached. No traceback and no
exception message: those may quote a text or a URL with its password; the class and the log
message (ids and counts, as everywhere in Relais) are enough to find the cause.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from types import TracebackType

TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class JsonFormatter(logging.Formatter):
    """One JSON object per record, on one line."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and record.exc_info[0] is not None:
            entry["exception"] = record.exc_info[0].__name__
        return json.dumps(entry, ensure_ascii=False)


def build_formatter(log_format: str) -> logging.Formatter:
    """The formatter of ``RELAIS_LOG_FORMAT`` (``text`` or ``json``)."""
    return JsonFormatter() if log_format == "json" else logging.Formatter(TEXT_FORMAT)


def log_uncaught(kind: type[BaseException], value: BaseException,
                 traceback: TracebackType | None) -> None:
    """``sys.excepthook`` for the JSON format: an uncaught error is one more JSON line."""
    if issubclass(kind, KeyboardInterrupt):
        sys.__excepthook__(kind, value, traceback)
        return
    logging.getLogger("relais").critical("uncaught exception, exiting",
                                         exc_info=(kind, value, traceback))
