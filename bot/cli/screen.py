"""``relais screen``: run the privacy screen over standard input, one message per line.

Each input line is either plain text or a JSON object with a ``text`` field (and an optional
``lang``). Each output line is a JSON object, in input order and flushed at once:
``{"identifying": true|false, "kinds": [...], "spans": [[start, end, kind], ...]}``.
A blank line gives ``{"identifying": false, "kinds": [], "spans": []}``; a line that starts with
``{`` but is not valid JSON or has no string ``text`` is screened as plain text. Offsets count
characters of the screened text. Nothing but these JSON lines is written; message text is never
logged.
"""

from __future__ import annotations

import argparse
import json
import sys

DESCRIPTION = (
    "Screen messages for identifying information (names, dates of birth, phone numbers, "
    "e-mail and street addresses, postal codes, RAMQ and social insurance numbers, "
    "social-media handles, schools, licence plates and file numbers named as such), also when "
    "spaced out, spelled in words or disguised with look-alike or invisible characters. Reads standard input, one message per line (plain text, "
    'or JSON {"text": ..., "lang": "fr"|"en"}), and writes one JSON result per line: '
    '{"identifying": bool, "kinds": [...], "spans": [[start, end, kind], ...]}.'
)


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "screen",
        help="flag identifying information in messages read from standard input (JSON lines out)",
        description=DESCRIPTION,
    )
    parser.set_defaults(func=run)


def _message(line: str) -> tuple[str, str | None]:
    """The text and language of one input line (JSON object or plain text)."""
    if line.lstrip().startswith("{"):
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None
        if isinstance(obj, dict) and isinstance(obj.get("text"), str):
            lang = obj.get("lang")
            return obj["text"], lang if isinstance(lang, str) else None
    return line, None


def run(args: argparse.Namespace) -> int:
    from bot.privacy.screen import ScreenResult, build_default_screen

    del args
    stdin, stdout = sys.stdin, sys.stdout
    for stream in (stdin, stdout):
        if hasattr(stream, "reconfigure"):  # real console streams: UTF-8 whatever the locale
            stream.reconfigure(encoding="utf-8", errors="replace")
    screen = build_default_screen()
    for raw in iter(stdin.readline, ""):
        line = raw.rstrip("\r\n")
        if not line.strip():
            result = ScreenResult(identifying=False, kinds=[], spans=[])
        else:
            text, lang = _message(line)
            result = screen.scan(text, lang)
        stdout.write(json.dumps(result.as_dict(), ensure_ascii=False) + "\n")
        stdout.flush()
    return 0
