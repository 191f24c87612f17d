"""The graph as an app embeds it, with the real SmolLM2 through llama.cpp and the shipped Wikipedia corpus:
a context per invocation, token streaming through `stream_mode="messages"`, `ainvoke`, and typed output."""

from __future__ import annotations

import asyncio
import json
import os
import re
import subprocess
import sys

import pytest
from langchain_core.messages import AIMessageChunk, HumanMessage
from langgraph.checkpoint.memory import InMemorySaver

from stepresearch import build_graph, research_context
from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel
from stepresearch.tools import wiki_search_tool

pytestmark = pytest.mark.integration

QUESTION = "When and how did the Byzantine Empire end, and which state conquered its capital?"
BUDGETS = {"max_rounds": 1, "max_sub_questions": 3}


@pytest.fixture(scope="module")
def context():
    return research_context(LlamaCppChatModel(), [wiki_search_tool()], budgets=BUDGETS)


def test_the_embedded_policy_streams_tokens_that_add_up_with_usage(context):
    messages = [HumanMessage(content="Name three colours.")]
    chunks = list(context.policy.stream(messages, max_tokens=24))
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    assert len([c for c in chunks if c.content]) >= 10
    assert total.usage_metadata["output_tokens"] == len([c for c in chunks if c.content])
    assert total.usage_metadata["input_tokens"] > 5


def test_stream_mode_messages_yields_the_policy_tokens_node_by_node(context):
    graph = build_graph()
    by_node: dict[str, int] = {}
    for message, metadata in graph.stream({"question": QUESTION}, context=context, stream_mode="messages"):
        if isinstance(message, AIMessageChunk) and message.content:
            by_node[metadata["langgraph_node"]] = by_node.get(metadata["langgraph_node"], 0) + 1
    assert by_node.get("write", 0) >= 10, by_node  # the writer's tokens, as they came
    assert by_node.get("plan", 0) >= 10


def test_ainvoke_runs_a_research_and_returns_the_typed_output(context):
    graph = build_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "async"}}
    output = asyncio.run(graph.ainvoke({"question": QUESTION}, config, context=context))
    assert set(output) <= {"report", "claims", "citations", "sources", "stop_reason", "notes"}
    report = output["report"]
    body = report.markdown.split("## Sources")[0]
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert len(cited) >= 2 and output["citations"].phantom == 0
    state = graph.get_state(config).values
    assert state["usage"].by_node["plan"].calls >= 1 and "prompts" not in state


def run_cli(tmp_path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    """`stepresearch run QUESTION --max-rounds 1 ARGS` in a subprocess, offline, with its own index cache."""
    env = {**os.environ}
    env.pop("TAVILY_API_KEY", None)
    return subprocess.run(
        [sys.executable, "-m", "stepresearch", "run", QUESTION, "--max-rounds", "1", *args],
        input=stdin, capture_output=True, text=True, timeout=900, env=env, cwd=tmp_path,
    )  # fmt: skip


def test_the_cli_asks_the_clarifying_question_and_uses_the_answer(tmp_path):
    result = run_cli(
        tmp_path, "--interactive", "--out", str(tmp_path / "asked"), stdin="Only the fall of Constantinople in 1453\n"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "I will research:" in result.stderr and "Anything to narrow or correct?" in result.stderr
    record = json.loads((tmp_path / "asked" / "run.json").read_text())
    assert record["clarification"]["answer"] == "Only the fall of Constantinople in 1453"
    assert record["brief"]["clarified_by"] == "person"
    assert "Only the fall of Constantinople in 1453" in record["brief"]["objective"]


def test_the_cli_streams_the_writers_drafts_then_the_verified_report(tmp_path):
    from stepresearch.app.cli import STREAM_RULE

    result = run_cli(tmp_path, "--stream", "--out", str(tmp_path / "streamed"))
    assert result.returncode == 0, result.stderr[-3000:]
    drafts, verified = result.stdout.split(STREAM_RULE)
    # Prose, not the JSON it came in. The weak tier drafts no sections, so what streams is the writer's title
    # and answer drafts: a few words.
    assert drafts.split() and "{" not in drafts
    report = (tmp_path / "streamed" / "report.md").read_text(encoding="utf-8")
    assert report.strip() in verified
    assert verified.strip().splitlines()[-1] == str(tmp_path / "streamed" / "report.md")
    assert "plan r1q1" in result.stderr and "clarify objective" in result.stderr  # progress stays on stderr
