"""Durability with the real SmolLM2 policy and the real SQLite checkpointer, through the CLI.

A run is killed with SIGKILL at every node boundary, inside both fan-outs and at their joins, and before
each result file is written (the `STEPRESEARCH_FAULT_AT` seam aims the kill; no timing luck); the kills are
chained through one run, each resume killed at the next boundary. The last resume finishes with the report
of a run never killed, and no node ran twice. Two runs into one folder: the second is refused while the first holds it. A run
that fails prints a resume command that works exactly as printed and keeps the corpus it began with.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest

from stepresearch.benchmarks import durability
from stepresearch.core.faults import KILL_CHAINS

sys.path.insert(0, str(Path(__file__).parents[1]))
from planted import PLANTED, QUESTION  # noqa: E402

pytestmark = pytest.mark.integration

SMALL = durability.SMALL


def env_for(root: Path, **extra: str) -> dict:
    return durability.env_for(root, **extra)


def run_cli(args: list[str], root: Path, **extra: str) -> subprocess.CompletedProcess:
    return durability.cli(args, root, **extra)


def assert_complete(run: Path) -> dict:
    for name in durability.RESULT_FILES:
        assert (run / name).is_file(), f"{name} missing after resume"
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert record["citations"]["phantom"] == 0
    assert (run / "report.md").read_text(encoding="utf-8").startswith("# ")
    assert all(s["uri"].startswith(str(PLANTED)) for s in record["sources"]), record["sources"]
    return record


@pytest.fixture(scope="module")
def unkilled(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("unkilled")
    record = durability.unkilled_run(root)
    assert_complete(root / "unkilled")
    return record


@pytest.mark.parametrize("chain", sorted(KILL_CHAINS))
def test_a_run_killed_at_every_boundary_in_turn_resumes_to_the_report_of_a_run_never_killed(tmp_path, chain, unkilled):
    """The run is killed at the chain's first boundary, each resume is killed at the next, and the last resume
    finishes: every boundary is a point some resume continued from. The finished run matches the unkilled
    one: the same executions (no node that finished before a kill ran again, none skipped), the same cited
    sources, the same sentences, 0 phantoms (`benchmarks/durability.check_resumed`)."""
    run = tmp_path / "run"
    processes, problems = durability.run_chain(run, KILL_CHAINS[chain], tmp_path, unkilled)
    assert problems == []
    assert processes == len(KILL_CHAINS[chain]) + 2  # every kill, the last resume, the refused one
    record = assert_complete(run)
    assert record["resume_notes"], "the last kill came after validate: the files come from the final checkpoint"
    again = run_cli(["run", "--resume", "--out", str(run)], tmp_path)
    assert again.returncode == 2 and "already finished" in again.stderr
    assert again.stderr.strip().count("\n") == 0, again.stderr  # one line, said before any model or index loads


def test_a_second_run_into_a_folder_in_use_is_refused(tmp_path):
    run = tmp_path / "run"
    first = subprocess.Popen(
        [sys.executable, "-m", "stepresearch", "run", QUESTION, "--corpus", str(PLANTED), "--out", str(run), *SMALL],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_for(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            lock = run / ".lock"
            if lock.is_file() and lock.read_text(encoding="utf-8").strip() == str(first.pid):
                break
            time.sleep(0.2)
        else:
            pytest.fail("the first run never took the folder's lock")
        second = run_cli(["run", QUESTION, "--out", str(run), "--overwrite", *SMALL], tmp_path)
        assert second.returncode == 2, second.stderr
        assert f"run folder {run} is in use by pid {first.pid}" in second.stderr
        assert "Traceback" not in second.stderr
        _, stderr = first.communicate(timeout=900)
        assert first.returncode == 0, stderr[-2000:]
    finally:
        if first.poll() is None:
            first.kill()
    assert_complete(run)


def test_the_printed_resume_command_works_as_printed_and_keeps_the_corpus(tmp_path):
    run = tmp_path / "run"
    failed = run_cli(["run", QUESTION, "--corpus", str(PLANTED), "--out", str(run), *SMALL], tmp_path,
                     STEPRESEARCH_FAULT_AT="fail:after:plan")  # fmt: skip
    assert failed.returncode == 1, failed.stderr[-2000:]
    hint = failed.stderr.split("continue with: ", 1)[1].strip().splitlines()[0]
    command = shlex.split(hint)
    assert command[0] == "stepresearch" and "--corpus" not in command
    resumed = subprocess.run(
        [sys.executable, "-m", "stepresearch", *command[1:]], capture_output=True, text=True, timeout=900,
        env=env_for(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    record = assert_complete(run)
    assert not any(s["uri"].startswith("wiki:") for s in record["sources"])
    assert record["judge"] == "semantic"  # the embedded default's deterministic judge
