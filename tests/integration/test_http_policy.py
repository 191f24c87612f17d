"""The graph over HTTP against a real OpenAI-compatible server: `stepresearch serve --engine llama-cpp`
(llama-cpp-python's server with SmolLM2) on a free loopback port. The tests start and stop it."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from conftest import free_port

pytestmark = pytest.mark.integration

QUESTION = "When and how did the Byzantine Empire end, and which state conquered its capital?"


def start_server(port: int) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "stepresearch",
            "serve",
            "--engine",
            "llama-cpp",
            "--port",
            str(port),
            "--n-ctx",
            "8192",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/models", timeout=2).status_code == 200:
                return process
        except httpx.HTTPError:
            time.sleep(0.5)
    process.kill()
    raise RuntimeError("the server did not come up within 90 s")


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)


def cli(*args: str, cwd: Path) -> list[str]:
    return [sys.executable, "-m", "stepresearch", *args]


def env_for(tmp: Path) -> dict[str, str]:
    env = {**os.environ}
    env.pop("TAVILY_API_KEY", None)
    return env


@pytest.fixture(scope="module")
def server():
    port = free_port()
    process = start_server(port)
    yield f"http://127.0.0.1:{port}/v1"
    stop(process)


def test_the_whole_graph_over_http(server, tmp_path):
    out = tmp_path / "http-run"
    result = subprocess.run(
        cli("run", QUESTION, "--base-url", server, "--out", str(out), cwd=tmp_path),
        capture_output=True, text=True, timeout=600, env=env_for(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    report = (out / "report.md").read_text(encoding="utf-8")
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    body, sources = report.split("\n## Sources\n")
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert len(cited) >= 2 and cited == {s["n"] for s in record["sources"]}
    assert all(f"[{n}] " in sources for n in cited)
    # Served, SmolLM2 is still the weak tier: the start-up probe finds it cannot judge, so `auto` stays with the
    # deterministic judge.
    decision = record["judge_decision"]
    assert record["judge"] == "semantic" and decision["judge"] == "semantic", decision
    answers = decision["probe"]["answers"]
    assert len(answers) == 8 and sum(a["answered"] == a["expected"] for a in answers) < 8
    assert "failed the probe" in decision["reason"]
    cache = record["cache"]
    assert cache["unit"] == "tokens"  # counted by llama-cpp-python's /extras/tokenize
    assert 0.5 < cache["replay_reuse_ratio"] < 1
    assert 0 < cache["unique_prompt_tokens"] < cache["replay_prompt_units"]
    assert cache["server_cached_tokens"] is None  # llama-cpp-python's server does not report it
    shown = subprocess.run(cli("cache-report", str(out), cwd=tmp_path), capture_output=True, text=True, cwd=tmp_path)
    assert shown.returncode == 0 and "replay_reuse_ratio" in shown.stdout and "write" in shown.stdout


def test_a_server_killed_mid_run_leaves_a_resumable_run(tmp_path):
    port = free_port()
    base_url = f"http://127.0.0.1:{port}/v1"
    out = tmp_path / "killed"
    server = start_server(port)
    try:
        run = subprocess.Popen(
            cli("run", QUESTION, "--base-url", base_url, "--out", str(out), cwd=tmp_path),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env_for(tmp_path), cwd=tmp_path,
        )  # fmt: skip
        seen = []
        for line in run.stderr:
            seen.append(line)
            if line.startswith("clarify"):
                stop(server)  # the policy dies; plan, reflect or at the latest write needs it
                break
        rest = run.stderr.read()
        assert run.wait(timeout=300) == 1, "".join(seen) + rest
    finally:
        stop(server)
    errors = [line for line in rest.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and base_url in errors[0], rest
    assert "Traceback" not in rest
    assert f"stepresearch run --resume --out {out}" in rest
    thread = (out / ".thread").read_text().strip()
    with sqlite3.connect(out / "checkpoints.sqlite") as conn:
        assert conn.execute("select count(*) from checkpoints where thread_id = ?", (thread,)).fetchone()[0] > 0

    server = start_server(port)
    try:
        resumed = subprocess.run(
            cli("run", "--resume", "--out", str(out), "--base-url", base_url, cwd=tmp_path),
            capture_output=True, text=True, timeout=600, env=env_for(tmp_path), cwd=tmp_path,
        )  # fmt: skip
    finally:
        stop(server)
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    assert "clarify objective" not in resumed.stderr, "finished nodes are not redone"
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert record["usage"]["by_node"]["clarify"]["calls"] == 1
    assert record["usage"]["by_node"]["plan"]["calls"] == 1
    assert record["sources"] and (out / "report.md").read_text().count("## Sources") == 1


def test_a_third_party_chat_model_is_the_policy(server, tmp_path):
    """ChatOpenAI from langchain-openai, pointed at the loopback llama-cpp server, through the public API.

    llama-cpp-python's server refuses `json_schema` (HTTP 500), so the policy learns on its first call to use
    the model's JSON mode; the server also ignores `max_completion_tokens`, which ChatOpenAI sends for its
    token cap, so `extra_body` gives it the `max_tokens` it reads (a server quirk, not ours)."""
    from langchain_openai import ChatOpenAI

    from stepresearch.app.runner import run_research
    from stepresearch.tools import wiki_search_tool

    model = httpx.get(f"{server}/models", timeout=5).json()["data"][0]["id"]
    chat = ChatOpenAI(
        base_url=server, api_key="unused", model=model, temperature=0, max_retries=0, extra_body={"max_tokens": 200}
    )
    result = run_research(
        QUESTION, tmp_path / "chatopenai", policy=chat, tools=[wiki_search_tool()],
        budgets=None, graph_options={"judge": "lexical"},
    )  # fmt: skip
    record = json.loads(result.run_json_path.read_text(encoding="utf-8"))
    body = result.report_path.read_text(encoding="utf-8").split("\n## Sources\n")[0]
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert len(cited) >= 2 and cited == {s["n"] for s in record["sources"]}
    assert record["citations"]["phantom"] == 0 and record["citations"]["valid"] >= 2
    assert record["usage"]["calls"] >= 5  # counted once each, through the wrapper's callbacks
    assert sum(1 for line in (tmp_path / "chatopenai" / "prompts.jsonl").open()) == record["usage"]["calls"]


# The concurrency benchmark's eight questions (benchmarks/concurrency.py), each with its own subject, which
# its report must be about (no research reads another's state).
CONCURRENT_SUBJECTS = [
    "Byzantine", "penicillin", "printing press", "Berlin Wall", "Mona Lisa", "Eiffel Tower", "relativity", "Wright",
]  # fmt: skip


def test_eight_researches_at_once_on_one_event_loop_each_get_their_own_cited_report(server):
    import asyncio
    import threading

    from langgraph.checkpoint.memory import InMemorySaver

    from stepresearch import build_graph, research_context
    from stepresearch.benchmarks.concurrency import QUESTIONS as CONCURRENT_QUESTIONS
    from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel
    from stepresearch.tools import wiki_search_tool

    policy = OpenAICompatibleChatModel(base_url=server, max_tokens=200)
    context = research_context(
        policy, [wiki_search_tool()], judge="lexical",
        budgets={"max_rounds": 1, "max_sub_questions": 2, "min_sub_questions": 2},
    )  # fmt: skip
    graph = build_graph(checkpointer=InMemorySaver())
    threads_before = threading.active_count()
    peak = threads_before

    async def main() -> list[dict]:
        nonlocal peak
        runs = asyncio.gather(*(
            graph.ainvoke({"question": q}, {"configurable": {"thread_id": f"r{i}"}}, context=context)
            for i, q in enumerate(CONCURRENT_QUESTIONS)
        ))  # fmt: skip
        while not runs.done():
            peak = max(peak, threading.active_count())
            await asyncio.sleep(0.1)
        return await runs

    outputs = asyncio.run(main())
    for i, (subject, output) in enumerate(zip(CONCURRENT_SUBJECTS, outputs)):
        state = graph.get_state({"configurable": {"thread_id": f"r{i}"}}).values
        assert state["question"] == CONCURRENT_QUESTIONS[i]
        report = output["report"]
        body = report.markdown.split("## Sources")[0]
        assert re.search(r"\[\d+\]", body), (subject, report.markdown[:800])
        assert output["citations"].phantom == 0 and output["citations"].valid >= 1
        assert subject.lower() in report.markdown.lower(), (subject, report.markdown[:800])
    # Eight researches on one loop, not a thread each: the loop's executor does the CPU-bound work.
    assert peak - threads_before < len(CONCURRENT_QUESTIONS), (threads_before, peak)
