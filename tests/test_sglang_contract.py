"""Our client and launcher against SGLang 0.5.23 as it really is, through the contract fake in sglang_fake.py.

One group per problem of issue 12 (thinking, the structured-output fallback,
start-up, the extra, the multi-worker line, pass-through flags, parser
guesses, cached_tokens), then what SGLang provides: context length and
tokenize. The fake mirrors the wheel's lines; its docstring cites them.
"""

from __future__ import annotations

import json
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from langchain_core.messages import HumanMessage
from packaging.requirements import Requirement
from pydantic import BaseModel
from sglang_fake import FakeSGLang

from stepresearch.core.errors import ContextOverflowError, PolicyError, UsageError
from stepresearch.core.policy_calls import ask
from stepresearch.serving import launch, sglang_facts
from stepresearch.serving.model_families import family_of
from stepresearch.serving.openai_compatible import THINKING_TOKENS, OpenAICompatibleChatModel

ROOT = Path(__file__).resolve().parents[1]


class Answer(BaseModel):
    answer: str


def json_reply(task: str, request: dict) -> str:
    return json.dumps({"answer": "Constantinople"})


def client(fake: FakeSGLang, **kwargs) -> OpenAICompatibleChatModel:
    options = {"backoff_s": 0.01, "max_retries": 1, "timeout_s": 5.0} | kwargs
    policy = OpenAICompatibleChatModel(base_url=fake.base_url, **options)
    policy.check_health(wait_s=10.0)
    return policy


def ask_answer(policy: OpenAICompatibleChatModel, node: str = "clarify", max_tokens: int = 60):
    return ask(policy, [HumanMessage(content="TASK: x")], node=node, schema=Answer, max_tokens=max_tokens)


def serve(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "stepresearch", "serve", *args], capture_output=True, text=True, timeout=120, env=env
    )


# 1. Thinking models ------------------------------------------------------------------------------


def test_a_hybrid_thinking_model_is_told_not_to_think_and_answers():
    with FakeSGLang(reply=json_reply, thinking_tokens=500) as fake:
        reply = ask_answer(client(fake))
    assert reply.parsed == Answer(answer="Constantinople")
    sent = fake.requests[0]
    assert sent["chat_template_kwargs"]["enable_thinking"] is False
    assert sent["max_tokens"] == 60  # no thinking budget when thinking is off


def test_a_model_that_always_thinks_gets_a_thinking_budget_and_is_asked_once_more():
    with FakeSGLang(reply=json_reply, thinking_tokens=500, thinks_always=True) as fake:
        policy = client(fake)
        first = ask_answer(policy)
        second = ask_answer(policy)
    assert first.parsed is not None and second.parsed is not None
    budgets = [r["max_tokens"] for r in fake.requests]
    assert budgets == [60, 60 + THINKING_TOKENS, 60 + THINKING_TOKENS]  # cut off once, budgeted from then on
    assert "hmm" not in first.text  # the reasoning never reaches a node


def test_thinking_inline_without_a_reasoning_parser_is_stripped():
    with FakeSGLang(reply=json_reply, thinking_tokens=30, thinks_always=True, reasoning_parser=False) as fake:
        reply = ask_answer(client(fake), max_tokens=200)
    assert reply.parsed == Answer(answer="Constantinople")
    assert "<think>" not in reply.text and "hmm" not in reply.text


def test_thinking_on_lets_plan_and_reflect_think_with_a_budget_and_no_other_node():
    with FakeSGLang(reply=json_reply, thinking_tokens=500) as fake:
        policy = client(fake, thinking="on")
        planned = ask_answer(policy, node="plan")
        judged = ask_answer(policy, node="verify")
    assert planned.parsed is not None and judged.parsed is not None
    plan_request, verify_request = fake.requests
    assert "chat_template_kwargs" not in plan_request and plan_request["max_tokens"] == 60 + THINKING_TOKENS
    assert verify_request["chat_template_kwargs"]["enable_thinking"] is False


def test_servers_that_may_reject_template_kwargs_do_not_get_them():
    with FakeSGLang(reply=json_reply, owned_by="llamacpp") as fake:
        ask_answer(client(fake))
    assert "chat_template_kwargs" not in fake.requests[0]


# 2. The structured-output fallback ---------------------------------------------------------------


def test_a_context_overflow_is_a_clear_error_and_keeps_the_schema():
    with FakeSGLang(reply=json_reply, context_len=50) as fake:
        policy = client(fake)
        with pytest.raises(ContextOverflowError, match="does not fit the context.*--context-length"):
            ask(policy, [HumanMessage(content="TASK: x " + "word " * 80)], node="write", schema=Answer)
        ask_answer(policy)
    assert [r["response_format"]["type"] for r in fake.requests] == ["json_schema", "json_schema"]


