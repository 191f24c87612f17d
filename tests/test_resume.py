"""Resume after a kill at every node boundary, fan-outs included (FAKE `ScriptedPolicy`, graph logic only).

Each kill is a real SIGKILL of a child process at a named boundary (`stepresearch.core.faults`); the resume runs
in this process. A resumed run must finish with the report of a run that was never killed, redo no node
whose writes the checkpoint already held, and never write result files from a state without a validated
report. The real model and CLI go through the same boundaries in tests/integration/test_durability_real.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from conftest import DOCS, QUESTION, scripted_replies
from fakes import ScriptedPolicy, list_tool

from stepresearch.app.runner import check_resumable, read_checkpoint, run_research
from stepresearch.benchmarks.durability import checkpointed_executions
from stepresearch.core.errors import StepResearchError, UsageError
from stepresearch.core.faults import FAULT_ENV, KILL_CHAINS

POINTS = sorted({point for chain in KILL_CHAINS.values() for point in chain})
HERE = Path(__file__).parent


def research(out: Path, **kwargs):
    return run_research(
        QUESTION if not kwargs.get("resume") else None,
        out,
        policy=ScriptedPolicy(replies=scripted_replies()),
        tools=[list_tool(DOCS)],
        graph_options={"policy_capable": True, **kwargs.pop("graph_options", {})},  # the fake judges too
        **kwargs,
    )


def killed_research(out: Path, point: str) -> subprocess.CompletedProcess:
    """The same research in a child process, SIGKILLed at `point`."""
    script = (
        f"import sys; sys.path.insert(0, {str(HERE)!r});"
        "from test_resume import research; from pathlib import Path;"
        f"research(Path({str(out)!r}))"
    )
    env = {**os.environ, FAULT_ENV: point}
    return subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)


def execution_keys(executions: list[dict]) -> Counter:
    return Counter((e["node"], e["round"], e["sub_question"]) for e in executions)


@pytest.fixture(scope="module")
def unkilled(tmp_path_factory) -> dict:
    out = tmp_path_factory.mktemp("unkilled") / "run"
    research(out)
    return {"report": (out / "report.md").read_text(encoding="utf-8"), **json.loads((out / "run.json").read_text())}


@pytest.mark.parametrize("point", POINTS)
def test_a_run_killed_at_a_boundary_resumes_to_the_report_of_a_run_never_killed(tmp_path, point, unkilled):
    out = tmp_path / "run"
    killed = killed_research(out, point)
    assert killed.returncode == -9, killed.stderr[-2000:]
    before = checkpointed_executions(out)
    if point != "before-write:run.html":
        assert not (out / "run.json").exists(), "run.json is written after the report, whole or not at all"

    research(out, resume=True)

    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert (out / "report.md").read_text(encoding="utf-8") == unkilled["report"]
    assert [s["uri"] for s in record["sources"]] == [s["uri"] for s in unkilled["sources"]]
    assert record["citations"] == unkilled["citations"] and record["citations"]["phantom"] == 0
    # Every node ran exactly as often as in the run never killed: none was redone, none was skipped...
    assert execution_keys(record["executions"]) == execution_keys(unkilled["executions"])
    # ...and the executions the checkpoint held before the resume are the killed process's own, unchanged.
    after = {(e["node"], e["sub_question"], e["started_at"]) for e in record["executions"]}
    assert {(e["node"], e["sub_question"], e["started_at"]) for e in before} <= after
    with pytest.raises(UsageError, match="already finished"):
        check_resumable(out)


def test_the_state_that_fooled_the_old_resume_is_continued_not_written_out(tmp_path, unkilled):
    """Every search branch written, the step not checkpointed: the checkpoint shows no next task."""
    out = tmp_path / "run"
    assert killed_research(out, "after:search#3").returncode == -9
    snapshot = read_checkpoint(out)
    assert snapshot.next == () and snapshot.values.get("report") is None  # what `not snapshot.next` misread
    result = research(out, resume=True)
    assert result.report_path.read_text(encoding="utf-8") == unkilled["report"]


def test_a_graph_that_ends_without_a_validated_report_writes_no_result_and_keeps_its_checkpoint(tmp_path):
    out = tmp_path / "run"
    no_validation = {"nodes": {"validate": lambda state, runtime: {}}}
    with pytest.raises(StepResearchError, match="stopped before a validated report"):
        research(out, graph_options=no_validation)
    assert not any((out / name).exists() for name in ("report.md", "run.json", "sources.json"))
    with pytest.raises(UsageError, match="cannot be continued") as refused:
        research(out, resume=True, graph_options=no_validation)
    assert "checkpoint is kept" in str(refused.value)
    assert (out / "checkpoints.sqlite").stat().st_size > 0
    assert checkpointed_executions(out)[-1]["node"] == "validate"
