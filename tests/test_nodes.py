"""Each node on its own, with the FAKE ScriptedPolicy (see tests/fakes.py)."""

from __future__ import annotations

import dataclasses
import json
import time

import pytest
from conftest import DOCS, QUESTION, scripted_replies
from fakes import ScriptedPolicy, list_tool
from fakes import searched_state as fake_searched_state
from langgraph.runtime import Runtime

from stepresearch.judge import JudgeDecision, PolicyJudge
from stepresearch.nodes import (
    ResearchContext,
    clarify,
    dispatch_search,
    plan,
    reflect,
    search,
    verify,
    write,
)
from stepresearch.nodes.clarify import ASSUMED_NOTE
from stepresearch.nodes.verify import ClaimChecker
from stepresearch.state import Budgets, Claim, Evidence, ResearchBrief, Source, SubQuestion, stable_source_id
from stepresearch.tools import as_search_tool


def runtime_for(policy, tools=None, **budgets) -> Runtime[ResearchContext]:
    """What LangGraph hands a node: the run's context in a Runtime."""
    tools = tools if tools is not None else [list_tool(DOCS)]
    context = ResearchContext(
        policy=policy, tools=tuple(as_search_tool(t) for t in tools), budgets=Budgets(**budgets), tool_timeout_s=1.0
    )
    return Runtime(context=context)


def brief() -> ResearchBrief:
    return ResearchBrief(
        question=QUESTION, objective=QUESTION, assumptions=[ASSUMED_NOTE], key_terms=["Byzantine Empire"]
    )


def searched_state(policy) -> dict:
    """State after plan and all search branches, merged with the real reducers."""
    state = {"question": QUESTION, "brief": brief(), "round": 1, "tool_calls": 0}
    return fake_searched_state(state, runtime_for(policy))


# clarify ---------------------------------------------------------------------------------------------


def test_clarify_keeps_a_faithful_objective_and_records_assumptions(policy):
    update = clarify({"question": QUESTION}, runtime_for(policy))
    result = update["brief"]
    assert result.objective.startswith("Explain when and how the Byzantine Empire ended")
    assert result.assumptions[0] == ASSUMED_NOTE
    assert "The capital of the Byzantine Empire is Constantinople" in result.assumptions
    assert result.clarified_by == "assumed"
    assert [c["task"] for c in policy.calls] == ["clarify"]


def test_clarify_falls_back_to_the_question_when_the_policy_drifts():
    drifting = ScriptedPolicy(
        replies={"clarify": json.dumps({"objective": "Write a poem about cats", "key_terms": ["cats"]})}
    )
    result = clarify({"question": QUESTION}, runtime_for(drifting))["brief"]
    assert result.objective == QUESTION
    assert "cats" not in result.key_terms
    assert "Byzantine Empire" in result.key_terms


def test_clarify_survives_garbage():
    result = clarify({"question": QUESTION}, runtime_for(ScriptedPolicy(replies={"clarify": "{{{ nope"})))["brief"]
    assert result.objective == QUESTION
    assert result.assumptions == [ASSUMED_NOTE]


# plan ------------------------------------------------------------------------------------------------


def test_plan_leads_with_the_questions_own_parts_then_the_policys_under_the_weak_tier(policy):
    update = plan({"question": QUESTION, "brief": brief(), "round": 1}, runtime_for(policy, max_sub_questions=4))
    texts = [sq.text for sq in update["sub_questions"]]
    assert texts == [
        "When and how did the Byzantine Empire end?",
        "Which state conquered its capital?",
        "Which state conquered Constantinople?",  # the policy's "When did the Byzantine Empire end?" repeats a part
        "How did the siege of Constantinople end?",
    ]
    assert [sq.origin for sq in update["sub_questions"]] == ["fallback", "fallback", "plan", "plan"]
    assert [sq.id for sq in update["sub_questions"]] == ["r1q1", "r1q2", "r1q3", "r1q4"]


def test_a_policy_that_judges_leads_with_its_own_plan(policy):
    weak = runtime_for(policy, max_sub_questions=4).context
    decision = JudgeDecision(asked="policy", judge="policy", reason="asked for")
    runtime = Runtime(context=dataclasses.replace(weak, judge_decision=decision))
    update = plan({"question": QUESTION, "brief": brief(), "round": 1}, runtime)
    assert [sq.origin for sq in update["sub_questions"]][:3] == ["plan", "plan", "plan"]
    assert update["sub_questions"][0].text == "When did the Byzantine Empire end?"


