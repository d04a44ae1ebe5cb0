"""Red-flag screen benchmark: per-message latency (p50/p99) and throughput.

Run: ``.venv/bin/python bench/screen_bench.py [--rounds N]``. Two workloads: the test phrasings
table (short chat messages), and a mix of long messages (1 KB to 100 KB). Prints the figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from api.safety.screen import RedFlagScreen  # noqa: E402

PHRASINGS = ROOT / "tests" / "unit" / "safety" / "phrasings.yaml"
SENTENCES = [
    "I would like to ask about my repeat prescription.",
    "My last blood test said my cholesterol was a bit high, what does that mean?",
    "The letter from the hospital mentions a scan of my knee in 2019.",
    "I don't have chest pain, but my ankle is still swollen after the fall.",
    "My dad had a stroke in 2010 and my mum has diabetes.",
    "Can you explain what eGFR means on my results?",
    "I'm not sure if I should book a review for my asthma.",
]


def phrasing_messages() -> list[str]:
    table = yaml.safe_load(PHRASINGS.read_text(encoding="utf-8"))
    return [text for group in ("red_flag", "clear") for texts in table[group].values()
            for text in texts]


def long_messages(seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    messages = []
    for size in (1_000, 5_000, 20_000, 100_000):
        for flagged in (False, True):
            words: list[str] = []
            while sum(len(w) + 1 for w in words) < size:
                words.append(rng.choice(SENTENCES))
            if flagged:
                words.insert(rng.randrange(len(words)), "Now my baby won't wake up.")
            messages.append(" ".join(words))
    return messages


def measure(screen: RedFlagScreen, messages: list[str], rounds: int) -> dict[str, float]:
    timings = []
    started = time.perf_counter()
    for _ in range(rounds):
        for message in messages:
            t0 = time.perf_counter()
            screen.check(message)
            timings.append(time.perf_counter() - t0)
    elapsed = time.perf_counter() - started
    timings.sort()
    return {
        "messages": len(timings),
        "p50_ms": statistics.median(timings) * 1000,
        "p99_ms": timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000,
        "max_ms": timings[-1] * 1000,
        "per_s": len(timings) / elapsed,
        "kb_per_s": sum(len(m) for m in messages) * rounds / elapsed / 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    t0 = time.perf_counter()
    screen = RedFlagScreen.load()
    print(f"load: {time.perf_counter() - t0:.2f} s (spaCy import, matchers)")
    short = phrasing_messages()
    for message in short[:20]:
        screen.check(message)  # warm the fuzzy-correction cache, as a running service would be
    for name, messages, rounds in (
        ("phrasings table", short, args.rounds),
        ("long messages 1-100 KB", long_messages(), max(1, args.rounds // 10)),
    ):
        r = measure(screen, messages, rounds)
        print(f"{name}: {r['messages']:.0f} checks, p50 {r['p50_ms']:.2f} ms, "
              f"p99 {r['p99_ms']:.2f} ms, max {r['max_ms']:.1f} ms, "
              f"{r['per_s']:.0f} messages/s, {r['kb_per_s']:.0f} KB/s")


if __name__ == "__main__":
    main()
