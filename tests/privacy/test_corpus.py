"""Message-level quality on the dev corpus (``data/dev-corpus.jsonl``) and on the held-out set kept in this folder.

The thresholds are those reported in the project's figures (benchmarks/privacy_quality.py); a
drop below them fails the build.
"""

from __future__ import annotations

from benchmarks.privacy_quality import evaluate
from tests.privacy.helpers import DEV_CORPUS, HELDOUT, load_jsonl


def test_dev_corpus_precision_and_recall(screen):
    rows = load_jsonl(DEV_CORPUS)
    assert len(rows) >= 80 and {r["lang"] for r in rows} == {"fr", "en"}
    report = evaluate(rows, screen)
    assert report.overall.precision >= 0.97
    assert report.overall.recall >= 0.97
    for lang in ("fr", "en"):
        assert report.by_lang[lang].precision >= 0.95
        assert report.by_lang[lang].recall >= 0.95


def test_heldout_precision_and_recall(screen):
    rows = load_jsonl(HELDOUT)
    assert len(rows) >= 120
    assert {r["lang"] for r in rows} == {"fr", "en"}
    report = evaluate(rows, screen)
    assert report.overall.precision >= 0.97
    assert report.overall.recall >= 0.97


def test_heldout_entities_point_at_their_text():
    for row in load_jsonl(HELDOUT):
        for ent in row["entities"]:
            assert row["text"][ent["start"]:ent["end"]] == ent["text"], row["id"]
