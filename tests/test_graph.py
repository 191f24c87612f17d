"""Graph wiring and routing, with the FAKE ScriptedPolicy and a real SQLite checkpointer."""

from __future__ import annotations

import re

import pytest
from conftest import DOCS, QUESTION, scripted_replies
from fakes import ScriptedPolicy, list_tool
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from stepresearch import ResearchContext, build_graph, research_context
from stepresearch.graphs import NodeInsert, mermaid, sqlite_checkpointer
from stepresearch.nodes import search as default_search


def research(policy, tools, graph_input, *, nodes=None, insert=(), **options):
    """Build the graph, run it once with a context made of `policy`, `tools` and `options`, and return the
    whole final state (the graph's output is only the report and its parts; the rest is in the checkpoint)."""
    config = {"configurable": {"thread_id": "test"}}
    graph = build_graph(nodes=nodes, insert=insert, checkpointer=InMemorySaver())
    graph.invoke(graph_input, config, context=research_context(policy, tools, **options))
    return graph.get_state(config).values


def test_full_graph_produces_a_cited_report(policy, docs_tool):
    # The fake stands for a capable served policy here: declared so, it judges without the start-up probe.
    state = research(policy, [docs_tool], {"question": QUESTION}, policy_capable=True)
    report = state["report"]
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", report.markdown.split("## Sources")[0])}
    assert numbers == set(range(1, len(report.cited_source_ids) + 1))
    assert len(report.cited_source_ids) >= 2
    # The policy's three sub-questions, then the question's own part none of them repeats.
    assert [sq.id for sq in state["sub_questions"] if sq.round == 1] == ["r1q1", "r1q2", "r1q3", "r1q4"]
    assert [sq.origin for sq in state["sub_questions"] if sq.round == 1] == ["plan", "plan", "plan", "fallback"]
    assert len(state["sources"]) == len({s.uri for s in state["sources"].values()}) == 3
    assert set(state["timings"]) == {
        "clarify", "plan", "search", "compact", "verify", "reflect", "draft_section", "write", "validate"
    }  # fmt: skip
    assert state["citations"].total > 0 and state["citations"].phantom == 0
    assert state["usage"].by_node["write"].calls >= 2


def test_parallel_branches_merge_without_losing_or_duplicating(policy, docs_tool):
    state = research(policy, [docs_tool], {"question": QUESTION}, budgets={"max_rounds": 1, "search_concurrency": 3})
    assert state["tool_calls"] == 8  # 4 branches x (sub-question + original question)
    finders = {sq_id for s in state["sources"].values() for sq_id in s.found_by}
    assert finders == {"r1q1", "r1q2", "r1q3", "r1q4"}
    ids = [e.id for e in state["evidence"]]
    assert len(ids) == len(set(ids))


def test_one_round_budget_skips_the_loop(policy, docs_tool):
    state = research(policy, [docs_tool], {"question": QUESTION}, budgets={"max_rounds": 1})
    assert {sq.round for sq in state["sub_questions"]} == {1}
    assert not [c for c in policy.calls if c["task"] == "reflect"]


def test_reflect_loops_back_to_plan_when_gaps_remain(docs_tool):
    fake = ScriptedPolicy(replies=scripted_replies())
    state = research(fake, [docs_tool], {"question": QUESTION}, budgets={"max_rounds": 3})
    rounds = {sq.round for sq in state["sub_questions"]}
    assert rounds >= {1, 2}
    assert all(sq.parent for sq in state["sub_questions"] if sq.round > 1)


def test_a_replaced_node_is_used(policy, docs_tool):
    calls = []

    def my_search(branch, runtime):
        calls.append(branch["sub_question"].id)
        assert runtime.context.budgets.max_rounds == 1  # the run's context reaches a swapped-in node
        return default_search(branch, runtime)

    state = research(
        policy, [docs_tool], {"question": QUESTION}, budgets={"max_rounds": 1}, nodes={"search": my_search}
    )
    assert sorted(calls) == ["r1q1", "r1q2", "r1q3", "r1q4"]
    assert state["report"].cited_source_ids


