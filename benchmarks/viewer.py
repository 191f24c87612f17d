"""What the run viewer costs an embedded run: run.html written at the end, versus the same run without it.

    python benchmarks/viewer.py [--pairs 3]

Two measurements, both against a baseline from the same process:

1. Paired runs. The embedded default (SmolLM2 in-process, the Wikipedia corpus) researches the same
   question with `viewer=False` and `viewer=True`, alternately, `--pairs` times; the figure is the median
   wall time with the viewer over the median without it. On a shared 2-core machine a single pair is noisy
   by several percent either way, which is why the direct figure follows.
2. Direct. For each viewer run, the work the viewer adds (building the view from the final state, with a
   judge alignment per citation, rendering the page, writing it) is timed again on that run's own final
   state, and divided by that run's wall time.

Per-execution records (`executions` in run.json) are kept either way: they are part of the run record.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import structlog

from stepresearch.app.runner import run_research
from stepresearch.app.viewer import read_run, render_page, run_view
from stepresearch.graphs import build_graph
from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel
from stepresearch.tools import wiki_search_tool

QUESTION = "When and how did the Byzantine Empire end, and which state conquered its capital?"


def one_run(policy: LlamaCppChatModel, tool, root: Path, name: str, viewer: bool) -> tuple[float, Path]:
    out = root / name
    began = time.perf_counter()
    run_research(QUESTION, out, policy=policy, tools=[tool], viewer=viewer)
    return time.perf_counter() - began, out


def viewer_work(out: Path) -> float:
    """The viewer's own work on this run's final state: the view, the page, the file."""
    snapshot = read_run(out)
    graph = build_graph()
    began = time.perf_counter()
    view = run_view(snapshot.state, graph, status="finished", record=snapshot.record)
    (out / "run-again.html").write_text(render_page(view), encoding="utf-8")
    return time.perf_counter() - began


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=3)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    policy = LlamaCppChatModel()
    tool = wiki_search_tool()
    root = Path(tempfile.mkdtemp(prefix="stepresearch-viewer-"))
    one_run(policy, tool, root, "warm-up", viewer=False)  # loads the model and the index once, for both sides
    without, with_viewer, shares = [], [], []
    for i in range(args.pairs):
        # Alternate which side goes first, so a drift in the machine's speed does not favour one side.
        order = (False, True) if i % 2 == 0 else (True, False)
        for viewer in order:
            seconds, out = one_run(policy, tool, root, f"run-{i}-{'viewer' if viewer else 'plain'}", viewer)
            if viewer:
                assert (out / "run.html").is_file()
                with_viewer.append(seconds)
                shares.append(viewer_work(out) / seconds)
            else:
                assert not (out / "run.html").exists()
                without.append(seconds)
    print(f"Viewer overhead on the embedded default, {args.pairs} pairs of runs of one question")
    print(f"  without run.html: median {statistics.median(without):.1f} s  ({', '.join(f'{s:.1f}' for s in without)})")
    print(
        f"  with run.html:    median {statistics.median(with_viewer):.1f} s  ({', '.join(f'{s:.1f}' for s in with_viewer)})"
    )
    ratio = statistics.median(with_viewer) / statistics.median(without)
    print(f"  paired runs: with / without = {ratio:.3f}x (noise on this machine is a few percent either way)")
    print(
        f"  direct: the viewer's own work is {statistics.median(shares) * 100:.2f}% of a run's wall time "
        f"(max {max(shares) * 100:.2f}%)"
    )
    print(f"  run folders: {root}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
