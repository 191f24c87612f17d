"""Streaming and async calls of the HTTP policy, against the FAKE SGLang server (its SSE follows serving_chat)."""

from __future__ import annotations

import asyncio
import json
import threading

from langchain_core.messages import HumanMessage
from sglang_fake import FakeSGLang

from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel

REPLY = json.dumps({"answer": "The Ottomans took Constantinople on 29 May 1453 after a long siege."})


def reply(task: str, request: dict) -> str:
    return REPLY


def client(fake: FakeSGLang, **kwargs) -> OpenAICompatibleChatModel:
    policy = OpenAICompatibleChatModel(base_url=fake.base_url, backoff_s=0.01, max_retries=1, **kwargs)
    policy.check_health(wait_s=10.0)
    return policy


def joined(chunks) -> str:
    return "".join(str(c.content) for c in chunks)


def test_a_stream_arrives_in_pieces_that_add_up_to_the_reply_with_usage_at_the_end():
    with FakeSGLang(reply=reply, cached_tokens=4) as fake:
        chunks = list(client(fake).stream([HumanMessage(content="TASK: x")], max_tokens=80))
    pieces = [c for c in chunks if c.content]
    assert len(pieces) >= 8 and joined(chunks) == REPLY
    total = chunks[0]
    for chunk in chunks[1:]:
        total += chunk
    usage = total.usage_metadata
    assert usage["output_tokens"] > 0 and usage["input_token_details"]["cache_read"] == 4
    assert fake.requests[0]["stream"] is True and fake.requests[0]["stream_options"] == {"include_usage": True}


def test_a_streamed_thinking_model_streams_only_its_answer():
    with FakeSGLang(reply=reply, thinking_tokens=20, thinks_always=True) as fake:
        text = joined(client(fake).stream([HumanMessage(content="TASK: x")], max_tokens=200))
    assert text == REPLY  # the reasoning deltas never reach the caller


def test_inline_thinking_is_held_back_from_the_stream():
    with FakeSGLang(reply=reply, thinking_tokens=20, thinks_always=True, reasoning_parser=False) as fake:
        text = joined(client(fake).stream([HumanMessage(content="TASK: x")], max_tokens=200))
    assert text == REPLY


def test_a_stream_that_thinks_itself_out_of_tokens_is_answered_whole_with_a_budget():
    with FakeSGLang(reply=reply, thinking_tokens=300, thinks_always=True) as fake:
        text = joined(client(fake).stream([HumanMessage(content="TASK: x")], max_tokens=50))
    assert text == REPLY
    assert [r.get("stream", False) for r in fake.requests] == [True, False]
    assert fake.requests[1]["max_tokens"] > 300


def test_a_refused_stream_falls_back_to_the_plain_call_with_its_retries():
    with FakeSGLang(reply=reply) as fake:
        policy = client(fake)
        fake.script = [{"status": 503}]
        text = joined(policy.stream([HumanMessage(content="TASK: x")], max_tokens=80))
    assert text == REPLY and len(fake.requests) == 2


def test_async_calls_share_one_event_loop_and_reach_the_server_together():
    with FakeSGLang(reply=reply) as fake:
        policy = client(fake)
        fake.reply_delay_s = 0.3
        threads_before = threading.active_count()

        async def eight() -> list:
            return await asyncio.gather(*(policy.ainvoke([HumanMessage(content=f"TASK: q{i}")]) for i in range(8)))

        replies = asyncio.run(eight())
        threads_after = threading.active_count()
    assert [r.content for r in replies] == [REPLY] * 8
    assert fake.max_in_flight >= 4  # concurrent on the wire, from one thread
    assert threads_after - threads_before < 8


def test_async_streaming_yields_pieces():
    with FakeSGLang(reply=reply) as fake:
        policy = client(fake)

        async def collect() -> list:
            return [chunk async for chunk in policy.astream([HumanMessage(content="TASK: x")], max_tokens=80)]

        chunks = asyncio.run(collect())
    assert len([c for c in chunks if c.content]) >= 8 and joined(chunks) == REPLY
