"""Bad input through the real CLI (its `main`, in this process): exit code 2, one clear line, no traceback."""

from __future__ import annotations

import subprocess

import pytest
from cli_in_process import run_cli_here


def run_cli(*args: str, tmp_path) -> subprocess.CompletedProcess:
    """The CLI in this process (tests/cli_in_process.py): every check here is decided before a model loads."""
    return run_cli_here(*args, cwd=tmp_path, env={"STEPRESEARCH_CACHE_DIR": str(tmp_path / "cache")})


def assert_usage_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr


@pytest.mark.parametrize("question", ["", "   \n\t "])
def test_empty_question(question, tmp_path):
    assert_usage_error(run_cli("run", question, tmp_path=tmp_path), "the question is empty")


def test_question_over_4000_characters(tmp_path):
    assert_usage_error(run_cli("run", "why " * 1001, tmp_path=tmp_path), "the limit is 4000")


def test_missing_corpus_folder(tmp_path):
    assert_usage_error(
        run_cli("run", "Why did Rome fall?", "--corpus", str(tmp_path / "nope"), tmp_path=tmp_path),
        "corpus folder not found",
    )


def test_corpus_without_readable_documents(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "a.pdf").write_bytes(b"%PDF")
    assert_usage_error(
        run_cli("run", "Why did Rome fall?", "--corpus", str(tmp_path / "docs"), tmp_path=tmp_path),
        "no readable documents",
    )


def test_missing_model_file(tmp_path):
    assert_usage_error(
        run_cli("run", "Why did Rome fall?", "--model", str(tmp_path / "none.gguf"), tmp_path=tmp_path),
        "model file not found",
    )


def test_model_file_that_is_not_gguf(tmp_path):
    fake = tmp_path / "model.gguf"
    fake.write_text("not a model", encoding="utf-8")
    assert_usage_error(run_cli("run", "Why did Rome fall?", "--model", str(fake), tmp_path=tmp_path), "not a GGUF file")


def test_unreadable_model_path(tmp_path):
    (tmp_path / "m.gguf").symlink_to("/proc/self/mem")
    assert_usage_error(
        run_cli("run", "Why did Rome fall?", "--model", str(tmp_path / "m.gguf"), tmp_path=tmp_path), "not readable"
    )


def test_invalid_budget_flag(tmp_path):
    result = run_cli("run", "Why did Rome fall?", "--max-rounds", "0", tmp_path=tmp_path)
    assert result.returncode == 2 and "at least 1" in result.stderr and "Traceback" not in result.stderr


def test_a_context_window_too_small_for_any_research_log(tmp_path):
    result = run_cli("run", "Why did Rome fall?", "--max-context", "1000", "--out", "r", tmp_path=tmp_path)
    assert_usage_error(result, "invalid budget max_context_tokens: Input should be greater than or equal to 1536")
    assert not (tmp_path / "r").exists()  # refused before anything was created


def test_resume_without_a_run(tmp_path):
    assert_usage_error(run_cli("run", "--resume", "--out", str(tmp_path / "r"), tmp_path=tmp_path), "nothing to resume")
    assert not (tmp_path / "r").exists(), "a failed resume creates nothing"
