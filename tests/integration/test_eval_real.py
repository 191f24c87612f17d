"""`stepresearch eval run` end to end on real parts: the engine and the judge are both SmolLM2 behind
`stepresearch serve --engine llama-cpp` (llama-cpp-python's OpenAI-compatible server) on a free loopback
port, so the judge's real HTTP and structured-output path is driven; the corpus is the offline Wikipedia.

SmolLM2-135M is not a capable judge: the capability probe says so, and the tests check that every output
says so in plain words. Its scores are not checked for value, only for shape: each criterion scored 0-10
or recorded unscored after its retries, never a silent 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import free_port
from test_http_policy import start_server, stop

from stepresearch.eval.tasks import load_tasks

pytestmark = pytest.mark.integration

BUDGET = ["--max-rounds", "1", "--max-sub-questions", "2"]  # the engine's part is not what is tested here


@pytest.fixture(scope="module")
def server_url():
    port = free_port()
    process = start_server(port)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        stop(process)


def eval_run(tasks: str, out: Path, url: str, *extra: str) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "stepresearch", "eval", "run", tasks, "--out", str(out), "--base-url", url,
               "--judge-url", url, *BUDGET, *extra]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=1500)


def test_eval_run_on_two_drb_tasks_through_the_served_judge(server_url, tmp_path):
    out = tmp_path / "drb"
    done = eval_run("drb", out, server_url, "--ids", "1,51")
    assert done.returncode == 0, done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scored"] == 2 and summary["criteria_kind"] == "absolute"
    assert summary["judge"]["capable"] is False and "carry no meaning" in summary["judge"]["note"]
    assert "carry no meaning" in done.stdout and "carry no meaning" in (out / "eval.html").read_text()
    drb = {t.id: t for t in load_tasks("drb", ids=["1", "51"])}
    for task_id, language in (("1", "zh"), ("51", "en")):
        scores = json.loads((out / "tasks" / task_id / "scores.json").read_text())
        assert scores["language"] == language and scores["judge"]["capable"] is False
        judgements = scores["criteria"]["judgements"]
        assert len(judgements) == len(drb[task_id].criteria.items())
        for j in judgements:
            assert (j["score"] is not None and 0 <= j["score"] <= 10 and j["attempts"] >= 1) or (
                j["score"] is None and j["attempts"] == 3
            )
        assert scores["tokens"]["calls"] >= len(judgements) and scores["tokens"]["prompt_tokens"] > 0
        assert scores["tokens"]["unit"] == "tokens" and 0 < scores["tokens"]["one_call"]
        assert (out / "tasks" / task_id / "run" / "report.md").is_file()
    # Resumable: the same command again researches and judges nothing.
    again = eval_run("drb", out, server_url, "--ids", "1,51")
    assert again.returncode == 0 and json.loads((out / "summary.json").read_text())["per_task"] == summary["per_task"]
    assert "skipped" in again.stderr


def test_eval_run_on_a_local_task_file_scores_recall_rubric_and_citations(server_url, tmp_path):
    tasks = tmp_path / "tasks.jsonl"
    tasks.write_text(
        json.dumps({"id": "curie", "prompt": "What did Marie Curie discover?", "facts": [["radium", "polonium"]],
                    "on_topic": ["Marie Curie", "Radium", "Polonium", "Pierre Curie"],
                    "rubrics": [{"rubric": "Names an element she discovered", "weight": 2},
                                {"rubric": "Says she never won a Nobel Prize", "weight": -1}]}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    out = tmp_path / "local"
    done = eval_run(str(tasks), out, server_url, "--grading", "ternary")
    assert done.returncode == 0, done.stderr[-2000:]
    scores = json.loads((out / "tasks" / "curie" / "scores.json").read_text())
    assert scores["recall"]["facts"] == 1 and scores["recall"]["cited"] >= 1
    assert scores["rubric"]["grading"] == "ternary" and len(scores["rubric"]["judgements"]) == 2
    citations = scores["citations"]
    assert citations["supported"] + citations["unsupported"] >= 1
    assert citations["unknown"] == 0  # every citation of our report has its retrieved text in sources.json
