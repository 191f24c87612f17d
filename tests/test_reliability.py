"""Nothing lost, nothing silently swapped, bounded work: the parts that need no model.

Folder reading (clipping, decoding, links), the linear chunker, the bounded index cache, the run-folder
lock, the policy-degradation warning, and the CLI's usage errors through a real subprocess.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest
from cli_in_process import run_cli_here

from stepresearch.app.run_folder import RunConfig, RunFolder
from stepresearch.core.errors import UsageError
from stepresearch.nodes.validate import degraded_policy_warning
from stepresearch.state import CallUsage, Report, Usage
from stepresearch.tools import bm25_index
from stepresearch.tools.bm25_index import Bm25Index, Passage, cached_indexes, clear_cache
from stepresearch.tools.folder import CHUNK_CHARS, FolderCorpus, _chunks


def cli(*args: str, cwd: Path, env: dict | None = None) -> subprocess.CompletedProcess:
    """The CLI in this process (tests/cli_in_process.py), with the folder's own index cache."""
    return run_cli_here(*args, cwd=cwd, env={"STEPRESEARCH_CACHE_DIR": str(cwd / "cache"), **(env or {})})


def assert_usage_error(result: subprocess.CompletedProcess, message: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if "error" in line]
    assert len(errors) == 1 and message in errors[0], result.stderr


# reading a folder ---------------------------------------------------------------------------------


def test_a_file_with_no_blank_lines_is_chunked_by_position_and_loses_nothing():
    text = " ".join(f"word{i}" for i in range(200_000))  # about 1.3 MB in one paragraph
    chunks = _chunks(text)
    assert all(len(c) <= CHUNK_CHARS for c in chunks)
    assert " ".join(chunks).split() == text.split()


def test_paragraphs_are_packed_up_to_the_chunk_size():
    chunks = _chunks("\n\n".join(f"Paragraph {i} says a little." for i in range(200)))
    assert len(chunks) > 1 and all(len(c) <= CHUNK_CHARS + 40 for c in chunks)
    assert sum(c.count("Paragraph") for c in chunks) == 200


def test_a_large_file_is_read_up_to_the_limit_and_named(tmp_path):
    (tmp_path / "big.txt").write_text("The harbour was rebuilt. " * 400, encoding="utf-8")  # 10 KB
    (tmp_path / "small.txt").write_text("The quay was finished in 1840.", encoding="utf-8")
    corpus = FolderCorpus.read(tmp_path, max_file_bytes=2048)
    assert len(corpus.documents[str(tmp_path / "big.txt")][1]) == 2048
    assert any("read only the first 2.0 KB of big.txt" in note for note in corpus.notes), corpus.notes


def test_undecodable_bytes_are_replaced_and_named(tmp_path):
    (tmp_path / "latin.txt").write_bytes("Caf\xe9 on the quay, built in 1840.".encode("latin-1"))
    corpus = FolderCorpus.read(tmp_path)
    assert "\ufffd" in corpus.documents[str(tmp_path / "latin.txt")][1]
    assert any("latin.txt is not valid UTF-8: 1 undecodable" in note for note in corpus.notes), corpus.notes


def test_dangling_and_looping_links_are_skipped_by_name(tmp_path):
    (tmp_path / "real.md").write_text("The mill was built in 1821.", encoding="utf-8")
    (tmp_path / "gone.md").symlink_to(tmp_path / "missing.md")
    (tmp_path / "loop.md").symlink_to(tmp_path / "loop.md")
    (tmp_path / "sub").symlink_to(tmp_path)  # a link to a folder: never followed, so no walk without end
    corpus = FolderCorpus.read(tmp_path)
    reasons = dict((Path(p).name, why) for p, why in corpus.skipped)
    assert reasons["gone.md"] == "a link to nothing"
    assert reasons["loop.md"] == "a link that loops"
    assert reasons["sub"] == "a link to a folder (not followed)"
    assert list(corpus.documents) == [str(tmp_path / "real.md")]
    assert "skipped 3 corpus file(s)" in corpus.notes[0] and "gone.md" in corpus.notes[0]


# the index cache ----------------------------------------------------------------------------------


def test_the_index_cache_keeps_only_the_most_recently_used(tmp_path, monkeypatch):
    monkeypatch.setattr(bm25_index, "MAX_CACHED_INDEXES", 2)
    for i in range(4):
        passages = [Passage(doc_uri=f"d{i}", title="t", text=f"harbour quay number{i}", origin=f"d{i}")]
        Bm25Index.cached(lambda p=passages: p, f"corpus-{i}", tmp_path)
        time.sleep(0.01)
    kept = cached_indexes(tmp_path)
    assert len(kept) == 2
    count, size = clear_cache(tmp_path)
    assert count == 2 and size > 0 and cached_indexes(tmp_path) == []


def test_cache_info_and_clear_through_the_cli(tmp_path):
    Bm25Index.cached(lambda: [Passage(doc_uri="d", title="t", text="quay", origin="d")], "x", tmp_path / "cache")
    info = cli("cache", "info", cwd=tmp_path)
    assert info.returncode == 0 and "1 index(es)" in info.stdout
    cleared = cli("cache", "clear", cwd=tmp_path)
    assert cleared.returncode == 0 and "removed 1 cached index(es)" in cleared.stdout


# the run folder -----------------------------------------------------------------------------------


