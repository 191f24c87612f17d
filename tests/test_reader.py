"""The policy as reader (`reader="policy"`), with the FAKE ScriptedPolicy: its picks become evidence only where
the document holds them, and a reply that points at nothing falls back to the lexical passages."""

from __future__ import annotations

import json
import re

from conftest import DOCS, QUESTION, scripted_replies
from fakes import ScriptedPolicy, list_tool
from langgraph.checkpoint.memory import InMemorySaver

from stepresearch import build_graph, research_context


def run(read_reply, reader: str = "policy") -> tuple[dict, ScriptedPolicy]:
    policy = ScriptedPolicy(replies=scripted_replies(read=read_reply))
    graph = build_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    context = research_context(policy, [list_tool(DOCS)], budgets={"max_rounds": 1}, reader=reader)
    graph.invoke({"question": QUESTION}, config, context=context)
    return graph.get_state(config).values, policy


def copy_second_sentence_and_invent_one(prompt: str) -> str:
    document = prompt.split('Document "', 1)[1].split("\n", 1)[1].split("\nCopy, word for word", 1)[0]
    sentences = re.split(r"(?<=\.) ", document.strip())
    second = sentences[1] if len(sentences) > 1 else sentences[0]
    return json.dumps({"sentences": ["  " + second.upper() + " ", "The city was founded by Martians in 1999."]})


def test_the_policys_picks_become_evidence_only_where_the_document_holds_them():
    state, policy = run(copy_second_sentence_and_invent_one)
    reads = [c for c in policy.calls if c["task"] == "read"]
    assert reads, "each branch should have asked the policy to read its documents"
    texts = {e.text for e in state["evidence"]}
    # The documents about the question (the one on its subject, and by meaning the one on its capital's fall):
    # each one's second sentence, as the document writes it (the policy shouted it); the invention is nowhere.
    assert texts == {
        "The Byzantine Empire ended in 1453 when the Ottoman Empire conquered Constantinople.",
        "The city fell on 29 May 1453 after a siege of 53 days.",
    }
    assert state["usage"].by_node["search"].calls == len(reads)


def test_a_reply_that_points_at_nothing_falls_back_to_the_lexical_passages():
    lexical, _ = run("", reader="lexical")
    unusable, policy = run(json.dumps({"sentences": ["Nothing like this is in any document."]}))
    assert [c for c in policy.calls if c["task"] == "read"]
    assert [e.model_dump() for e in unusable["evidence"]] == [e.model_dump() for e in lexical["evidence"]]


def test_the_lexical_reader_asks_the_policy_nothing_while_searching():
    _, policy = run(copy_second_sentence_and_invent_one, reader="lexical")
    assert not [c for c in policy.calls if c["task"] == "read"]


def test_reader_prompts_share_the_runs_prefix_brief_and_log_included():
    """Laid out as every prompt of the run: a round's reader calls carry the brief and the research log the
    round was planned over, so they extend a prefix the previous round's calls already sent."""
    from test_compaction import CORPUS  # ten sieges, one source each: single-source claims leave gaps

    policy = ScriptedPolicy(replies=scripted_replies(read=copy_second_sentence_and_invent_one))
    graph = build_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    budgets = {"max_rounds": 2, "hits_per_query": 6}
    context = research_context(policy, [list_tool(CORPUS)], budgets=budgets, reader="policy")
    graph.invoke({"question": QUESTION}, config, context=context)

    def before_task(prompt: str) -> str:
        return prompt.split("## Task", 1)[0]

    tasks = [c["task"] for c in policy.calls]
    first_verify = tasks.index("claims")
    round_one = [i for i, task in enumerate(tasks[:first_verify]) if task == "read"]
    round_two = [i for i, task in enumerate(tasks) if task == "read" and i > first_verify]
    assert round_one and round_two, tasks
    plan = policy.prompts[tasks.index("plan")]
    for i in round_one:  # the same bytes as the plan call that made the round, then the read task
        assert before_task(policy.prompts[i]) == before_task(plan)
    verify = policy.prompts[first_verify]
    assert "[S1]" in before_task(verify)  # round one's evidence is in the log
    for i in round_two:  # round two reads over the log round one left, as verify saw it
        assert before_task(policy.prompts[i]) == before_task(verify)
    assert 'Document "' in policy.prompts[round_two[0]].split("## Task", 1)[1]