def test_plan_drops_junk_and_never_pads_from_templates():
    junk = json.dumps(
        {
            "sub_questions": [
                "1. When did the Byzantine Empire end?",
                "When did the Byzantine Empire end",
                "ok",
                "Why is the sky blue?",
            ]
        }
    )
    update = plan(
        {"question": QUESTION, "brief": brief(), "round": 1}, runtime_for(ScriptedPolicy(replies={"plan": junk}))
    )
    texts = [sq.text for sq in update["sub_questions"]]
    # The policy's one usable line repeats a part; the sky is off topic; nothing is padded from templates.
    assert texts == ["When and how did the Byzantine Empire end?", "Which state conquered its capital?"]


def test_plan_never_exceeds_the_budget():
    many = json.dumps(
        {"sub_questions": [f"What happened to the Byzantine Empire in year {y}?" for y in range(1400, 1408)]}
    )
    update = plan(
        {"question": QUESTION, "brief": brief(), "round": 1},
        runtime_for(ScriptedPolicy(replies={"plan": many}), max_sub_questions=4),
    )
    assert len(update["sub_questions"]) == 4


# search ----------------------------------------------------------------------------------------------


def test_dispatch_sends_one_branch_per_sub_question_of_this_round(policy):
    state = {
        "question": QUESTION,
        "round": 2,
        "tool_calls": 10,
        "sub_questions": [
            SubQuestion(id="r1q1", text="a b c?", round=1, index=0),
            SubQuestion(id="r2q1", text="d e f?", round=2, index=0),
            SubQuestion(id="r2q2", text="g h i?", round=2, index=1),
        ],
    }
    sends = dispatch_search(state, runtime_for(policy, max_tool_calls=20))
    assert [s.arg["sub_question"].id for s in sends] == ["r2q1", "r2q2"]
    assert all(s.node == "search" and s.arg["tool_calls_allowed"] == 5 for s in sends)
    assert dispatch_search({**state, "tool_calls": 20}, runtime_for(policy, max_tool_calls=20)) == "verify"


def test_search_always_queries_the_original_question_and_keeps_relevant_passages(policy):
    seen = []

    def recording(query, k):
        seen.append(query)
        return list_tool(DOCS)(query, k)

    sq = SubQuestion(id="r1q1", text="Which state conquered Constantinople?", round=1, index=0)
    update = search(
        {"question": QUESTION, "sub_question": sq, "tool_calls_allowed": 10}, runtime_for(policy, [recording])
    )
    assert seen == [sq.text, QUESTION]
    assert update["tool_calls"] == 2
    ids = {stable_source_id(d["uri"]) for d in DOCS}
    assert set(update["sources"]) <= ids and update["sources"]
    assert all(e.source_id in update["sources"] for e in update["evidence"])
    assert any("conquered Constantinople" in e.text for e in update["evidence"])


def test_search_survives_a_failing_and_a_hanging_tool(policy):
    def broken(query, k):
        raise ConnectionError("backend down")

    def hanging(query, k):
        time.sleep(5)
        return []

    sq = SubQuestion(id="r1q1", text="Which state conquered Constantinople?", round=1, index=0)
    update = search(
        {"question": QUESTION, "sub_question": sq, "tool_calls_allowed": 10},
        runtime_for(policy, [broken, hanging, list_tool(DOCS)]),
    )
    assert update["sources"], "the working tool still contributes"
    assert any("broken" in n and "backend down" in n for n in update["notes"])
    assert any("hanging" in n and "no answer within 1 s" in n for n in update["notes"])


def test_search_respects_its_tool_call_share(policy):
    sq = SubQuestion(id="r1q1", text="Which state conquered Constantinople?", round=1, index=0)
    update = search({"question": QUESTION, "sub_question": sq, "tool_calls_allowed": 1}, runtime_for(policy))
    assert update["tool_calls"] == 1
    assert any("budget" in n for n in update["notes"])


# verify ----------------------------------------------------------------------------------------------


def _src(uri: str, text: str, origin: str | None = None) -> Source:
    return Source(id=stable_source_id(uri), title=uri, uri=uri, text=text, tool="t", origin=origin or uri, order=uri)


FIRE = "The Great Fire of Kelmar destroyed the old town in 1666."


