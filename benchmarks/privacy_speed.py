"""Speed and memory of the privacy screen.

Prints p50/p99 scan latency for a 300-character and a 4,000-character message, the start-up
time of ``build_default_screen()`` (word lists read from disk, in a fresh process), and memory:
tracemalloc peak and resident-set growth while building the screen.

It also prints the time to screen a batch of 20,000 messages, twice: the 300-character
sample repeated, and the messages of the labelled corpora (``tests/privacy/data/*.jsonl``)
cycled to 20,000 (only their texts are read, never printed).

Usage: ``python benchmarks/privacy_speed.py [--runs N] [--batch N]``
Targets: p99 < 2 ms at 300 chars, < 20 ms at 4,000 chars, 20,000 messages < 10 s,
start-up < 0.5 s, memory < 50 MB.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

# Invented caseworker-style text (mixed French/English, names, numbers, places, orgs).
SAMPLE = (
    "Rencontre avec l'équipe le 12 mars à 14h au CLSC de Verdun. La jeune s'appelle Kayla, "
    "elle a 15 ans et dort chez une amie à Laval. Son cell : 514-555-0142. Talked to ashley "
    "this morning near Berri-UQAM, she wants to call Tel-jeunes at 1 800 263-2266. Case "
    "K7-4QX updated; CAVAC will attend court on June 3. Elle habite au 4521 rue Saint-Hubert. "
)

STARTUP_SNIPPET = r"""
import json, sys, time, tracemalloc
def rss_kb():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0
trace = sys.argv[1] == "memory"
rss0 = rss_kb()
if trace:
    tracemalloc.start()
t0 = time.perf_counter()
import bot.privacy.screen as screen_module
t1 = time.perf_counter()
screen = screen_module.build_default_screen()
screen.scan("warm-up: Kayla 514-555-0142")
t2 = time.perf_counter()
peak = tracemalloc.get_traced_memory()[1] if trace else 0
print(json.dumps({"import_s": t1 - t0, "build_s": t2 - t1,
                  "tracemalloc_peak_mb": peak / 2**20, "rss_delta_mb": (rss_kb() - rss0) / 1024}))
"""


def make_message(length: int) -> str:
    text = (SAMPLE * (length // len(SAMPLE) + 1))[:length]
    return text


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[index]


def time_scans(screen, text: str, runs: int) -> tuple[float, float]:
    for _ in range(20):
        screen.scan(text)
    samples = []
    for _ in range(runs):
        t0 = time.perf_counter()
        screen.scan(text)
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples), percentile(samples, 0.99)


CORPORA = REPO / "tests" / "privacy" / "data"
BATCH = 20_000
BATCH_BUDGET_S = 10.0


def corpus_texts() -> list[str]:
    """The texts of every labelled corpus, in file order (nothing else is kept)."""
    texts: list[str] = []
    for path in sorted(CORPORA.glob("*.jsonl")):
        with path.open(encoding="utf-8") as handle:
            texts += [json.loads(line)["text"] for line in handle if line.strip()]
    return texts


def time_batch(screen, texts: list[str], count: int) -> float:
    """Seconds to scan ``count`` messages taken from ``texts`` in turn."""
    batch = [texts[i % len(texts)] for i in range(count)]
    t0 = time.perf_counter()
    for text in batch:
        screen.scan(text)
    return time.perf_counter() - t0


def startup_figures(mode: str) -> dict:
    """Run the start-up snippet in a fresh process; ``mode`` is "time" or "memory"."""
    out = subprocess.run(
        [sys.executable, "-c", STARTUP_SNIPPET, mode], cwd=REPO, capture_output=True,
        text=True, check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=BATCH, help="messages per batch timing")
    args = parser.parse_args(argv)

    from bot.privacy import build_default_screen

    timing = min((startup_figures("time") for _ in range(3)), key=lambda r: r["build_s"])
    memory = startup_figures("memory")
    screen = build_default_screen()
    for length, runs in ((300, args.runs), (4000, max(200, args.runs // 10))):
        text = make_message(length)
        p50, p99 = time_scans(screen, text, runs)
        print(f"scan {length:>5} chars: p50 {p50:.3f} ms, p99 {p99:.3f} ms ({runs} runs)")
    texts = corpus_texts()
    for label, batch_texts in (("300-char sample", [make_message(300)]),
                               (f"corpus messages ({len(texts)} cycled)", texts)):
        if not batch_texts:
            continue
        seconds = time_batch(screen, batch_texts, args.batch)
        print(f"{args.batch:,} messages, {label}: {seconds:.2f} s "
              f"(budget {BATCH_BUDGET_S * args.batch / BATCH:.0f} s)")
    print(f"start-up build_default_screen() + first scan: {timing['build_s'] * 1000:.0f} ms "
          f"(fresh process; importing bot.privacy first: {timing['import_s'] * 1000:.0f} ms)")
    print(f"memory (import + build): tracemalloc peak {memory['tracemalloc_peak_mb']:.1f} MB, "
          f"RSS delta {memory['rss_delta_mb']:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
