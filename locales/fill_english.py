"""English is the source language: copy each msgid into its empty English msgstr.

French entries are never filled automatically; a test fails while any of them is empty.
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po, write_po


def fill(path: Path) -> int:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    filled = 0
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            if not all(message.string):
                message.string = (message.id[0], message.id[1])
                filled += 1
        elif not message.string:
            message.string = message.id
            filled += 1
    with path.open("wb") as handle:
        write_po(handle, catalog, width=0, omit_header=False)
    return filled


if __name__ == "__main__":
    root = Path(__file__).resolve().parent
    for po in sorted((root / "en" / "LC_MESSAGES").glob("*.po")):
        count = fill(po)
        if count:
            print(f"{po.relative_to(root)}: {count} English entries filled from the source")