def test_independent_agreeing_sources_support_a_claim_and_copies_do_not_count():
    a = _src("doc:a", FIRE + " It started in a bakery on Pudding Lane.")
    copy = _src("doc:copy", FIRE + " It started in a bakery on Pudding Lane.")  # another file, same text
    same_origin = _src("doc:a#2", "The Great Fire of Kelmar destroyed the old town in 1666.", origin="doc:a")
    b = _src("doc:b", "In 1666 the Great Fire of Kelmar destroyed the old town and its harbour.")
    only_copies = ClaimChecker({s.id: s for s in (a, copy, same_origin)})
    assert only_copies.check(FIRE).verdict == "single_source"
    claim = ClaimChecker({s.id: s for s in (a, copy, b)}).check(FIRE)
    assert claim.verdict == "supported"
    assert set(claim.supporting) == {a.id, copy.id, b.id}
    assert len(claim.evidence) == 2  # one quote per independent witness
    assert claim.supporting_witnesses == 2


def test_a_different_year_for_the_same_event_is_a_contradiction():
    a = _src("doc:a", FIRE)
    b = _src("doc:b", "The Great Fire of Kelmar destroyed the old town in 1667, after a dry summer.")
    claim = ClaimChecker({a.id: a, b.id: b}).check(FIRE)
    assert claim.verdict == "contradicted"
    assert claim.supporting == [a.id] and claim.contradicting == [b.id]
    assert "1667" in claim.counter_evidence[0]


def test_a_different_year_worded_differently_is_a_contradiction():
    a = _src("doc:a", FIRE)
    b = _src(
        "doc:b", "Harbour records say that in 1667 a blaze swept through Kelmar and left its old quarter in ashes."
    )
    claim = ClaimChecker({a.id: a, b.id: b}).check(FIRE)
    assert claim.verdict == "contradicted" and claim.contradicting == [b.id]
    assert claim.supporting_witnesses == 1 and claim.contradicting_witnesses == 1


def test_a_negated_restatement_is_a_contradiction():
    a = _src("doc:a", "The harbour of Kelmar was rebuilt in stone by the guilds.")
    b = _src("doc:b", "The harbour of Kelmar was not rebuilt in stone by the guilds.")
    claim = ClaimChecker({a.id: a, b.id: b}).check("The harbour of Kelmar was rebuilt in stone by the guilds.")
    assert claim.verdict == "contradicted" and claim.contradicting == [b.id]


def test_the_policy_judge_confirms_or_drops_a_disagreement_candidate():
    a = _src("doc:a", FIRE)
    b = _src("doc:b", "In 1667 a blaze swept through Kelmar and reduced its old quarter to ashes.")
    no = ScriptedPolicy(replies={"disagreement": json.dumps({"disagree": False}), "entailment": "{}"})
    claim = ClaimChecker({a.id: a, b.id: b}, PolicyJudge(no)).check(FIRE)
    assert claim.verdict == "single_source" and not claim.contradicting
    assert any(call["task"] == "disagreement" for call in no.calls)
    yes = ScriptedPolicy(replies={"disagreement": json.dumps({"disagree": True}), "entailment": "{}"})
    assert ClaimChecker({a.id: a, b.id: b}, PolicyJudge(yes)).check(FIRE).verdict == "contradicted"


def test_verify_keeps_only_grounded_policy_claims():
    sources = {
        s.id: s
        for s in (_src("doc:a", FIRE), _src("doc:b", "In 1666 the Great Fire of Kelmar destroyed the old town."))
    }
    first = next(iter(sources.values()))
    evidence = [
        Evidence(id=f"{first.id}#0", source_id=first.id, sub_question_ids=["r1q1"], text=FIRE, score=1, order="1")
    ]
    fake = ScriptedPolicy(replies={
        "claims": json.dumps({"claims": ["The Great Fire of Kelmar destroyed the old town in 1666.", "Kelmar is on Mars."]}),
    })  # fmt: skip
    state = {"question": "When did the Great Fire of Kelmar happen?", "sources": sources, "evidence": evidence}
    claims = verify(state, runtime_for(fake))["claims"]
    texts = [c.text for c in claims]
    assert not any("Mars" in t for t in texts)
    assert texts.count(FIRE) == 1  # the policy's copy of an extracted claim is a repeat
    assert claims[0].verdict == "supported"


# reflect ---------------------------------------------------------------------------------------------