def test_a_second_writer_is_told_which_process_holds_the_folder(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from stepresearch.app.run_folder import RunFolder; "
         "f = RunFolder(sys.argv[1]); f.acquire(); print('held', flush=True); time.sleep(30)", str(tmp_path / "run")],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        with pytest.raises(UsageError, match=f"in use by pid {holder.pid}"):
            RunFolder(tmp_path / "run").acquire()
    finally:
        holder.kill()
        holder.wait()
    folder = RunFolder(tmp_path / "run")
    folder.acquire()  # the kernel released the dead holder's lock
    folder.release()


def test_a_recorded_configuration_lists_what_a_resume_would_change():
    began = RunConfig(corpus="/notes", budgets={"max_rounds": 2}, judge="auto")
    later = began.model_copy(update={"corpus": None, "budgets": {"max_rounds": 3}})
    changes = began.differences(later)
    assert any(c.startswith("corpus (was '/notes', now None)") for c in changes)
    assert any(c.startswith("budgets") for c in changes)
    assert began.differences(began) == []


# saying what degraded -----------------------------------------------------------------------------


def test_a_policy_that_fails_most_calls_is_named_at_the_top_of_the_report():
    bad = Usage(by_node={"plan": CallUsage(calls=4, unusable=3), "write": CallUsage(calls=2, unusable=2)})
    warning = degraded_policy_warning({"usage": bad})
    assert warning.startswith("the policy returned no usable text in 5 of 6 calls")
    assert degraded_policy_warning({"usage": Usage(by_node={"plan": CallUsage(calls=6, unusable=3)})}) == ""
    marked = Report(title="Title", question="Why?", warning=warning).markdown
    assert marked.splitlines()[2].startswith("> **Warning:** The policy returned no usable text")
    assert marked.index("> **Warning:**") < marked.index("*Question:* Why?")


# usage errors through the CLI ---------------------------------------------------------------------


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "0"])
def test_a_bad_timeout_is_refused_before_anything_is_created(tmp_path, value):
    result = cli("run", "Why did Rome fall?", "--timeout", value, "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert result.returncode == 2 and "positive, finite number of seconds" in result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "run").exists()


def test_a_port_out_of_range_is_refused(tmp_path):
    result = cli("serve", "--port", "99999", "--dry-run", cwd=tmp_path)
    assert result.returncode == 2 and "a port is at most 65535" in result.stderr and "Traceback" not in result.stderr


def test_resume_on_a_corrupt_checkpoint_is_one_line(tmp_path):
    run = tmp_path / "run"
    run.mkdir()
    (run / ".thread").write_text("run-x", encoding="utf-8")
    (run / "checkpoints.sqlite").write_bytes(b"this is not a database" * 100)
    assert_usage_error(cli("run", "--resume", "--out", str(run), cwd=tmp_path), "is not a readable checkpoint database")


def test_cache_report_on_a_malformed_record_is_one_line(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "run.json").write_text(json.dumps({"cache": {"by_node": [1, 2]}}), encoding="utf-8")
    assert_usage_error(
        cli("cache-report", str(tmp_path / "run"), cwd=tmp_path), "older stepresearch: it has no question"
    )


def test_a_new_run_into_a_finished_run_folder_is_refused(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "report.md").write_text("# An earlier report\n", encoding="utf-8")
    result = cli("run", "Why did Rome fall?", "--out", str(tmp_path / "run"), cwd=tmp_path)
    assert_usage_error(result, "holds a finished run")
    assert (tmp_path / "run" / "report.md").read_text(encoding="utf-8") == "# An earlier report\n"


def test_a_resume_that_would_swap_the_corpus_is_refused(tmp_path):
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "a.md").write_text("The mill was built in 1821.", encoding="utf-8")
    other = tmp_path / "other"
    other.mkdir()
    (other / "b.md").write_text("The quay was finished in 1840.", encoding="utf-8")
    run = tmp_path / "run"
    # A real unfinished run over `notes`: its graph ends before validation (a validate that returns nothing).
    from conftest import QUESTION, scripted_replies
    from fakes import ScriptedPolicy

    from stepresearch.app.runner import run_research
    from stepresearch.core.errors import StepResearchError
    from stepresearch.tools import folder_search_tool

    with pytest.raises(StepResearchError, match="stopped before a validated report"):
        run_research(
            QUESTION, run, policy=ScriptedPolicy(replies=scripted_replies()), tools=[folder_search_tool(notes)],
            budgets={"max_rounds": 1}, graph_options={"nodes": {"validate": lambda state, runtime: {}}},
            run_config=RunConfig(corpus=str(notes.resolve()), budgets={"max_rounds": 1}),
        )  # fmt: skip
    result = cli("run", "--resume", "--out", str(run), "--corpus", str(other), cwd=tmp_path)
    assert_usage_error(result, "--resume would change corpus")
    assert "--allow-changes" in result.stderr


def test_a_policy_that_answers_junk_to_every_call_is_reported_not_hidden(tmp_path):
    from conftest import DOCS, QUESTION
    from fakes import ScriptedPolicy, list_tool

    from stepresearch.app.runner import run_research

    junk = ScriptedPolicy(
        replies={task: "<<garbage>>" for task in ("clarify", "plan", "claims", "reflect", "summarize")}
    )
    result = run_research(QUESTION, tmp_path / "run", policy=junk, tools=[list_tool(DOCS)])
    report = result.report_path.read_text(encoding="utf-8")
    assert "> **Warning:** The policy returned no usable text in" in report.splitlines()[2]
    record = json.loads(result.run_json_path.read_text(encoding="utf-8"))
    assert record["usage"]["unusable_calls"] >= record["usage"]["calls"] // 2 + 1
    assert any("no usable text" in note for note in record["notes"])