def test_sglang_never_falls_back_to_json_object_whose_schema_it_ignores():
    with FakeSGLang(reply=json_reply) as fake:
        policy = client(fake)
        fake.script = [{"status": 400, "message": "response_format: invalid json_schema"}]
        with pytest.raises(PolicyError, match="HTTP 400"):
            ask_answer(policy)
        ask_answer(policy)
    assert [r["response_format"]["type"] for r in fake.requests] == ["json_schema", "json_schema"]


def test_an_error_that_does_not_name_the_format_is_no_reason_to_fall_back():
    with FakeSGLang(reply=json_reply, owned_by="vllm") as fake:
        policy = client(fake)
        fake.script = [{"status": 400, "message": "temperature must be non-negative"}]
        with pytest.raises(PolicyError, match="temperature must be non-negative"):
            ask_answer(policy)
    assert len(fake.requests) == 1


def test_every_json_schema_request_carries_the_name_sglang_requires():
    with FakeSGLang(reply=json_reply) as fake:
        reply = ask_answer(client(fake))
    assert reply.parsed is not None
    assert fake.requests[0]["response_format"]["json_schema"]["name"] == "Answer"


# 3. Start-up -------------------------------------------------------------------------------------


def test_a_server_still_loading_refuses_connections_and_is_waited_for():
    seen: list[str] = []
    with FakeSGLang(reply=json_reply, load_s=2.0) as fake:
        policy = OpenAICompatibleChatModel(base_url=fake.base_url)
        policy.check_health(wait_s=30.0, on_wait=lambda why, waited: seen.append(why))
        assert ask_answer(policy).parsed is not None
    assert seen and "connection refused" in seen[0]
    assert policy.server is not None and policy.server.waited_s >= 1.5


def test_health_is_polled_until_the_warm_up_is_over():
    with FakeSGLang(reply=json_reply, warmup_polls=3) as fake:
        client(fake)
    health = [p for p in fake.paths if p == "/health"]
    assert len(health) == 4  # three 503s, then 200
    assert fake.paths.index("/v1/models") < fake.paths.index("/health")


def test_nothing_listening_gives_up_after_the_wait_with_one_clear_message():
    fake = FakeSGLang()  # never entered: its port stays closed
    policy = OpenAICompatibleChatModel(base_url=fake.base_url)
    started = time.monotonic()
    with pytest.raises(UsageError, match=r"after 1 s .*connection refused.*--wait"):
        policy.check_health(wait_s=1.0)
    assert time.monotonic() - started < 10


