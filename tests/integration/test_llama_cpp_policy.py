"""The embedded policy with the real SmolLM2 GGUF: grammar-constrained JSON, KV-prefix accounting, locking."""

from __future__ import annotations

import asyncio
import json
import threading
from contextlib import aclosing

import pytest
from langchain_core.messages import HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from stepresearch.core.errors import ModelLoadError
from stepresearch.core.policy_calls import ask
from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel

pytestmark = pytest.mark.integration

SYSTEM = SystemMessage(content="You are a research assistant. " * 40)


class Plan(BaseModel):
    sub_questions: list[str] = Field(min_length=3, max_length=4)


@pytest.fixture(scope="module")
def model() -> LlamaCppChatModel:
    return LlamaCppChatModel(n_ctx=2048)


def test_structured_output_follows_the_schema_under_a_grammar(model):
    reply = ask(
        model,
        [SYSTEM, HumanMessage(content="Break 'Why did Rome fall?' into sub-questions. Reply in JSON.")],
        node="test",
        schema=Plan,
        max_tokens=200,
    )
    assert reply.parsed is not None, reply.text
    assert 3 <= len(reply.parsed.sub_questions) <= 4
    assert json.loads(reply.text)["sub_questions"] == reply.parsed.sub_questions


def test_usage_reports_reused_prefix_tokens(model):
    first = model.invoke([SYSTEM, HumanMessage(content="Name a colour.")], max_tokens=8)
    second = model.invoke([SYSTEM, HumanMessage(content="Name a fruit.")], max_tokens=8)
    shared_system_tokens = len(model.tokenize(SYSTEM.content))
    assert first.usage_metadata["input_tokens"] > shared_system_tokens
    assert second.usage_metadata["input_token_details"]["cache_read"] >= shared_system_tokens
    assert second.usage_metadata["input_token_details"]["cache_read"] < second.usage_metadata["input_tokens"]


def test_concurrent_calls_are_serialised_safely(model):
    results: list[str] = []
    errors: list[BaseException] = []

    def call(i: int) -> None:
        try:
            results.append(model.invoke([HumanMessage(content=f"Say the number {i}.")], max_tokens=6).content)
        except BaseException as exc:  # collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors and len(results) == 4


STORY = [HumanMessage(content="Write a long story about a dragon who learns to bake bread, with many details.")]


def test_ainvoke_gives_the_reply_invoke_gives(model):
    messages = [SYSTEM, HumanMessage(content="Name three colours.")]
    blocking = model.invoke(messages, max_tokens=24, temperature=0.0)
    awaited = asyncio.run(model.ainvoke(messages, max_tokens=24, temperature=0.0))
    assert awaited.content == blocking.content and awaited.content.strip()
    assert awaited.usage_metadata["output_tokens"] == blocking.usage_metadata["output_tokens"]
    assert awaited.usage_metadata["input_tokens"] == blocking.usage_metadata["input_tokens"]


def test_a_stream_closed_early_stops_generating_and_frees_the_model(model):
    full = model.invoke(STORY, max_tokens=300, temperature=0.0)
    assert full.usage_metadata["output_tokens"] > 100  # left alone, this prompt runs long
    prompt_tokens = full.usage_metadata["input_tokens"]

    async def read_three_tokens() -> int:
        seen = 0
        async with aclosing(model.astream(STORY, max_tokens=300, temperature=0.0)) as stream:
            async for chunk in stream:
                seen += bool(chunk.content)
                if seen == 3:
                    break
        return seen

    assert asyncio.run(read_three_tokens()) == 3
    with model._lock:  # taken once the worker has let go of the model
        evaluated = model._llama.n_tokens - prompt_tokens
    assert evaluated < 50, evaluated  # it stopped within a few tokens of the close, not after 300


def test_a_broken_gguf_is_a_model_load_error(tmp_path):
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"GGUF" + b"\x00" * 64)
    with pytest.raises(ModelLoadError, match="could not load"):
        LlamaCppChatModel(model_path=str(broken))


def test_state_snapshots_let_interleaved_branches_reuse_their_prefix():
    """Branch A, then branch B (a different prompt), then A again: with snapshots A's prefix is
    restored from RAM; without them it is prefilled again."""
    prefix_a = SystemMessage(content="Branch A studies the Byzantine Empire and its capital. " * 12)
    prefix_b = SystemMessage(content="Branch B studies photosynthesis in green plants today. " * 12)

    def third_call_cached(mode: str) -> tuple[int, int]:
        model = LlamaCppChatModel(n_ctx=2048, prefix_snapshots=mode)
        model.invoke([prefix_a, HumanMessage(content="First question?")], max_tokens=4)
        model.invoke([prefix_b, HumanMessage(content="Second question?")], max_tokens=4)
        again = model.invoke([prefix_a, HumanMessage(content="Third question?")], max_tokens=4)
        return again.usage_metadata["input_token_details"]["cache_read"], len(model.tokenize(prefix_a.content))

    with_snapshots, prefix_len = third_call_cached("always")
    without, _ = third_call_cached("off")
    assert with_snapshots >= prefix_len
    assert without < prefix_len / 4
