"""The async path: one node body driven sync and async, policy calls awaited, tool calls cancelled.

The policies here are FAKES (ScriptedPolicy and an async subclass of it) for fast tests of the drivers;
`tests/integration/test_embedding_real.py` runs the same paths on the real model and a loopback server.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from conftest import DOCS, QUESTION, scripted_replies
from fakes import ScriptedPolicy, list_tool
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.messages import BaseMessage
from langchain_core.outputs import ChatResult
from langgraph.checkpoint.memory import InMemorySaver
from pydantic import PrivateAttr

from stepresearch import build_graph, research_context
from stepresearch.core.steps import (
    Ask,
    AskMany,
    Search,
    StepNode,
    arun_steps,
    finished,
    returning,
    run_steps,
    step_node,
)
from stepresearch.tools import SearchHit, as_search_tool


class AsyncScriptedPolicy(ScriptedPolicy):
    """A FAKE policy with a native `_agenerate` that records which thread answered and how many calls
    overlapped; its `_generate` refuses, so a test sees any call that took the sync path."""

    _threads: set[str] = PrivateAttr(default_factory=set)
    _in_flight: int = PrivateAttr(default=0)
    _most_in_flight: int = PrivateAttr(default=0)
    delay_s: float = 0.0

    def _generate(
        self, messages: list[BaseMessage], stop: Any = None, run_manager: CallbackManagerForLLMRun | None = None, **kw
    ) -> ChatResult:
        raise AssertionError("the async driver made a blocking policy call")

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: Any = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        self._threads.add(threading.current_thread().name)
        self._in_flight += 1
        self._most_in_flight = max(self._most_in_flight, self._in_flight)
        try:
            await asyncio.sleep(self.delay_s)
            return ScriptedPolicy._generate(self, messages, stop, None, **kwargs)
        finally:
            self._in_flight -= 1


def run_both(policy_factory, **options) -> tuple[dict, dict]:
    """The same research through `invoke` and through `ainvoke`, each on a fresh graph; both final states."""
    states = []
    for mode in ("sync", "async"):
        graph = build_graph(checkpointer=InMemorySaver())
        config = {"configurable": {"thread_id": mode}}
        context = research_context(policy_factory(), [list_tool(DOCS)], **options)
        if mode == "sync":
            graph.invoke({"question": QUESTION}, config, context=context)
        else:
            asyncio.run(graph.ainvoke({"question": QUESTION}, config, context=context))
        states.append(graph.get_state(config).values)
    return states[0], states[1]


def test_invoke_and_ainvoke_drive_the_same_node_bodies_to_the_same_report():
    sync_state, async_state = run_both(lambda: ScriptedPolicy(replies=scripted_replies()))
    assert sync_state["report"].markdown == async_state["report"].markdown
    assert [c.model_dump() for c in sync_state["claims"]] == [c.model_dump() for c in async_state["claims"]]
    assert sync_state["usage"].total.calls == async_state["usage"].total.calls > 0


def test_under_ainvoke_every_policy_call_is_awaited_on_the_event_loop():
    policy = AsyncScriptedPolicy(replies=scripted_replies())
    graph = build_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}

    async def main() -> str:
        await graph.ainvoke({"question": QUESTION}, config, context=research_context(policy, [list_tool(DOCS)]))
        return threading.current_thread().name

    loop_thread = asyncio.run(main())
    assert policy._threads == {loop_thread}  # no call went through a thread (its _generate would have raised)
    # `--judge auto` probed the fake once, awaited like every other call, and the fake failed it.
    probe_calls = [c for c in policy.calls if c["task"] in ("entailment", "disagreement")]
    assert len(probe_calls) == 8
    state = graph.get_state(config).values
    calls = {node: usage.calls for node, usage in state["usage"].by_node.items()}
    assert calls["write"] >= 1 and sum(calls.values()) >= len(policy.calls)  # usage reaches the node's callbacks
    assert state["report"].cited_source_ids


def test_a_judging_policy_is_awaited_too():
    policy = AsyncScriptedPolicy(replies=scripted_replies())
    graph = build_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    context = research_context(policy, [list_tool(DOCS)], policy_capable=True)  # the fake judges, unprobed

    async def main() -> str:
        await graph.ainvoke({"question": QUESTION}, config, context=context)
        return threading.current_thread().name

    assert policy._threads == {asyncio.run(main())}
    assert graph.get_state(config).values["usage"].by_node["write"].calls >= 2  # the writer's judging calls


def test_section_calls_go_out_together_under_ainvoke_and_within_the_concurrency_budget():
    policy = AsyncScriptedPolicy(replies=scripted_replies(), delay_s=0.05)
    # One `draft_section` branch per section, capped as the search branches are: by the graph's concurrency.
    graph = build_graph(checkpointer=InMemorySaver(), max_concurrency=2)
    context = research_context(
        policy, [list_tool(DOCS)], budgets={"max_rounds": 1, "search_concurrency": 2}, policy_capable=True
    )  # the capable tier drafts its sections
    asyncio.run(graph.ainvoke({"question": QUESTION}, {"configurable": {"thread_id": "t"}}, context=context))
    sections = [c for c in policy.calls if c["task"] == "write"]
    assert len(sections) == 4  # the fake's three sub-questions and the question's part none of them repeats
    assert policy._most_in_flight == 2  # four sections, two at a time
    state = graph.get_state({"configurable": {"thread_id": "t"}}).values
    branches = [e for e in state["executions"] if e.node == "draft_section"]
    assert len(branches) == 4 and len(state["section_drafts"]) == 4  # a branch of the graph per section
    first, second = branches[0], branches[1]
    assert second.started_at < first.started_at + first.seconds  # two of them ran side by side


def test_a_hanging_async_tool_is_cancelled_at_its_timeout_and_the_run_carries_on():
    events: list[str] = []

    class HangingTool:
        name = "hangs"

        def search(self, query: str, k: int) -> list[SearchHit]:
            raise AssertionError("the async driver must call asearch")

        async def asearch(self, query: str, k: int) -> list[SearchHit]:
            events.append("started")
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                events.append("cancelled")
                raise
            return []

    threads_before = {t.ident for t in threading.enumerate()}
    graph = build_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    context = research_context(
        ScriptedPolicy(replies=scripted_replies()), [HangingTool(), list_tool(DOCS)], tool_timeout_s=0.2,
        budgets={"max_rounds": 1},
    )  # fmt: skip
    asyncio.run(graph.ainvoke({"question": QUESTION}, config, context=context))
    state = graph.get_state(config).values
    assert events and events.count("started") == events.count("cancelled")
    assert any("'hangs' failed" in note and "no answer within 0.2 s" in note for note in state["notes"])
    assert state["report"].cited_source_ids  # the other tool's sources still carry the report
    left_behind = [
        t for t in threading.enumerate() if t.ident not in threads_before and t.name.startswith("stepresearch")
    ]
    assert left_behind == []


def test_a_hanging_sync_tool_degrades_the_sync_run():
    release = threading.Event()

    def hangs(query: str, k: int) -> list:
        release.wait(30)
        return []

    try:
        graph = build_graph(checkpointer=InMemorySaver())
        config = {"configurable": {"thread_id": "t"}}
        context = research_context(
            ScriptedPolicy(replies=scripted_replies()), [hangs, list_tool(DOCS)], tool_timeout_s=0.2,
            budgets={"max_rounds": 1},
        )  # fmt: skip
        graph.invoke({"question": QUESTION}, config, context=context)
        notes = graph.get_state(config).values["notes"]
        assert any("'hangs' failed" in note for note in notes)
    finally:
        release.set()


def test_async_and_sync_user_nodes_both_run_under_invoke_and_ainvoke():
    seen: list[str] = []

    async def async_reflect(state: dict, runtime: Any) -> dict:
        await asyncio.sleep(0)
        seen.append("async")
        return {"stop_reason": "user node said stop", "follow_ups": []}

    def sync_validate(state: dict, runtime: Any) -> dict:
        seen.append("sync")
        return {}

    nodes = {"reflect": async_reflect, "validate": sync_validate}
    for drive in ("invoke", "ainvoke"):
        graph = build_graph(nodes=nodes, checkpointer=InMemorySaver())
        config = {"configurable": {"thread_id": drive}}
        context = research_context(ScriptedPolicy(replies=scripted_replies()), [list_tool(DOCS)])
        if drive == "invoke":
            graph.invoke({"question": QUESTION}, config, context=context)
        else:
            asyncio.run(graph.ainvoke({"question": QUESTION}, config, context=context))
        assert graph.get_state(config).values["stop_reason"] == "user node said stop"
    assert seen == ["async", "sync", "async", "sync"]


def test_astream_yields_node_updates_as_they_finish():
    graph = build_graph(checkpointer=InMemorySaver())
    context = research_context(ScriptedPolicy(replies=scripted_replies()), [list_tool(DOCS)], budgets={"max_rounds": 1})

    async def main() -> list[str]:
        names = []
        config = {"configurable": {"thread_id": "t"}}
        async for update in graph.astream({"question": QUESTION}, config, context=context, stream_mode="updates"):
            names.extend(update)
        return names

    names = asyncio.run(main())
    assert names[:2] == ["clarify", "plan"] and names[-2:] == ["write", "validate"]
    # One search per sub-question: the question's two own parts, then the fake's two that repeat neither.
    assert names.count("search") == 4


# The drivers themselves.


def _steps_with_a_failing_search():
    tool = as_search_tool(lambda q, k: (_ for _ in ()).throw(OSError("backend down")), name="down")
    try:
        yield Search(tool, "q", 3, 5.0)
    except OSError as exc:
        return f"caught: {exc}"
    return "not reached"


def test_both_drivers_raise_a_failed_request_inside_the_steps_where_it_can_be_caught():
    assert run_steps(_steps_with_a_failing_search()) == "caught: backend down"
    assert asyncio.run(arun_steps(_steps_with_a_failing_search())) == "caught: backend down"


def test_both_drivers_send_back_policy_replies_in_order():
    policy = ScriptedPolicy(replies={"a": '{"x": 1}', "b": "two"})

    def steps():
        from langchain_core.messages import HumanMessage

        first = yield Ask(policy, [HumanMessage(content="TASK: a")], node="t")
        many = yield AskMany(policy, [[HumanMessage(content="TASK: b")], [HumanMessage(content="TASK: a")]], node="t")
        return [first.text, *(reply.text for reply in many)]

    assert run_steps(steps()) == ['{"x": 1}', "two", '{"x": 1}']
    assert asyncio.run(arun_steps(steps())) == ['{"x": 1}', "two", '{"x": 1}']


def test_a_step_node_is_still_a_plain_function_to_call():
    @step_node
    def node(state: dict, runtime: Any):
        reply = yield Search(as_search_tool(list_tool(DOCS)), state["q"], 2, 5.0)
        return {"titles": [hit.title for hit in reply]}

    assert isinstance(node, StepNode) and node.__name__ == "node"
    direct = node({"q": "Constantinople Ottoman"}, None)
    assert direct["titles"] and direct == asyncio.run(node.acall({"q": "Constantinople Ottoman"}, None))
    with pytest.raises(TypeError, match="not a generator function"):
        step_node(lambda state, runtime: {})


def test_finished_refuses_steps_that_ask_for_io():
    assert finished(returning(3)) == 3
    policy = ScriptedPolicy()

    def asks():
        yield Ask(policy, [], node="t")

    with pytest.raises(RuntimeError, match="asked for I/O"):
        finished(asks())


def test_the_weak_tier_is_not_asked_to_draft_sections_and_its_branches_still_run():
    policy = ScriptedPolicy(replies=scripted_replies())
    graph = build_graph(checkpointer=InMemorySaver())
    context = research_context(
        policy, [list_tool(DOCS)], budgets={"max_rounds": 1}
    )  # the fake fails no probe: unprobed
    config = {"configurable": {"thread_id": "t"}}
    graph.invoke({"question": QUESTION}, config, context=context)
    state = graph.get_state(config).values
    assert [e for e in state["executions"] if e.node == "draft_section"]  # the branches ran, as checkpoints expect
    assert all(not d.text for d in state["section_drafts"])
    assert "draft_section" not in state["usage"].by_node or state["usage"].by_node["draft_section"].calls == 0
    assert state["report"].sections  # written from the evidence