def test_the_cli_waits_as_long_as_told_and_exits_2(tmp_path):
    fake = FakeSGLang()
    result = subprocess.run(
        [sys.executable, "-m", "stepresearch", "run", "What is a lighthouse?", "--base-url", fake.base_url,
         "--wait", "1", "--out", str(tmp_path / "run")],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "--wait" in errors[0] and "Traceback" not in result.stderr


# 4. The extra ------------------------------------------------------------------------------------


def test_the_sglang_extra_asks_for_no_missing_extra_and_pins_a_checked_range():
    tomllib = pytest.importorskip("tomllib", reason="reading pyproject.toml needs Python 3.11's tomllib")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    requirements = [Requirement(r) for r in project["project"]["optional-dependencies"]["sglang"]]
    engine = next(r for r in requirements if r.name == "sglang")
    router = next(r for r in requirements if r.name == "sglang-router")
    assert not engine.extras  # [all] pulls diffusion, tracing and http2 in 0.5.23; a server needs none of them
    assert engine.specifier.contains(sglang_facts.CHECKED_RELEASE)
    assert not engine.specifier.contains("0.6.0") and not engine.specifier.contains("0.5.19")
    assert router.specifier.contains(sglang_facts.CHECKED_ROUTER_RELEASE) and not router.specifier.contains("0.4.0")


# 5. Several workers ------------------------------------------------------------------------------


def test_workers_get_their_own_ports_and_gpus_and_the_router_all_of_them():
    result = serve("--engine", "sglang", "--model-path", "Qwen/Qwen3-32B", "--tp", "2", "--workers", "3", "--dry-run")
    assert result.returncode == 0, result.stderr
    lines = [shlex.split(line) for line in result.stdout.splitlines()]
    workers, router = lines[:-1], lines[-1]
    ports = [w[w.index("--port") + 1] for w in workers]
    gpus = [w[w.index("--base-gpu-id") + 1] for w in workers]
    assert len(set(ports)) == 3 and gpus == ["0", "2", "4"]
    assert all(w[w.index("--host") + 1] == "127.0.0.1" for w in workers)
    assert router[1:3] == ["-m", "sglang_router.launch_router"]
    urls = router[router.index("--worker-urls") + 1 : router.index("--policy")]
    assert urls == [f"http://127.0.0.1:{p}" for p in ports]
    assert router[router.index("--port") + 1] not in ports


def test_each_readme_serving_block_starts_what_its_router_routes_to_on_separate_ports_and_gpus():
    readme = (ROOT / "README.md").read_text()
    serving = readme[readme.index("## Production serving") : readme.index("## Benchmarks")]
    blocks = [block.split("```")[0] for block in serving.split("```bash\n")[1:]]
    checked = 0
    for block in blocks:
        lines = [line.split(" #")[0].strip() for line in block.splitlines() if line.startswith("stepresearch serve")]
        served: list[str] = []
        routed: list[str] = []
        for line in lines:
            argv = shlex.split(line)[2:]
            extra = argv[argv.index("--") :] if "--" in argv else []
            result = serve(*argv[: len(argv) - len(extra)], "--check", *extra)
            assert result.returncode == 0, (line, result.stderr)  # --check: no overlapping GPUs, no warnings
            for command in map(shlex.split, result.stdout.splitlines()):
                if "sglang.launch_server" in command:
                    served.append(command[command.index("--port") + 1])
                if "sglang_router.launch_router" in command:
                    urls = command[command.index("--worker-urls") + 1 : command.index("--policy")]
                    routed += [url.rsplit(":", 1)[1] for url in urls]
            checked += 1
        assert len(served) == len(set(served)), (block, served)
        assert set(routed) <= set(served), (block, routed, served)
    assert checked >= 2


# 6. Flags passed through -------------------------------------------------------------------------


def test_flags_after_a_double_dash_reach_sglang_and_replace_our_defaults():
    result = serve(
        "--engine", "sglang", "--model-path", "Qwen/Qwen3-32B", "--dry-run", "--",
        "--context-length", "32768", "--mem-fraction-static", "0.85", "--enable-hierarchical-cache",
        "--reasoning-parser", "deepseek-r1",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    argv = shlex.split(result.stdout)
    assert argv[argv.index("--context-length") + 1] == "32768"
    assert argv[argv.index("--mem-fraction-static") + 1] == "0.85"
    assert "--enable-hierarchical-cache" in argv
    assert argv.count("--reasoning-parser") == 1 and argv[argv.index("--reasoning-parser") + 1] == "deepseek-r1"


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--host", "0.0.0.0"], "bind to 127.0.0.1"),
        (["--port=31000"], "--port is set by `stepresearch serve`"),
        (["--tp-size", "4"], "--tp-size is set by"),
    ],
)
def test_flags_we_own_cannot_be_passed_through(flags, message):
    result = serve("--engine", "sglang", "--model-path", "Qwen/Qwen3-32B", "--dry-run", "--", *flags)
    assert result.returncode == 2 and message in result.stderr and "Traceback" not in result.stderr


# 7. Parser guesses -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("model", "reasoning", "tools"),
    [
        ("deepseek-ai/DeepSeek-V3.1-Terminus", "deepseek-v3", "deepseekv31"),
        ("deepseek-ai/DeepSeek-V3.1", "deepseek-v3", "deepseekv31"),
        ("deepseek-ai/DeepSeek-V3.2-Exp", "deepseek-v3", "deepseekv32"),
        ("deepseek-ai/DeepSeek-V3-0324", None, "deepseekv3"),
        ("deepseek-ai/DeepSeek-R1-0528", "deepseek-r1", None),
        ("deepseek-ai/DeepSeek-R1-Distill-Qwen3-8B", "deepseek-r1", None),
        ("Qwen/Qwen3-Coder-480B-A35B-Instruct", None, "qwen3_coder"),
        ("Qwen/Qwen3-Coder-30B-A3B-Instruct-FP8", None, "qwen3_coder"),
        ("Qwen/Qwen3-32B", "qwen3", "qwen25"),
        ("/models/qwen3-8b-awq", "qwen3", "qwen25"),
        ("Qwen/Qwen3-235B-A22B-Thinking-2507", "qwen3-thinking", "qwen25"),
        ("Qwen/Qwen3-30B-A3B-Instruct-2507", None, "qwen25"),
        ("Qwen/QwQ-32B", "deepseek-r1", "qwen25"),
        ("Qwen/Qwen2.5-72B-Instruct", None, "qwen25"),
        ("moonshotai/Kimi-K2-Instruct", None, "kimi_k2"),
        ("moonshotai/Kimi-K2-Thinking", "kimi_k2", "kimi_k2"),
        ("openai/gpt-oss-120b", "gpt-oss", "gpt-oss"),
        ("meta-llama/Llama-3.3-70B-Instruct", None, None),
    ],
)
def test_parser_guesses_tell_model_families_apart(model, reasoning, tools):
    family = family_of(model)
    assert (family.reasoning_parser, family.tool_call_parser) == (reasoning, tools)
    command = launch.sglang_command(model, 30000, version=(0, 5, 11))  # a release without "auto"
    assert launch.flag_value(command, "--reasoning-parser") == reasoning
    assert launch.flag_value(command, "--tool-call-parser") == tools


