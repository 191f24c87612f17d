"""Durability with the real SmolLM2 policy and the real SQLite checkpointer, through the CLI.

A run is killed with SIGKILL at every node boundary and before each result file is written (the
`STEPRESEARCH_FAULT_AT` seam aims the kill; no timing luck), then resumed: every resume finishes with a
complete, valid report. Two runs into one folder: the second is refused while the first holds it. A run
that fails prints a resume command that works exactly as printed and keeps the corpus it began with.
"""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
from planted import PLANTED, QUESTION  # noqa: E402

pytestmark = pytest.mark.integration

SMALL = ("--max-rounds", "1", "--max-sub-questions", "2")
KILL_POINTS = [
    "after:clarify",
    "after:plan",
    "after:search",
    "after:verify",
    "after:reflect",
    "after:write",
    "after:validate",
    "before-write:sources.json",
    "before-write:report.md",
    "before-write:run.json",
]


def env_for(root: Path, **extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("TAVILY_API_KEY", "STEPRESEARCH_FAULT_AT")}
    return {**env, "STEPRESEARCH_CACHE_DIR": str(root / "cache"), **extra}


def run_cli(args: list[str], root: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "stepresearch", *args], capture_output=True, text=True, timeout=900,
        env=env_for(root, **extra), cwd=root,
    )  # fmt: skip


def assert_complete(run: Path) -> dict:
    for name in ("report.md", "run.json", "sources.json"):
        assert (run / name).is_file(), f"{name} missing after resume"
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert record["citations"]["phantom"] == 0
    assert (run / "report.md").read_text(encoding="utf-8").startswith("# ")
    assert all(s["uri"].startswith(str(PLANTED)) for s in record["sources"]), record["sources"]
    return record


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_run_killed_at_any_boundary_resumes_to_a_complete_report(tmp_path, point):
    run = tmp_path / "run"
    killed = run_cli(["run", QUESTION, "--corpus", str(PLANTED), "--out", str(run), *SMALL], tmp_path,
                     STEPRESEARCH_FAULT_AT=point)  # fmt: skip
    assert killed.returncode == -signal.SIGKILL, killed.stderr[-2000:]
    assert not (run / "run.json").exists(), "run.json is written last, and whole or not at all"
    resumed = run_cli(["run", "--resume", "--out", str(run)], tmp_path)
    assert resumed.returncode == 0, resumed.stderr[-2000:]
    record = assert_complete(run)
    if point.startswith("before-write"):  # the run had finished: the files come from its final checkpoint
        assert record["resume_notes"], record
    again = run_cli(["run", "--resume", "--out", str(run)], tmp_path)
    assert again.returncode == 2 and "already finished" in again.stderr


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
    assert record["judge"] == "lexical"
