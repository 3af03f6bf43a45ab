"""Speed and memory of the privacy screen.

Prints p50/p99 scan latency for a 300-character and a 4,000-character message, the start-up
time of ``build_default_screen()`` (word lists read from disk, in a fresh process), and memory:
tracemalloc peak and resident-set growth while building the screen.

Usage: ``python benchmarks/privacy_speed.py [--runs N]``
Targets: p99 < 2 ms at 300 chars, < 20 ms at 4,000 chars, start-up < 0.5 s, memory < 50 MB.
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
    args = parser.parse_args(argv)

    from bot.privacy import build_default_screen

    timing = min((startup_figures("time") for _ in range(3)), key=lambda r: r["build_s"])
    memory = startup_figures("memory")
    screen = build_default_screen()
    for length, runs in ((300, args.runs), (4000, max(200, args.runs // 10))):
        text = make_message(length)
        p50, p99 = time_scans(screen, text, runs)
        print(f"scan {length:>5} chars: p50 {p50:.3f} ms, p99 {p99:.3f} ms ({runs} runs)")
    print(f"start-up build_default_screen() + first scan: {timing['build_s'] * 1000:.0f} ms "
          f"(fresh process; importing bot.privacy first: {timing['import_s'] * 1000:.0f} ms)")
    print(f"memory (import + build): tracemalloc peak {memory['tracemalloc_peak_mb']:.1f} MB, "
          f"RSS delta {memory['rss_delta_mb']:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
