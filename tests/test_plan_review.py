"""A person reviews the plan (`nodes/plan_review.py`) and the sources (`nodes/sources_review.py`): with the FAKE `ScriptedPolicy` and the runner's real
interrupt loop, the real SQLite checkpointer and run folder. The real model and the terminal are in
tests/integration/test_review_real.py."""

from __future__ import annotations

import json

import pytest
from conftest import DOCS, QUESTION, scripted_replies
from fakes import ScriptedPolicy, list_tool

from stepresearch.app.review_line import reply_from_line, strike_from_line
from stepresearch.app.runner import run_research
from stepresearch.app.viewer.folder import read_state
from stepresearch.core.errors import UsageError
from stepresearch.nodes import research_context
from stepresearch.nodes.plan_review import REVIEW_ATTEMPTS, PlanReviewRequest


def reviewed_run(tmp_path, replies, *, capable: bool = False, kinds=None, policy=None, budgets=None):
    """A run whose reviewer answers each request with the next of `replies`; the requests it saw."""
    seen: list[PlanReviewRequest] = []
    answers = iter(replies)

    def reviewer(request: PlanReviewRequest):
        seen.append(request)
        return next(answers)

    options = {"policy_capable": capable, **({"review": kinds} if kinds else {})}
    result = run_research(
        QUESTION, tmp_path / "run", policy=policy or ScriptedPolicy(replies=scripted_replies()),
        tools=[list_tool(DOCS)], budgets=budgets or {"max_rounds": 1}, graph_options=options, review=reviewer,
    )  # fmt: skip
    record = json.loads(result.run_json_path.read_text(encoding="utf-8"))
    return record, seen


def test_a_structured_reply_drops_rewords_and_adds_and_the_research_follows_it(tmp_path):
    reply = {"drop": ["r1q3"], "reword": {"r1q2": "Which state conquered Constantinople in 1453?"},
             "add": ["Who led the Ottoman army"]}  # fmt: skip
    record, seen = reviewed_run(tmp_path, [reply])
    (request,) = seen
    shown = [sq.text for sq in request.sub_questions]
    assert request.round == 1 and [sq.id for sq in request.sub_questions][:3] == ["r1q1", "r1q2", "r1q3"]
    assert not request.plain_words  # the fake stands for the embedded tier here
    searched = [sq["text"] for sq in record["sub_questions"]]
    assert searched == [
        shown[0],
        "Which state conquered Constantinople in 1453?",
        *shown[3:],
        "Who led the Ottoman army?",
    ]
    assert [sq["origin"] for sq in record["sub_questions"]][-1] == "person"
    (review,) = record["reviews"]
    assert review["shown"] == shown and review["result"] == searched and review["outcome"] == "changed"
    assert review["replies"] == [reply]


def test_an_empty_reply_approves_and_the_plan_is_searched_as_shown(tmp_path):
    record, seen = reviewed_run(tmp_path, [None])
    assert [sq["text"] for sq in record["sub_questions"]] == [sq.text for sq in seen[0].sub_questions]
    assert record["reviews"][0]["outcome"] == "approved"


def test_plain_words_are_refused_by_the_weak_tier_and_the_person_is_asked_again(tmp_path):
    record, seen = reviewed_run(tmp_path, ["drop the last one", {"drop": ["r1q1"]}])
    assert len(seen) == 2 and seen[0].error == ""
    assert "plain words need a capable policy" in seen[1].error and '{"approve": true}' in seen[1].error
    assert record["reviews"][0]["replies"] == ["drop the last one", {"drop": ["r1q1"]}]
    assert seen[0].sub_questions[0].text not in [sq["text"] for sq in record["sub_questions"]]


def test_a_capable_policy_reads_plain_words_into_the_plan(tmp_path):
    edited = json.dumps({"sub_questions": ["When did Constantinople fall?", "Who led the siege?"]})
    policy = ScriptedPolicy(replies=scripted_replies(edit=edited))
    record, seen = reviewed_run(tmp_path, ["keep it to the fall and who led the siege"], capable=True, policy=policy)
    assert seen[0].plain_words
    assert [sq["text"] for sq in record["sub_questions"]] == ["When did Constantinople fall?", "Who led the siege?"]
    assert record["reviews"][0]["read_by_policy"] is True
    edit_prompt = next(p for p in policy.prompts if "TASK: edit plan" in p)
    assert "keep it to the fall and who led the siege" in edit_prompt and "1. " in edit_prompt