def test_reflect_loops_for_single_source_claims_while_budget_lasts(policy):
    state = searched_state(policy)
    state["claims"] = [
        Claim(text="The Byzantine Empire was the continuation of the Roman Empire.", verdict="single_source")
    ]
    update = reflect(state, runtime_for(policy, max_rounds=2))
    assert update["round"] == 2
    assert [f.reason for f in update["follow_ups"]] == ["claim is single_source"]
    stopped = reflect(state, runtime_for(policy, max_rounds=1))
    assert stopped["follow_ups"] == [] and "max rounds" in stopped["stop_reason"]


def test_reflect_stops_when_wall_time_is_spent(policy):
    state = searched_state(policy)
    state["claims"] = [Claim(text="A lonely claim about Byzantium and Rome.", verdict="unsupported")]
    state["started_at"] = time.time() - 100
    update = reflect(state, runtime_for(policy, max_wall_s=10))
    assert update["follow_ups"] == [] and "wall-time" in update["stop_reason"]


# write -----------------------------------------------------------------------------------------------


def test_write_cites_only_retrieved_sources_and_drops_unsupported_sentences(policy):
    state = searched_state(policy)
    state["claims"] = []
    report = write(state, runtime_for(policy))["report"]
    assert "Purple elephants" not in report.markdown
    assert set(report.cited_source_ids) <= set(state["sources"])
    assert "[9]" not in report.markdown
    assert "29 May 1453" in report.markdown
    body, sources_part = report.markdown.split("## Sources")
    for n, source_id in enumerate(report.cited_source_ids, start=1):
        assert f"[{n}]" in body
        assert f"[{n}] {state['sources'][source_id].title}" in sources_part


def test_write_with_no_evidence_says_so_and_cites_nothing(policy):
    state = {"question": QUESTION, "brief": brief(), "sources": {}, "evidence": [], "sub_questions": []}
    report = write(state, runtime_for(policy))["report"]
    assert report.empty
    assert "No relevant sources were found" in report.markdown
    assert report.cited_source_ids == []
    assert not policy.calls, "nothing to write about, so no policy call"


def test_write_fills_a_section_from_evidence_when_the_policy_writes_nothing():
    silent = ScriptedPolicy(replies=scripted_replies(write="", summarize="{}"))
    state = searched_state(silent)
    report = write(state, runtime_for(silent))["report"]
    assert report.sections and all(s.sentences for s in report.sections)
    assert all(sentence.origin == "extract" for s in report.sections for sentence in s.sentences)
    assert report.short_answer and report.title.startswith("Research report:")


@pytest.mark.parametrize("bad_title", ["", "{}", "x", "Cats and dogs forever and ever"])
def test_write_replaces_unusable_titles(bad_title):
    fake = ScriptedPolicy(replies=scripted_replies(summarize=json.dumps({"title": bad_title, "answer": ""})))
    state = searched_state(fake)
    assert write(state, runtime_for(fake))["report"].title == "Research report: " + QUESTION.rstrip("?")


def test_after_the_first_round_verify_checks_the_newest_rounds_evidence_first():
    from stepresearch.nodes.verify import MAX_CLAIMS, NEW_ROUND_CLAIMS, evidence_claims

    def source(n: int) -> Source:
        return Source(
            id=f"s{n}", title=f"Kelmar record {n}", uri=f"doc:{n}", text="", tool="t", origin=f"doc:{n}",
            found_by=["r1q1"], order=f"01.01.{n:02d}", aboutness="about",
        )  # fmt: skip

    question = "When was the harbour of Kelmar rebuilt and by whom?"
    old = [f"The harbour of Kelmar was rebuilt in {1500 + n} by the guild of Arden number {n}." for n in range(10)]
    new = [f"The Kelmar mint struck {n} thousand coins in {1700 + n} for Queen Ilse." for n in range(3)]
    sources = {f"s{n}": source(n) for n in range(13)}
    evidence = [
        Evidence(id=f"s{n}#0", source_id=f"s{n}", sub_question_ids=["q"], text=text, score=1.0,
                 order=f"{1 if n < 10 else 2:02d}.01.{n:02d}.00")
        for n, text in enumerate(old + new)
    ]  # fmt: skip
    first = evidence_claims(evidence, sources, question, ["Kelmar"], newest_round=1)
    second = evidence_claims(evidence, sources, question, ["Kelmar"], newest_round=2)
    assert not set(new) & set(first)  # by relevance alone the new round's findings are never checked
    assert set(new) <= set(second) and len(new) <= NEW_ROUND_CLAIMS
    assert len(second) == MAX_CLAIMS and set(second) - set(new) <= set(old)
