"""Research in the question's language, with the real SmolLM2 policy, through the CLI.

`tests/data/chinese_folder` holds four short Chinese documents about one invented reservoir: an overview
(built in 1962), a family memoir that puts the dam's completion in 1965 in other words, a county-record
extract (work began in 1958), and a fishing-tackle shop that only shares the reservoir's name. The report
must be in Chinese, answer the asked parts from the sources' own sentences, and never cite the shop. A
Chinese question over the English default corpus must not build a report from off-topic sources, and an
English question over the Chinese folder must record both languages.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).parents[1] / "data" / "chinese_folder"
QUESTION = "赤岭水库是哪一年建成的？它是由谁设计的，大坝有多高？"
SHOP = str(CORPUS / "赤岭水库渔具店.md")
MEMOIR = str(CORPUS / "南屏旧事.md")
OVERVIEW = str(CORPUS / "赤岭水库_概况.md")


def _run(root: Path, question: str, *corpus: str) -> Path:
    env = {**os.environ}
    env.pop("TAVILY_API_KEY", None)
    args = [sys.executable, "-m", "stepresearch", "run", question, "--out", str(root / "run"), *corpus]
    result = subprocess.run(args, capture_output=True, text=True, timeout=900, env=env, cwd=root)
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "run"


@pytest.fixture(scope="module")
def chinese_run(tmp_path_factory) -> Path:
    return _run(tmp_path_factory.mktemp("zh"), QUESTION, "--corpus", str(CORPUS))


def test_a_chinese_question_gets_a_chinese_report_from_its_sources(chinese_run):
    report = (chinese_run / "report.md").read_text(encoding="utf-8")
    record = json.loads((chinese_run / "run.json").read_text(encoding="utf-8"))
    assert record["brief"]["language"] == "zh"
    assert "## 简短回答" in report and "## 来源" in report and "## Short answer" not in report
    answer = report.split("## 简短回答")[1].split("\n## ")[0]
    assert "1962" in answer or "1965" in answer, answer  # the date, as a source states it
    assert "许怀山" in answer, answer
    assert "46" in answer or "四十六" in answer, answer
    assert record["citations"]["phantom"] == 0


def test_the_shop_that_only_shares_the_name_is_never_cited(chinese_run):
    record = json.loads((chinese_run / "run.json").read_text(encoding="utf-8"))
    cited = {s["uri"] for s in record["sources"]}
    assert OVERVIEW in cited
    assert SHOP not in cited
    assert "渔具" not in (chinese_run / "report.md").read_text(encoding="utf-8")
    languages = {s["uri"]: s["language"] for s in record["retrieved_sources"]}
    assert languages[OVERVIEW] == "zh"


@pytest.mark.xfail(
    strict=True,
    reason="known gap (issue 18 note): the memoir's 'the dam was only really finished in 1965' is not yet "
    "read as disagreeing with the overview's 'built in 1962'; Chinese binding and disagreement rules are English-shaped",
)
def test_the_reworded_disagreement_is_surfaced_with_both_sides(chinese_run):
    record = json.loads((chinese_run / "run.json").read_text(encoding="utf-8"))
    uri_of = {s["id"]: s["uri"] for s in record["retrieved_sources"]}
    sides = [
        ({uri_of[s] for s in c["supporting"]}, {uri_of[s] for s in c["contradicting"]})
        for c in record["claims"]
        if c["verdict"] == "contradicted"
    ]
    assert any({OVERVIEW, MEMOIR} <= pro | con and pro and con for pro, con in sides), sides


def test_a_chinese_question_over_the_english_corpus_builds_nothing_off_topic(tmp_path):
    run = _run(tmp_path, "谁发明了活字印刷术？")
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    report = (run / "report.md").read_text(encoding="utf-8")
    assert record["brief"]["language"] == "zh"
    assert "## 简短回答" in report
    # Retrieval across languages is not there for the weak tier (README, "Languages"): nothing off topic may
    # be cited in its place, and the report says it found nothing.
    assert record["sources"] == [], [s["title"] for s in record["sources"]]
    assert "未找到相关来源" in report


def test_an_english_question_over_a_chinese_folder_records_both_languages(tmp_path):
    run = _run(tmp_path, "When was the Chiling Reservoir built?", "--corpus", str(CORPUS))
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    report = (run / "report.md").read_text(encoding="utf-8")
    assert record["brief"]["language"] == "en"
    assert "## Short answer" in report
    assert {s["language"] for s in record["retrieved_sources"]} <= {"zh"}
    assert SHOP not in {s["uri"] for s in record["sources"]}
