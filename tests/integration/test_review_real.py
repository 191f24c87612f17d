"""A reviewed run with the real SmolLM2, through the CLI at a terminal: `run --review plan --review sources`.

The person's lines come on stdin: first plain words, which the embedded policy may not read (the plan is
shown again with the reason), then `drop 1`; then, before the report is written, `strike 1`. The run must
search the plan without its first sub-question, never cite the struck source, say so in "Scope and
method", and record every reply in run.json.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
from planted import PLANTED, QUESTION  # noqa: E402

pytestmark = pytest.mark.integration


def test_a_person_reviews_the_plan_at_the_terminal(tmp_path):
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "stepresearch", "run", QUESTION, "--corpus", str(PLANTED), "--review", "plan", "--review", "sources",
         "--max-rounds", "1", "--max-sub-questions", "3", "--out", str(out)],
        input="only ask about the harbour\ndrop 1\nstrike 1\n", capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.count("review the plan") == 2 and "plain words need a capable policy" in done.stderr
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    review, sources_review = record["reviews"]
    assert sources_review["kind"] == "sources" and sources_review["replies"] == [
        {"strike": [sources_review["shown"][0]]}
    ]
    struck = sources_review["shown"][0]
    assert struck not in {s["id"] for s in record["sources"]} and sources_review["struck"] == [struck]
    assert "a person struck 1 source(s) before the report was written" in (out / "report.md").read_text(
        encoding="utf-8"
    )
    assert review["replies"][0] == {"instruction": "only ask about the harbour"}
    assert review["outcome"] == "changed" and review["result"] == review["shown"][1:]
    assert [sq["text"] for sq in record["sub_questions"]] == review["shown"][1:]
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# ")
