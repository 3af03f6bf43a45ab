"""Message-level precision and recall of the privacy screen on a labelled JSONL corpus.

Usage: ``python benchmarks/privacy_quality.py [CORPUS.jsonl ...] [--show-errors]``
(default corpus: ``tests/privacy/data/dev-corpus.jsonl``, kept in the repository).

Each line is ``{"id", "lang", "text", "pii", "entities": [{"type", ...}], "tags"}``. A message
counts as a true positive when the screen flags it and ``pii`` is true. The script also prints
figures per language, entity types that the screen missed, and tags of the misses and false
flags. When rows carry an optional ``"kind"`` (e.g. ``tests/privacy/data/evasions.jsonl``), a
block of figures per kind follows. ``--show-errors`` prints the ids of wrong messages (ids only,
never the text).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from bot.privacy import build_default_screen  # noqa: E402

DEFAULT_CORPUS = REPO / "tests" / "privacy" / "data" / "dev-corpus.jsonl"


@dataclass
class Figures:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def add(self, truth: bool, flagged: bool) -> None:
        if truth and flagged:
            self.tp += 1
        elif truth:
            self.fn += 1
        elif flagged:
            self.fp += 1
        else:
            self.tn += 1

    def line(self, label: str, width: int = 10) -> str:
        n = self.tp + self.fp + self.fn + self.tn
        return (f"{label:<{width}} n={n:<4} precision={self.precision:.3f} recall={self.recall:.3f}"
                f"  (tp={self.tp} fp={self.fp} fn={self.fn} tn={self.tn})")


@dataclass
class Report:
    overall: Figures
    by_lang: dict[str, Figures]
    missed_types: Counter
    type_totals: Counter
    missed_tags: Counter
    false_flag_tags: Counter
    false_flag_kinds: Counter
    errors: list[str]
    by_kind: dict[str, Figures] = field(default_factory=dict)


def load(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def evaluate(rows: list[dict], screen=None) -> Report:
    screen = screen or build_default_screen()
    report = Report(Figures(), {}, Counter(), Counter(), Counter(), Counter(), Counter(), [])
    for row in rows:
        result = screen.scan(row["text"], row.get("lang"))
        truth = bool(row["pii"])
        report.overall.add(truth, result.identifying)
        report.by_lang.setdefault(row.get("lang", "?"), Figures()).add(truth, result.identifying)
        if "kind" in row:
            report.by_kind.setdefault(row["kind"], Figures()).add(truth, result.identifying)
        found = set(result.kinds)
        for ent in row.get("entities", []):
            report.type_totals[ent["type"]] += 1
            if ent["type"] not in found:
                report.missed_types[ent["type"]] += 1
        if truth and not result.identifying:
            report.missed_tags.update(row.get("tags") or ["(none)"])
            report.errors.append(f"missed {row['id']}")
        elif not truth and result.identifying:
            report.false_flag_tags.update(row.get("tags") or ["(none)"])
            report.false_flag_kinds.update(result.kinds)
            report.errors.append(f"false flag {row['id']} {','.join(result.kinds)}")
    return report


def print_report(path: Path, report: Report, show_errors: bool) -> None:
    print(f"== {path}")
    print(report.overall.line("all"))
    for lang in sorted(report.by_lang):
        print(report.by_lang[lang].line(lang))
    print("entity types found in their message (kind reported / entities):")
    for kind in sorted(report.type_totals):
        total = report.type_totals[kind]
        print(f"  {kind:<12} {total - report.missed_types[kind]}/{total}")
    print(f"tags of missed messages: {dict(report.missed_tags) or '-'}")
    print(f"tags of falsely flagged messages: {dict(report.false_flag_tags) or '-'}")
    print(f"kinds reported on false flags: {dict(report.false_flag_kinds) or '-'}")
    print_kinds(report.by_kind)
    if show_errors:
        for line in report.errors:
            print(f"  {line}")


def print_kinds(by_kind: dict[str, Figures]) -> None:
    """Figures per message kind (the optional ``kind`` field); nothing when no row has one."""
    if not by_kind:
        return
    width = max(len(kind) for kind in by_kind)
    print("per kind (message kind, not entity type):")
    for kind in sorted(by_kind):
        print("  " + by_kind[kind].line(kind, width))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="*", type=Path, default=[DEFAULT_CORPUS])
    parser.add_argument("--show-errors", action="store_true", help="list ids of wrong messages")
    args = parser.parse_args(argv)
    screen = build_default_screen()
    for path in args.corpus:
        print_report(path, evaluate(load(path), screen), args.show_errors)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