def test_a_swapped_in_writers_structured_report_is_validated_and_drawn_without_judging_again(policy, docs_tool):
    """A writer of one's own returns a Report: a sentence cited to the wrong source is re-attributed, one cited
    to a source never retrieved loses the phantom and is flagged unverified, and the viewer's blocks carry the
    validator's alignments."""
    from stepresearch.app.viewer import run_view
    from stepresearch.state import CitedSentence, Report, stable_source_id

    fall, byz = stable_source_id("doc:fall"), stable_source_id("doc:byz")

    def my_write(state, runtime):
        assert {fall, byz} <= set(state["sources"])
        return {
            "report": Report(
                title="The end of Byzantium",
                question=state["question"],
                short_answer=[
                    CitedSentence(text="The city fell on 29 May 1453 after a siege of 53 days.", source_ids=[byz]),
                    CitedSentence(text="Purple elephants ruled Byzantium.", source_ids=["src-never-retrieved"]),
                ],
            )
        }

    state = research(policy, [docs_tool], {"question": QUESTION}, budgets={"max_rounds": 1}, nodes={"write": my_write})
    report, stats = state["report"], state["citations"]
    moved, phantom = report.short_answer
    assert moved.source_ids == [fall] and not moved.unverified and stats.reattributed == 1
    assert phantom.source_ids == [] and phantom.unverified and stats.phantom == 1
    assert report.cited_source_ids == [fall] and list(report.references) == [fall]
    assert report.markdown.count("[1]") >= 2 and "[2]" not in report.markdown  # the text and the source list
    assert "Purple elephants ruled Byzantium *(unverified)*." in report.markdown
    (alignment,) = moved.alignments
    source_text = state["sources"][fall].text
    assert [source_text[a:b] for a, b in alignment.spans] == ["The city fell on 29 May 1453 after a siege of 53 days."]
    view = run_view(state, build_graph(), status="finished")
    cites = [c for block in view.report for s in block.sentences for c in s.cites if block.kind == "p"]
    assert cites and all(c.source_id == fall and c.spans and c.verdict == alignment.label for c in cites)


def test_a_node_of_ones_own_runs_between_verify_and_reflect_each_round(docs_tool):
    seen = []

    def fact_check(state, runtime):
        seen.append((len(state["claims"]), runtime.context.budgets.max_rounds))
        return {"notes": [f"fact_check saw {len(state['claims'])} claims"]}

    fake = ScriptedPolicy(replies=scripted_replies())
    inserted = NodeInsert(name="fact_check", fn=fact_check, after="verify", before="reflect")
    graph = build_graph(insert=[inserted])
    assert ("verify", "fact_check") in {(e.source, e.target) for e in graph.get_graph().edges}
    state = research(fake, [docs_tool], {"question": QUESTION}, budgets={"max_rounds": 2}, insert=[inserted])
    rounds = len({sq.round for sq in state["sub_questions"]})
    assert len(seen) == rounds == 2 and all(limit == 2 for _, limit in seen)
    assert any(note.startswith("fact_check saw") for note in state["notes"])
    assert "fact_check" in state["timings"]  # timed like a built-in node


def test_a_node_inserted_off_a_fixed_edge_or_under_a_taken_name_is_a_clear_error():
    with pytest.raises(ValueError, match="fixed edge"):
        build_graph(insert=[NodeInsert(name="x", fn=lambda s, r: {}, after="plan", before="search")])
    with pytest.raises(ValueError, match="'verify' is taken"):
        build_graph(insert=[NodeInsert(name="verify", fn=lambda s, r: {}, after="compact", before="verify")])


def test_unknown_node_name_is_a_clear_error(policy, docs_tool):
    with pytest.raises(ValueError, match="unknown node name.*'serch'"):
        build_graph(nodes={"serch": lambda s, r: {}})


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
    context = research_context(fake, [list_tool(DOCS)], budgets={"max_rounds": 1})
    graph = build_graph(checkpointer=saver)
    with pytest.raises(Exception, match="policy server went away"):
        graph.invoke({"question": QUESTION}, config, context=context)
    saver.conn.close()
    tasks_before = [c["task"] for c in fake.calls]
    assert tasks_before[:2] == ["clarify", "plan"]

    saver = sqlite_checkpointer(tmp_path / "checkpoints.sqlite")  # as a new process would
    graph = build_graph(checkpointer=saver)
    assert graph.get_state(config).next == ("write",)
    state = graph.invoke(None, config, context=context)
    saver.conn.close()
    tasks_after = [c["task"] for c in fake.calls][len(tasks_before) :]
    assert "clarify" not in tasks_after and "plan" not in tasks_after
    assert state["report"].cited_source_ids


def test_interactive_clarify_pauses_and_resumes_with_the_answer(tmp_path, policy, docs_tool):
    saver = sqlite_checkpointer(tmp_path / "c.sqlite")
    graph = build_graph(checkpointer=saver)
    context = research_context(policy, [docs_tool], budgets={"max_rounds": 1}, interactive=True)
    config = {"configurable": {"thread_id": "ask"}}
    paused = graph.invoke({"question": QUESTION}, config, context=context)
    assert paused["__interrupt__"][0].value["question"] == QUESTION
    graph.invoke(Command(resume="Only the fall of Constantinople in 1453"), config, context=context)
    state = graph.get_state(config).values
    saver.conn.close()
    assert state["brief"].clarified_by == "person"
    assert "The asker said: Only the fall of Constantinople in 1453" in state["brief"].assumptions


def test_mermaid_export_names_every_node(policy, docs_tool):
    text = mermaid(build_graph())
    for node in ("clarify", "plan", "search", "verify", "reflect", "write", "validate"):
        assert node in text


def test_the_compiled_graph_is_typed_and_its_output_small(policy, docs_tool):
    graph = build_graph()
    assert graph.context_schema is ResearchContext
    assert set(graph.get_input_jsonschema()["properties"]) == {"question", "notes"}
    output = graph.invoke(
        {"question": QUESTION}, context=research_context(policy, [docs_tool], budgets={"max_rounds": 1})
    )
    assert set(output) <= {"report", "claims", "citations", "sources", "stop_reason", "notes"}
    assert output["report"].cited_source_ids and output["citations"].phantom == 0


