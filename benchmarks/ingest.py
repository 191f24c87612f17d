"""Ingest benchmark: reading and indexing a folder corpus stays linear in its size, in time and memory.

    python benchmarks/ingest.py            # 4 sizes per file shape
    python benchmarks/ingest.py --big      # also a 200 MB corpus (10 files of 20 MB)

Each measurement runs in a fresh subprocess (read the folder, chunk, build and cache the BM25 index), so
its peak RSS is its own. Figures are seconds and peak memory per MB of input, and each size's seconds per
MB as a ratio to the smallest size's, measured in the same run: flat ratios mean linear work.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES_MB = (2, 4, 8, 16)
WORDS = "the harbour records of the old town name ships cargo tides and the guilds that rebuilt the quays".split()
CHILD = """
import json, resource, sys, time
from pathlib import Path
from stepresearch.tools.folder import folder_search_tool
started = time.perf_counter()
tool = folder_search_tool(Path(sys.argv[1]), cache_dir=Path(sys.argv[2]))
hits = tool.search("guilds rebuilt the quays", 3)
print(json.dumps({"seconds": time.perf_counter() - started, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "passages": len(tool.index.passages), "hits": len(hits)}))
"""


def make_text(megabytes: int, paragraphs: bool) -> str:
    """`megabytes` of prose: one paragraph with no blank line at all, or paragraphs of about 600 characters."""
    target = megabytes * 1024 * 1024
    sentence = " ".join(WORDS).capitalize() + ". "
    if not paragraphs:
        return (sentence * (target // len(sentence) + 1))[:target]
    para = sentence * 6 + "\n\n"
    return (para * (target // len(para) + 1))[:target]


def measure(folder: Path, cache: Path) -> dict:
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder), str(cache)], capture_output=True, text=True, timeout=3600
    )
    if result.returncode != 0:
        raise SystemExit(result.stderr[-2000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big", action="store_true", help="also measure a 200 MB corpus of 10 files")
    args = parser.parse_args(argv)
    root = Path(tempfile.mkdtemp(prefix="stepresearch-ingest-"))
    print("| file shape | MB | seconds | s/MB | s/MB vs smallest | peak RSS MB | RSS MB per input MB | passages |")
    print("|---|---|---|---|---|---|---|---|")
    for paragraphs in (False, True):
        shape = "many paragraphs" if paragraphs else "one paragraph"
        first = None
        for mb in SIZES_MB:
            folder = root / f"{shape.replace(' ', '-')}-{mb}"
            folder.mkdir()
            (folder / "doc.txt").write_text(make_text(mb, paragraphs), encoding="utf-8")
            figures = measure(folder, root / f"cache-{shape.replace(' ', '-')}-{mb}")
            per_mb = figures["seconds"] / mb
            first = first or per_mb
            print(
                f"| {shape} | {mb} | {figures['seconds']:.2f} | {per_mb:.3f} | {per_mb / first:.2f}x | "
                f"{figures['peak_mb']:.0f} | {figures['peak_mb'] / mb:.1f} | {figures['passages']} |"
            )
    if args.big:
        folder = root / "big"
        folder.mkdir()
        text = make_text(20, True)
        for i in range(10):
            (folder / f"part-{i}.txt").write_text(text.replace("harbour", f"harbour{i}"), encoding="utf-8")
        began = time.perf_counter()
        figures = measure(folder, root / "cache-big")
        print(
            f"\n200 MB corpus (10 files of 20 MB): {figures['seconds']:.1f} s, peak RSS {figures['peak_mb']:.0f} MB "
            f"({figures['peak_mb'] / 200:.1f} MB per input MB), {figures['passages']} passages "
            f"(wall {time.perf_counter() - began:.1f} s with process start)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
