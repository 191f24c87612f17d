"""A reviewed run with the real SmolLM2, through the CLI at a terminal: `run --review plan`.

The person's lines come on stdin: first plain words, which the embedded policy may not read (the plan is
shown again with the reason), then `drop 1`. The run must search the plan without its first sub-question
and record both replies in run.json.
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
        [sys.executable, "-m", "stepresearch", "run", QUESTION, "--corpus", str(PLANTED), "--review", "plan",
         "--max-rounds", "1", "--max-sub-questions", "3", "--out", str(out)],
        input="only ask about the harbour\ndrop 1\n", capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr.count("review the plan") == 2 and "plain words need a capable policy" in done.stderr
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    (review,) = record["reviews"]
    assert review["replies"][0] == {"instruction": "only ask about the harbour"}
    assert review["outcome"] == "changed" and review["result"] == review["shown"][1:]
    assert [sq["text"] for sq in record["sub_questions"]] == review["shown"][1:]
    assert (out / "report.md").read_text(encoding="utf-8").startswith("# ")
