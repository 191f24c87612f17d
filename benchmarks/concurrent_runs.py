"""Two embedded researches on one machine: do they share the cores, or thrash?

    python benchmarks/concurrent_runs.py

Runs one research alone, then two at once (two `stepresearch run` processes, the same question, separate
run folders), and prints the two-at-once wall time as a ratio to the one-alone time measured in the same
run. Both processes load llama.cpp with all the machine's threads; the machine-wide generation lock
(`LlamaCppChatModel.share_cores`) makes them take turns call by call. The target is at most 2.5x: twice
the work, a little overhead, no thrashing (without the lock, two processes on 2 cores each ran about
30 times slower).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

QUESTION = "When did the Great Fire of Kelmar destroy the old town, where did it start, and how long did it burn?"
CORPUS = Path(__file__).resolve().parents[1] / "tests" / "data" / "planted"
TARGET = 2.5


def start(out: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "stepresearch", "run", QUESTION, "--corpus", str(CORPUS), "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env,
    )  # fmt: skip


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="stepresearch-two-"))
    env = {**os.environ, "STEPRESEARCH_CACHE_DIR": str(root / "cache")}
    env.pop("TAVILY_API_KEY", None)
    warm = start(root / "warm", env)  # builds the corpus index, so neither measured run pays for it
    warm.communicate()
    began = time.perf_counter()
    alone = start(root / "alone", env)
    _, err = alone.communicate()
    one = time.perf_counter() - began
    if alone.returncode != 0:
        raise SystemExit(err[-2000:])
    began = time.perf_counter()
    pair = [start(root / "a", env), start(root / "b", env)]
    for process in pair:
        _, err = process.communicate()
        if process.returncode != 0:
            raise SystemExit(err[-2000:])
    two = time.perf_counter() - began
    print("| runs | wall s | ratio to one run |")
    print("|---|---|---|")
    print(f"| one alone | {one:.1f} | 1.00x |")
    print(f"| two at once | {two:.1f} | {two / one:.2f}x |")
    print(f"\ntarget: at most {TARGET}x; {'met' if two / one <= TARGET else 'MISSED'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