def test_one_compiled_graph_serves_two_contexts(docs_tool):
    """The policy is the context's, not the graph's: two researches on one graph each use their own."""
    first, second = ScriptedPolicy(replies=scripted_replies()), ScriptedPolicy(replies=scripted_replies())
    graph = build_graph()
    graph.invoke({"question": QUESTION}, context=research_context(first, [docs_tool], budgets={"max_rounds": 1}))
    assert first.calls and not second.calls
    graph.invoke({"question": QUESTION}, context=research_context(second, [docs_tool], budgets={"max_rounds": 1}))
    assert len(second.calls) == len(first.calls)


def test_prompts_go_to_the_run_folder_through_callbacks_not_into_checkpoints(tmp_path, docs_tool):
    import json
    import sqlite3

    from stepresearch.app.runner import run_research

    fake = ScriptedPolicy(replies=scripted_replies())
    result = run_research(QUESTION, tmp_path / "run", policy=fake, tools=[docs_tool], budgets=None)
    record = json.loads(result.run_json_path.read_text())
    lines = (tmp_path / "run" / "prompts.jsonl").read_text().splitlines()
    assert len(lines) == record["usage"]["calls"] == len(fake.calls) >= 5
    nodes = {json.loads(line)["node"] for line in lines}
    assert nodes <= set(record["usage"]["by_node"]) and "write" in nodes  # named after the graph node
    assert record["cache"]["replay_prompt_units"] > 0
    with sqlite3.connect(tmp_path / "run" / "checkpoints.sqlite") as db:
        channels = {row[0] for row in db.execute("select channel from writes")}
    assert "prompts" not in channels and "usage" in channels


def test_run_research_asks_through_a_callable_and_records_the_exchange(tmp_path, docs_tool):
    import json

    from stepresearch.app.runner import run_research
    from stepresearch.core.errors import UsageError

    asked = []

    def person(request):
        asked.append(request)
        return "Only the fall of Constantinople in 1453"

    fake = ScriptedPolicy(replies=scripted_replies())
    result = run_research(QUESTION, tmp_path / "asked", policy=fake, tools=[docs_tool], ask=person)
    record = json.loads(result.run_json_path.read_text())
    assert len(asked) == 1 and asked[0].question == QUESTION and "I will research" in asked[0].prompt
    assert record["clarification"] == {"question": asked[0].prompt, "answer": "Only the fall of Constantinople in 1453"}
    assert "The asker said: Only the fall of Constantinople in 1453" in record["brief"]["assumptions"]
    assert result.report_path.read_text().startswith("# ")

    silent = run_research(QUESTION, tmp_path / "silent", policy=fake, tools=[docs_tool], ask=lambda request: None)
    unasked = run_research(QUESTION, tmp_path / "unasked", policy=fake, tools=[docs_tool])
    for run in (silent, unasked):
        exchange = json.loads(run.run_json_path.read_text())["clarification"]
        assert exchange["answer"] is None and "I will research" in exchange["question"]
    with pytest.raises(UsageError, match="needs someone to ask"):
        run_research(QUESTION, tmp_path / "nobody", policy=fake, tools=[docs_tool], graph_options={"interactive": True})


def test_an_invocation_without_context_uses_the_default_or_says_what_is_missing(docs_tool):
    with pytest.raises(ValueError, match="invoked without a usable context"):
        build_graph().invoke({"question": QUESTION})
    made = []

    def default():
        made.append(1)
        return research_context(ScriptedPolicy(replies=scripted_replies()), [docs_tool], budgets={"max_rounds": 1})

    output = build_graph(default_context=default).invoke({"question": QUESTION})
    assert output["report"].cited_source_ids and len(made) >= 1


def test_run_json_says_how_much_of_the_policys_writing_reaches_the_report(tmp_path, docs_tool):
    import json

    from stepresearch.app.runner import run_research

    fake = ScriptedPolicy(replies=scripted_replies())
    result = run_research(QUESTION, tmp_path / "run", policy=fake, tools=[docs_tool], budgets=None)
    record = json.loads(result.run_json_path.read_text())
    generation = record["generation"]
    report = result.report_path.read_text(encoding="utf-8")
    written = [s for section in result.state["report"].sections for s in section.sentences if s.origin == "policy"] + [
        s for s in result.state["report"].short_answer if s.origin == "policy"
    ]
    in_report = [s for s in written if s.text.rstrip(" .!?")[:120] in report]
    assert generation["generated_tokens"] == record["usage"]["completion_tokens"] > 0
    assert in_report and generation["policy_sentences_in_report"] == len(in_report)
    assert generation["tokens_in_report"] == sum(len(s.text.split()) for s in in_report)  # the fake has no tokenizer
    assert generation["counted_in"] == "words"
    assert generation["share_in_report"] == round(generation["tokens_in_report"] / generation["generated_tokens"], 4)
