"""`stepresearch verify` on hand-edited reports, through the real CLI in a subprocess.

Every way a person edits a report gives a correct result or one clear error line, never a traceback:
citations after the full stop, numbers missing from `## Sources`, a deleted Sources section, empty and
binary files, a bad sources.json, a file where the run folder should be. `--fix` keeps run.json in step.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stepresearch.state import Source, stable_source_id


def src(uri: str, title: str, text: str) -> dict:
    return Source(id=stable_source_id(uri), title=title, uri=uri, text=text, tool="folder", origin=uri).model_dump(
        include={"id", "title", "uri", "text", "tool", "origin"}
    )


MILL = src("notes/mill.md", "Orm mill", "The Orm mill was built in 1821 beside the river Tay. It burned down in 1903.")
QUAY = src(
    "notes/quay.md", "Orm quay", "The stone quay at Orm was finished in 1840 and rebuilt after the storm of 1881."
)
LIST = f"## Sources\n\n[1] {MILL['title']} — {MILL['uri']}\n[2] {QUAY['title']} — {QUAY['uri']}\n"


def make_run(tmp_path: Path, body: str, *, sources: object = None, record: bool = True) -> Path:
    run = tmp_path / "run"
    run.mkdir(exist_ok=True)
    (run / "report.md").write_text(body, encoding="utf-8")
    (run / "sources.json").write_text(json.dumps([MILL, QUAY] if sources is None else sources), encoding="utf-8")
    if record:
        numbered = [{"n": 1, "id": MILL["id"], "title": MILL["title"], "uri": MILL["uri"], "tool": "folder"}]
        # The fields every run.json has (stepresearch.app.run_record.RunRecord), with nothing in them.
        minimal = {"question": "q", "thread_id": "t", "brief": None, "sources": numbered, "claims": [],
                   "timings": {"total_s": 0.0}, "executions": [], "notes": []}  # fmt: skip
        (run / "run.json").write_text(json.dumps(minimal), encoding="utf-8")
    return run


def verify(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "STEPRESEARCH_CACHE_DIR": str(cwd / "cache")}
    return subprocess.run(
        [sys.executable, "-m", "stepresearch", "verify", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
    )


def assert_one_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr


def test_a_citation_after_the_full_stop_is_checked_and_kept(tmp_path):
    run = make_run(
        tmp_path,
        f"# R\n\n## Short answer\n\nThe Orm mill was built in 1821. [1] The quay was finished in 1840. [2]\n\n{LIST}",
    )
    result = verify(str(run), cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 total, 2 valid" in result.stdout and "0 phantom" in result.stdout


def test_a_wrong_citation_after_the_full_stop_is_moved(tmp_path):
    run = make_run(tmp_path, f"# R\n\n## Short answer\n\nThe Orm mill burned down in 1903. [2]\n\n{LIST}")
    result = verify(str(run), "--fix", cwd=tmp_path)
    assert result.returncode == 0 and "1 re-attributed" in result.stdout, result.stdout
    assert "The Orm mill burned down in 1903 [1]." in (run / "report.md").read_text(encoding="utf-8")


def test_a_number_missing_from_the_sources_list_is_a_phantom_and_repaired(tmp_path):
    run = make_run(tmp_path, f"# R\n\n## Short answer\n\nThe stone quay at Orm was finished in 1840 [7].\n\n{LIST}")
    result = verify(str(run), "--fix", cwd=tmp_path)
    assert result.returncode == 1 and "1 phantom" in result.stdout
    repaired = (run / "report.md").read_text(encoding="utf-8")
    assert "[7]" not in repaired and "finished in 1840 [1]." in repaired and "[1] Orm quay" in repaired


def test_a_deleted_sources_section_is_rebuilt_from_the_retrieved_sources(tmp_path):
    run = make_run(tmp_path, "# R\n\n## Short answer\n\nThe Orm mill was built in 1821 beside the river Tay [1].\n")
    result = verify(str(run), "--fix", cwd=tmp_path)
    assert result.returncode == 1 and "1 phantom" in result.stdout  # [1] resolved to nothing listed
    repaired = (run / "report.md").read_text(encoding="utf-8")
    assert "## Sources" in repaired and "[1] Orm mill — notes/mill.md" in repaired


def test_an_unsupported_sentence_is_marked_and_run_json_follows_the_fix(tmp_path):
    body = f"# R\n\n## Short answer\n\nThe Orm mill was built in 1821 [1]. The quay was built by Romans [2].\n\n{LIST}"
    run = make_run(tmp_path, body)
    result = verify(str(run), "--fix", cwd=tmp_path)
    assert result.returncode == 0 and "unverified: The quay was built by Romans" in result.stdout
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    assert [s["title"] for s in record["sources"]] == ["Orm mill"]
    assert record["citations"]["removed"] == 1 and record["citations"]["valid"] == 1
    assert "updated:" in result.stdout


def test_an_empty_report_is_a_clean_result(tmp_path):
    run = make_run(tmp_path, "")
    result = verify(str(run), cwd=tmp_path)
    assert result.returncode == 0 and "0 total" in result.stdout, result.stderr


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda run: (run / "report.md").write_bytes(b"\x00\x01binary\xff"), "is a binary file"),
        (lambda run: (run / "report.md").write_bytes(b"caf\xe9 [1]."), "is not UTF-8 text"),
        (lambda run: (run / "sources.json").write_text("{not json", encoding="utf-8"), "is not valid JSON"),
        (lambda run: (run / "sources.json").write_text('{"a": 1}', encoding="utf-8"), "must hold a list"),
        (
            lambda run: (run / "sources.json").write_text('[{"id": "x"}]', encoding="utf-8"),
            "entry 0 has a bad or missing field",
        ),
        (lambda run: (run / "sources.json").unlink(), "sources.json is missing"),
        (lambda run: ((run / "report.md").unlink(), (run / "report.md").mkdir()), "is a folder, not a report"),
    ],
)
def test_broken_run_folders_give_one_clear_line(tmp_path, setup, message):
    run = make_run(tmp_path, f"# R\n\n## Short answer\n\nThe Orm mill was built in 1821 [1].\n\n{LIST}")
    setup(run)
    assert_one_error(verify(str(run), cwd=tmp_path), message)


def test_a_file_instead_of_a_run_folder(tmp_path):
    run = make_run(tmp_path, "x")
    assert_one_error(verify(str(run / "report.md"), cwd=tmp_path), "is a file; give the run folder")


def test_the_policy_judge_needs_a_server(tmp_path):
    run = make_run(tmp_path, "x")
    assert_one_error(verify(str(run), "--judge", "policy", cwd=tmp_path), "--judge policy needs --base-url")
