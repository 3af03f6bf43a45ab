"""Telegram's HTML parse mode, reduced to what matters: tags balance, text comes out.

The in-memory Telegram refuses what the real one would refuse to parse, so a message whose
markup is broken (a name with ``<`` that was not escaped...) fails in tests as it would live.
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from typing import Any


class _TextOnly(HTMLParser):
    """Collects the visible text; notes unknown tags and tags that do not balance."""

    ALLOWED = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre",
               "span", "tg-spoiler", "blockquote", "tg-emoji"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.stack: list[str] = []
        self.bad = False

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag not in self.ALLOWED:
            self.bad = True
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack.pop() != tag:
            self.bad = True

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(text: str, parse_mode: str | None) -> str | None:
    """The text a user sees, or None when Telegram would refuse to parse it."""
    if parse_mode != "HTML":
        return text
    parser = _TextOnly()
    parser.feed(text)
    parser.close()
    if parser.bad or parser.stack:
        return None
    return html.unescape("".join(parser.parts))