def test_a_release_with_auto_parsers_gets_auto_and_an_explicit_parser_still_wins():
    command = launch.sglang_command("Qwen/Qwen3-32B", 30000, version=(0, 5, 23))
    assert launch.flag_value(command, "--reasoning-parser") == "auto"
    assert launch.flag_value(command, "--tool-call-parser") == "auto"
    mine = launch.sglang_command("Qwen/Qwen3-32B", 30000, reasoning_parser="qwen3", version=(0, 5, 23))
    assert launch.flag_value(mine, "--reasoning-parser") == "qwen3"


def test_thinking_is_off_in_the_launch_line_where_the_release_has_the_flag():
    assert json.loads(launch.flag_value(launch.sglang_command("Qwen/Qwen3-32B", 1, version=(0, 5, 23)),
                                        "--default-chat-template-kwargs")) == {"enable_thinking": False}  # fmt: skip
    old = launch.sglang_command("Qwen/Qwen3-32B", 1, version=(0, 5, 15))
    assert "--default-chat-template-kwargs" not in old  # 0.5.15 would refuse the flag
    assert "--default-chat-template-kwargs" not in launch.sglang_command("Qwen/Qwen3-Coder-30B", 1)


# 8. cached_tokens --------------------------------------------------------------------------------


@pytest.mark.parametrize("release", ["0.5.21", "0.5.23"])
def test_a_server_with_cache_report_counts_a_missing_field_as_zero_from_the_first_call(release):
    with FakeSGLang(release=release, cached_tokens=0) as fake:
        policy = client(fake)
        fake.script = [{"cached_tokens": 0}, {"cached_tokens": 9}]
        usages = [ask(policy, [HumanMessage(content="hello " * 40)], node="t").usage for _ in range(2)]
    assert [(u.cached_tokens, u.cache_reports) for u in usages] == [(0, 1), (9, 1)]


def test_a_server_without_cache_report_reports_null_not_zero():
    with FakeSGLang(cache_report=False) as fake:
        policy = client(fake)
        usage = ask(policy, [HumanMessage(content="hello")], node="t").usage
    assert usage.cache_reports == 0 and policy.server.cache_report is False


# What SGLang provides ----------------------------------------------------------------------------


def test_context_length_and_token_counts_come_from_the_server():
    with FakeSGLang(reply=json_reply, context_len=4096) as fake:
        policy = client(fake)
        tokens = policy.tokenize("The Ottomans took Constantinople in 1453.")
    assert policy.context_tokens == 4096
    assert len(tokens) == 7 and tokens == fake.count("The Ottomans took Constantinople in 1453.")


# serve --check -----------------------------------------------------------------------------------


def test_check_passes_our_own_line_and_warns_when_thinking_is_left_on():
    clean = serve("--engine", "sglang", "--model-path", "Qwen/Qwen3-32B", "--check", "--port", "39911")
    assert clean.returncode == 0, clean.stderr
    assert "sglang.launch_server" in clean.stdout and "no mismatches" in clean.stderr
    thinking = serve(
        "--engine", "sglang", "--model-path", "Qwen/Qwen3-32B", "--check", "--port", "39911",
        "--", "--default-chat-template-kwargs", "{}",
    )  # fmt: skip
    assert thinking.returncode == 1 and "thinks by default" in thinking.stderr


def test_check_of_a_router_sees_two_workers_on_one_gpu_and_a_missing_cache_report():
    with FakeSGLang() as first, FakeSGLang(cache_report=False) as second:
        urls = [first.base_url.removesuffix("/v1"), second.base_url.removesuffix("/v1")]
        result = serve("--engine", "sglang-router", "--worker-urls", *urls, "--check")
    assert result.returncode == 1
    assert "both use GPU 0" in result.stderr
    assert f"{urls[1]} was started without --enable-cache-report" in result.stderr
    assert f"{urls[0]} was started without" not in result.stderr
