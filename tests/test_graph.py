"""Graph wiring and routing, with the FAKE ScriptedPolicy and a real SQLite checkpointer."""

from __future__ import annotations

import re

import pytest
from conftest import DOCS, QUESTION, scripted_replies
from fakes import ScriptedPolicy, list_tool
from langgraph.types import Command

from stepresearch import build_graph
from stepresearch.graphs import mermaid, sqlite_checkpointer
from stepresearch.nodes import search as default_search


def test_full_graph_produces_a_cited_report(policy, docs_tool):
    state = build_graph(policy, [docs_tool]).invoke({"question": QUESTION})
    report = state["report"]
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", report.markdown.split("## Sources")[0])}
    assert numbers == set(range(1, len(report.cited_source_ids) + 1))
    assert len(report.cited_source_ids) >= 2
    assert [sq.id for sq in state["sub_questions"] if sq.round == 1] == ["r1q1", "r1q2", "r1q3"]
    assert len(state["sources"]) == len({s.uri for s in state["sources"].values()}) == 3
    assert set(state["timings"]) == {"clarify", "plan", "search", "verify", "reflect", "write", "validate"}
    assert state["citations"].total > 0 and state["citations"].phantom == 0
    assert state["usage"].by_node["write"].calls >= 2


def test_parallel_branches_merge_without_losing_or_duplicating(policy, docs_tool):
    state = build_graph(policy, [docs_tool], budgets={"max_rounds": 1, "search_concurrency": 3}).invoke(
        {"question": QUESTION}
    )
    assert state["tool_calls"] == 6  # 3 branches x (sub-question + original question)
    finders = {sq_id for s in state["sources"].values() for sq_id in s.found_by}
    assert finders == {"r1q1", "r1q2", "r1q3"}
    ids = [e.id for e in state["evidence"]]
    assert len(ids) == len(set(ids))


def test_one_round_budget_skips_the_loop(policy, docs_tool):
    state = build_graph(policy, [docs_tool], budgets={"max_rounds": 1}).invoke({"question": QUESTION})
    assert {sq.round for sq in state["sub_questions"]} == {1}
    assert not [c for c in policy.calls if c["task"] == "reflect"]


def test_reflect_loops_back_to_plan_when_gaps_remain(docs_tool):
    fake = ScriptedPolicy(replies=scripted_replies())
    state = build_graph(fake, [docs_tool], budgets={"max_rounds": 3}).invoke({"question": QUESTION})
    rounds = {sq.round for sq in state["sub_questions"]}
    assert rounds >= {1, 2}
    assert all(sq.parent for sq in state["sub_questions"] if sq.round > 1)


def test_a_replaced_node_is_used(policy, docs_tool):
    calls = []

    def my_search(branch, config):
        calls.append(branch["sub_question"].id)
        return default_search(branch, config)

    state = build_graph(policy, [docs_tool], budgets={"max_rounds": 1}, nodes={"search": my_search}).invoke(
        {"question": QUESTION}
    )
    assert sorted(calls) == ["r1q1", "r1q2", "r1q3"]
    assert state["report"].cited_source_ids


def test_unknown_node_name_is_a_clear_error(policy, docs_tool):
    with pytest.raises(ValueError, match="unknown node name.*'serch'"):
        build_graph(policy, [docs_tool], nodes={"serch": lambda s, c: {}})


def test_a_run_that_dies_resumes_from_its_checkpoint_without_redoing_nodes(tmp_path, docs_tool):
    """A real SQLite checkpointer: the write node fails once, then the run resumes where it stopped."""
    attempts = {"n": 0}

    def flaky_write(prompt: str) -> str:
        attempts["n"] += 1
        if attempts["n"] == 1:
            raise ConnectionError("policy server went away")
        return "The city fell on 29 May 1453 after a siege of 53 days."

    fake = ScriptedPolicy(replies=scripted_replies(summarize=flaky_write))
    config = {"configurable": {"thread_id": "t1"}}
    saver = sqlite_checkpointer(tmp_path / "checkpoints.sqlite")
    graph = build_graph(fake, [list_tool(DOCS)], budgets={"max_rounds": 1}, checkpointer=saver)
    with pytest.raises(Exception, match="policy server went away"):
        graph.invoke({"question": QUESTION}, config)
    saver.conn.close()
    tasks_before = [c["task"] for c in fake.calls]
    assert tasks_before[:2] == ["clarify", "plan"]

    saver = sqlite_checkpointer(tmp_path / "checkpoints.sqlite")  # as a new process would
    graph = build_graph(fake, [list_tool(DOCS)], budgets={"max_rounds": 1}, checkpointer=saver)
    assert graph.get_state(config).next == ("write",)
    state = graph.invoke(None, config)
    saver.conn.close()
    tasks_after = [c["task"] for c in fake.calls][len(tasks_before) :]
    assert "clarify" not in tasks_after and "plan" not in tasks_after
    assert state["report"].cited_source_ids


def test_interactive_clarify_pauses_and_resumes_with_the_answer(tmp_path, policy, docs_tool):
    saver = sqlite_checkpointer(tmp_path / "c.sqlite")
    graph = build_graph(policy, [docs_tool], budgets={"max_rounds": 1}, checkpointer=saver, interactive=True)
    config = {"configurable": {"thread_id": "ask"}}
    paused = graph.invoke({"question": QUESTION}, config)
    assert paused["__interrupt__"][0].value["question"] == QUESTION
    state = graph.invoke(Command(resume="Only the fall of Constantinople in 1453"), config)
    saver.conn.close()
    assert state["brief"].clarified_by == "person"
    assert "The asker said: Only the fall of Constantinople in 1453" in state["brief"].assumptions


def test_mermaid_export_names_every_node(policy, docs_tool):
    text = mermaid(build_graph(policy, [docs_tool]))
    for node in ("clarify", "plan", "search", "verify", "reflect", "write", "validate"):
        assert node in text
