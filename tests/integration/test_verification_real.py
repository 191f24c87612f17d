"""Cross-source verification with the real SmolLM2 policy on the planted corpus, through the CLI,
and `stepresearch verify` on the resulting run folder (including a report a person broke)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1]))
from planted import PLANTED, QUESTION, check_planted_run  # noqa: E402

pytestmark = pytest.mark.integration


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ}
    env.pop("TAVILY_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "stepresearch", *args], capture_output=True, text=True, timeout=900, env=env, cwd=cwd
    )


@pytest.fixture(scope="module")
def planted_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("planted")
    result = cli("run", QUESTION, "--corpus", str(PLANTED), "--out", str(root / "run"), cwd=root)
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "run"


def test_guarantees_hold_with_the_real_model(planted_run):
    report = (planted_run / "report.md").read_text(encoding="utf-8")
    record = json.loads((planted_run / "run.json").read_text(encoding="utf-8"))
    check_planted_run(report, record)
    assert "## Verification" in report.split("## Sources")[0]


def test_verify_passes_a_fresh_run_and_catches_a_phantom_added_by_hand(planted_run, tmp_path):
    clean = cli("verify", str(planted_run), cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert " 0 phantom" in clean.stdout

    edited = tmp_path / "edited"
    edited.mkdir()
    for name in ("report.md", "sources.json"):
        (edited / name).write_text((planted_run / name).read_text(encoding="utf-8"), encoding="utf-8")
    report = (edited / "report.md").read_text(encoding="utf-8")
    report = report.replace("## Short answer\n\n", "## Short answer\n\nThe fire was started by a comet [42]. ", 1)
    (edited / "report.md").write_text(report, encoding="utf-8")

    caught = cli("verify", str(edited), cwd=tmp_path)
    assert caught.returncode == 1
    assert "1 phantom" in caught.stdout and "unverified: The fire was started by a comet" in caught.stdout
    fixed = cli("verify", str(edited), "--fix", cwd=tmp_path)
    assert fixed.returncode == 1  # it reports what it found, then repairs
    assert "[42]" not in (edited / "report.md").read_text(encoding="utf-8")
    assert cli("verify", str(edited), cwd=tmp_path).returncode == 0


def test_verify_on_a_folder_that_is_not_a_run_is_a_usage_error(tmp_path):
    result = cli("verify", str(tmp_path / "nothing"), cwd=tmp_path)
    assert result.returncode == 2 and "is not a run folder" in result.stderr and "Traceback" not in result.stderr
