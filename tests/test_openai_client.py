"""The OpenAI-compatible policy against a FAKE loopback server speaking SGLang's response shapes."""

from __future__ import annotations

import json
import time

import pytest
from conftest import QUESTION, scripted_replies
from langchain_core.messages import HumanMessage
from pydantic import BaseModel
from sglang_fake import FakeSGLang

from stepresearch.core.errors import PolicyError
from stepresearch.core.policy_calls import ask
from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel


class Answer(BaseModel):
    answer: str


def client(fake: FakeSGLang, **kwargs) -> OpenAICompatibleChatModel:
    options = {"backoff_s": 0.01, "max_retries": 2, "timeout_s": 5.0} | kwargs
    policy = OpenAICompatibleChatModel(base_url=fake.base_url, **options)
    policy.check_health()
    return policy


def json_reply(task: str, request: dict) -> str:
    return json.dumps({"answer": "Constantinople"})


def test_structured_output_goes_through_json_schema():
    with FakeSGLang(reply=json_reply) as fake:
        policy = client(fake)
        reply = ask(policy, [HumanMessage(content="TASK: x")], node="t", schema=Answer)
    assert reply.parsed == Answer(answer="Constantinople")
    fmt = fake.requests[0]["response_format"]
    assert fmt["type"] == "json_schema"
    assert fmt["json_schema"]["schema"]["properties"]["answer"]["type"] == "string"
    assert fake.requests[0]["model"] == "fake-model"


def test_llama_cpp_python_servers_get_json_object_with_schema():
    with FakeSGLang(reply=json_reply, owned_by="me") as fake:
        reply = ask(client(fake), [HumanMessage(content="TASK: x")], node="t", schema=Answer)
    assert reply.parsed is not None
    assert fake.requests[0]["response_format"]["type"] == "json_object"
    assert "answer" in fake.requests[0]["response_format"]["schema"]["properties"]


def test_a_server_that_rejects_json_schema_by_name_is_asked_again_with_json_object():
    with FakeSGLang(reply=json_reply, owned_by="vllm", reject_json_schema=True) as fake:
        policy = client(fake)
        first = ask(policy, [HumanMessage(content="TASK: x")], node="t", schema=Answer)
        ask(policy, [HumanMessage(content="TASK: y")], node="t", schema=Answer)
    assert first.parsed is not None
    assert [r["response_format"]["type"] for r in fake.requests] == ["json_schema", "json_object", "json_object"]


def test_cached_tokens_from_a_server_that_never_said_it_reports_them():
    """No /server_info (vLLM, a proxy): the first reply that carries the field shows the server reports."""
    with FakeSGLang(owned_by="vllm", release="0.5.21", cached_tokens=0) as fake:
        policy = client(fake)
        fake.script = [{"cached_tokens": 0}, {"cached_tokens": 5}, {"cached_tokens": 0}]
        usages = [ask(policy, [HumanMessage(content="hello " * 40)], node="t").usage for _ in range(3)]
    # Before the server has ever sent the field we cannot tell "0" from "not reported".
    assert (usages[0].cached_tokens, usages[0].cache_reports) == (0, 0)
    assert (usages[1].cached_tokens, usages[1].cache_reports) == (5, 1)
    assert (usages[2].cached_tokens, usages[2].cache_reports) == (0, 1)
    assert policy.reports_cache


def test_503_while_the_model_loads_is_retried():
    with FakeSGLang(reply=json_reply) as fake:
        policy = client(fake)
        fake.script = [{"status": 503}, {"status": 503}]
        reply = ask(policy, [HumanMessage(content="hi")], node="t", schema=Answer)
    assert reply.parsed is not None and len(fake.requests) == 3


def test_429_honours_retry_after():
    with FakeSGLang(reply=json_reply) as fake:
        policy = client(fake)
        fake.script = [{"status": 429, "headers": {"Retry-After": "0.3"}}]
        started = time.monotonic()
        ask(policy, [HumanMessage(content="hi")], node="t")
        waited = time.monotonic() - started
    assert len(fake.requests) == 2 and waited >= 0.3


def test_a_slow_server_times_out_and_is_retried():
    with FakeSGLang(reply=json_reply) as fake:
        policy = client(fake, timeout_s=0.3)
        fake.script = [{"sleep": 1.0}]
        reply = ask(policy, [HumanMessage(content="hi")], node="t", schema=Answer)
    assert reply.parsed is not None and len(fake.requests) == 2


def test_a_server_that_never_answers_in_time_is_a_policy_error():
    with FakeSGLang(reply=json_reply) as fake:
        policy = client(fake, timeout_s=0.2, max_retries=1)
        fake.script = [{"sleep": 0.6}, {"sleep": 0.6}]
        with pytest.raises(PolicyError, match="failed 2 time"):
            ask(policy, [HumanMessage(content="hi")], node="t")


def test_a_client_error_is_not_retried():
    with FakeSGLang(reply=json_reply) as fake:
        policy = client(fake)
        fake.script = [{"status": 400, "message": "bad request"}]
        with pytest.raises(PolicyError, match="HTTP 400"):
            ask(policy, [HumanMessage(content="hi")], node="t")
    assert len(fake.requests) == 1


def test_a_non_sglang_server_answering_503_on_models_while_loading_is_waited_for():
    with FakeSGLang(owned_by="llamacpp") as fake:
        fake.models_status = [503, 503]
        policy = OpenAICompatibleChatModel(base_url=fake.base_url)
        assert policy.check_health(wait_s=10.0)["model"] == "fake-model"
    assert fake.paths.count("/v1/models") == 3


def test_the_whole_graph_over_http_reports_server_cached_tokens(tmp_path, docs_tool):
    from stepresearch.app.runner import run_research

    replies = scripted_replies()
    with FakeSGLang(reply=lambda task, request: replies.get(task, ""), cached_tokens=11) as fake:
        result = run_research(QUESTION, tmp_path / "run", policy=client(fake), tools=[docs_tool])
    record = json.loads(result.run_json_path.read_text())
    calls = record["usage"]["calls"]
    assert calls == len(fake.requests) >= 5
    assert record["cache"]["server_cached_tokens"] == 11 * calls
    assert record["cache"]["unit"] == "tokens"  # counted by the server's /v1/tokenize
    assert record["policy_server"]["kind"] == "sglang" and record["policy_server"]["max_model_len"] == 32768
    assert 0 < record["cache"]["replay_reuse_ratio"] < 1
    assert record["sources"]
