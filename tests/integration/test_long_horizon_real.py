"""A run whose research log outgrows a small context window, on the real SmolLM2 through llama.cpp, the
shipped Wikipedia corpus and the `stepresearch` command: the log is compacted, nothing is dropped, and the
report cites a source whose passages reached the writer only as a digest."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

QUESTION = "When and how did the Byzantine Empire end, and which state conquered its capital?"
# The smallest window: it leaves 256 tokens for the research log, less than a round of this question's evidence
# (9 passages, about 600 tokens).
WINDOW = "1536"


@pytest.fixture(scope="module")
def compacted_run(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("long")
    env = {**os.environ}
    env.pop("TAVILY_API_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "stepresearch", "run", QUESTION, "--out", str(root / "run"), "--max-context", WINDOW],
        capture_output=True, text=True, timeout=900, env=env, cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert "compact" in result.stderr  # the progress line that says so
    return root / "run"


def test_the_log_is_compacted_within_its_budget_and_nothing_is_dropped(compacted_run):
    context = json.loads((compacted_run / "run.json").read_text())["context"]
    assert context["window_tokens"] == 1536 and context["window_from"] == "max_context"
    assert context["counted_by"] == "tokenizer"
    assert context["compactions"], context
    for compaction in context["compactions"]:
        assert compaction["log_tokens_after"] <= context["budget_tokens"] < compaction["log_tokens_before"]
        assert compaction["evidence_ids"] and compaction["digest_tokens"] > 0
    assert context["evidence_dropped"] == 0
    assert context["evidence_digested"] >= 1


def test_the_report_cites_sources_whose_passages_went_into_a_digest(compacted_run):
    record = json.loads((compacted_run / "run.json").read_text())
    context = record["context"]
    digested_sources = {i.split("#", 1)[0] for c in context["compactions"] for i in c["evidence_ids"]}
    cited = {s["id"] for s in record["sources"]}
    assert cited & digested_sources, (cited, digested_sources)
    assert record["citations"]["phantom"] == 0 and record["citations"]["valid"] >= 1
    report = (compacted_run / "report.md").read_text()
    assert re.search(r"\[\d+\]", report.split("## Sources")[0])
