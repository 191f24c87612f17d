"""Cross-source verification on the planted corpus with the FAKE ScriptedPolicy (see tests/fakes.py)."""

from __future__ import annotations

import json

from conftest import scripted_replies
from fakes import ScriptedPolicy
from planted import PLANTED, QUESTION, check_planted_run

from stepresearch.app.runner import run_research
from stepresearch.tools import folder_search_tool


def test_contradictions_duplicates_and_off_topic_with_the_scripted_policy(tmp_path):
    replies = scripted_replies(
        clarify=json.dumps({"objective": QUESTION, "assumptions": [], "key_terms": ["Great Fire of Kelmar"]}),
        plan=json.dumps(
            {
                "sub_questions": [
                    "When did the Great Fire of Kelmar destroy the old town?",
                    "Where did the Great Fire of Kelmar start?",
                    "How long did the Great Fire of Kelmar burn?",
                ]
            }
        ),  # fmt: skip
        claims=json.dumps({"claims": ["The Great Fire of Kelmar destroyed the old town of Kelmar in 1666."]}),
        summarize=json.dumps(
            {"title": "The Great Fire of Kelmar", "answer": "The fire destroyed the old town of Kelmar."}
        ),
        write="The Great Fire of Kelmar burned for four days [S1]. It was caused by dragons [S7].",
    )
    result = run_research(
        QUESTION, tmp_path / "run", policy=ScriptedPolicy(replies=replies), tools=[folder_search_tool(PLANTED)]
    )
    report = result.report_path.read_text(encoding="utf-8")
    record = json.loads(result.run_json_path.read_text(encoding="utf-8"))
    check_planted_run(report, record)
    assert "dragons" not in report