def test_unusable_replies_are_refused_with_the_reason_then_the_plan_goes_ahead(tmp_path):
    bad = [{"drop": ["r9q9"]}, {"frobnicate": 1}, {"sub_questions": []}, {"drop": ["r1q1", "r1q2", "r1q3", "r1q4"]}]
    record, seen = reviewed_run(tmp_path, (bad * 2)[:REVIEW_ATTEMPTS])
    assert len(seen) == REVIEW_ATTEMPTS
    errors = [s.error for s in seen[1:]]
    assert "no sub-question r9q9" in errors[0] and "frobnicate" in errors[1] and "empty" in errors[2]
    assert "at least one must remain" in errors[3]
    (review,) = record["reviews"]
    assert review["outcome"] == "unusable" and review["result"] == review["shown"]
    assert [sq["text"] for sq in record["sub_questions"]] == review["shown"]


def test_follow_up_rounds_are_reviewed_with_rounds(tmp_path):
    follow = json.dumps({"follow_ups": [{"text": "How long did the siege of Constantinople last?", "parent": "r1q1"}]})
    policy = ScriptedPolicy(replies=scripted_replies(reflect=follow))
    record, seen = reviewed_run(tmp_path, [None, None], kinds={"plan", "rounds"}, policy=policy,
                                budgets={"max_rounds": 2})  # fmt: skip
    assert [r["round"] for r in record["reviews"]] == [1, 2] and [s.round for s in seen] == [1, 2]
    assert [sq.text for sq in seen[1].sub_questions] == [
        sq["text"] for sq in record["sub_questions"] if sq["round"] == 2
    ] and seen[1].sub_questions


def test_an_unknown_review_kind_or_a_reviewed_run_without_a_reviewer_is_refused(tmp_path):
    with pytest.raises(UsageError, match="unknown review everything; choose from plan, rounds, sources"):
        research_context(ScriptedPolicy(replies=scripted_replies()), [list_tool(DOCS)], review={"everything"})
    with pytest.raises(UsageError, match="needs a reviewer"):
        run_research(QUESTION, tmp_path / "r", policy=ScriptedPolicy(replies=scripted_replies()),
                     tools=[list_tool(DOCS)], graph_options={"review": {"plan"}})  # fmt: skip


def test_a_typed_line_becomes_the_whole_reviewed_list():
    shown = ["A?", "B?", "C?"]
    assert reply_from_line("", shown) == {"approve": True}
    assert reply_from_line("drop 2; reword 3: C again?; add: D?", shown) == {"sub_questions": ["A?", "C again?", "D?"]}
    assert reply_from_line("drop 1,2", shown) == {"sub_questions": ["C?"]}
    assert reply_from_line("only ask about B", shown) == {"instruction": "only ask about B"}
    with pytest.raises(UsageError, match="numbered 1 to 3"):
        reply_from_line("drop 4", shown)
    with pytest.raises(UsageError, match="not understood"):
        reply_from_line("reword two", shown)


def test_a_struck_source_is_never_cited_and_scope_and_method_says_so(tmp_path):
    plain, _ = reviewed_run(tmp_path / "plain", [None], kinds={"sources"})
    first = plain["sources"][0]  # the source the unreviewed report cites first
    record, seen = reviewed_run(tmp_path / "struck", [{"strike": ["src-nothing"]}, {"strike": [first["id"]]}],
                                kinds={"sources"})  # fmt: skip
    assert [s.kind for s in seen] == ["sources_review", "sources_review"]
    assert "no retrieved source src-nothing" in seen[1].error
    assert {s.id for s in seen[0].sources} == {s["id"] for s in record["retrieved_sources"]}
    assert any(c.supporting for c in seen[0].claims)  # the claims' verdicts are shown with their sources
    assert first["id"] not in {s["id"] for s in record["sources"]} and record["sources"]
    report = (tmp_path / "struck" / "run" / "report.md").read_text(encoding="utf-8")
    assert f"— {first['uri']}" not in report.split("## Sources", 1)[1]
    state = read_state(tmp_path / "struck" / "run")
    verification = state["report"].verification  # counted again without the struck source
    assert verification and all(first["id"] not in c.supporting + c.contradicting for c in verification)
    method = report.split("## Scope and method", 1)[1].split("\n## ", 1)[0]
    assert f"a person struck 1 source(s) before the report was written: {first['title']}" in method
    (review,) = [r for r in record["reviews"] if r["kind"] == "sources"]
    assert review["struck"] == [first["id"]] and review["outcome"] == "changed" and len(review["replies"]) == 2
    assert next(s for s in record["retrieved_sources"] if s["id"] == first["id"])  # kept in the record, uncited


def test_a_typed_strike_names_the_sources_shown():
    assert strike_from_line("", ["a", "b"]) == {"approve": True}
    assert strike_from_line("strike 2", ["a", "b"]) == {"strike": ["b"]}
    with pytest.raises(UsageError, match="numbered 1 to 2"):
        strike_from_line("strike 3", ["a", "b"])
