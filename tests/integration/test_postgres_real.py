"""The PostgreSQL checkpointer against a real PostgreSQL server on 127.0.0.1, with the real SmolLM2 policy:
one process starts a research and is killed mid-run; another process resumes it from the database."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import free_port
from postgres_server import postgres_bin, running_postgres

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        postgres_bin() is None, reason="PostgreSQL is not installed (Debian package `postgresql`; .ci/run installs it)"
    ),
]

QUESTION = "When and how did the Byzantine Empire end, and which state conquered its capital?"
THREAD = "killed-run"
# The first process is killed once this many checkpoints of its thread are in the database: the input,
# clarify and plan have been saved, and the search branches are under way.
KILL_AFTER_CHECKPOINTS = 3

START = """
import sys
from stepresearch import build_graph, research_context
from stepresearch.graphs import postgres_checkpointer

with postgres_checkpointer(sys.argv[1]) as saver:
    graph = build_graph(checkpointer=saver)
    context = research_context(budgets={"max_rounds": 1, "max_sub_questions": 3})
    graph.invoke({"question": sys.argv[3]}, {"configurable": {"thread_id": sys.argv[2]}}, context=context)
print("finished")
"""

# The second process resumes through the async saver and `astream`, the way an async app would.
RESUME = """
import asyncio, json, sys
from stepresearch import build_graph, research_context
from stepresearch.graphs import async_postgres_checkpointer

async def main():
    async with async_postgres_checkpointer(sys.argv[1]) as saver:
        graph = build_graph(checkpointer=saver)
        config = {"configurable": {"thread_id": sys.argv[2]}}
        before = await graph.aget_state(config)
        context = research_context(budgets={"max_rounds": 1, "max_sub_questions": 3})
        nodes = []
        async for update in graph.astream(None, config, context=context, stream_mode="updates"):
            nodes.extend(update)
        after = (await graph.aget_state(config)).values
        report = after["report"]
        print(json.dumps({
            "next_before": list(before.next), "question": before.values.get("question"), "nodes": nodes,
            "markdown": report.markdown, "cited": report.cited_source_ids, "phantom": after["citations"].phantom,
            "valid": after["citations"].valid, "sources": sorted(after["sources"]),
        }))

asyncio.run(main())
"""


@pytest.fixture(scope="module")
def postgres_url():
    with running_postgres(free_port()) as url:
        yield url


def checkpoints_of(url: str, thread: str) -> int:
    import psycopg

    with psycopg.connect(url) as conn:
        exists = conn.execute("SELECT to_regclass('public.checkpoints')").fetchone()[0]
        if exists is None:
            return 0
        return conn.execute("SELECT count(*) FROM checkpoints WHERE thread_id = %s", (thread,)).fetchone()[0]


def test_a_run_killed_in_one_process_is_resumed_from_postgres_by_another(postgres_url, tmp_path):
    env = {**os.environ}
    env.pop("TAVILY_API_KEY", None)
    (tmp_path / "start.py").write_text(textwrap.dedent(START))
    (tmp_path / "resume.py").write_text(textwrap.dedent(RESUME))
    first = subprocess.Popen(
        [sys.executable, str(tmp_path / "start.py"), postgres_url, THREAD, QUESTION],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 600
    try:
        while checkpoints_of(postgres_url, THREAD) < KILL_AFTER_CHECKPOINTS:
            assert first.poll() is None, f"the first process ended before it could be killed: {first.stderr.read()}"
            assert time.monotonic() < deadline, "the first process saved no checkpoints within 600 s"
            time.sleep(0.2)
        os.kill(first.pid, signal.SIGKILL)
    finally:
        if first.poll() is None:
            first.kill()
        first.wait(timeout=30)
    assert first.returncode == -signal.SIGKILL
    saved = checkpoints_of(postgres_url, THREAD)

    second = subprocess.run(
        [sys.executable, str(tmp_path / "resume.py"), postgres_url, THREAD],
        env=env, capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert second.returncode == 0, second.stderr[-3000:]
    result = json.loads(second.stdout.strip().splitlines()[-1])
    assert result["question"] == QUESTION and result["next_before"], result  # it stopped mid-run
    assert "clarify" not in result["nodes"], result["nodes"]  # what the first process saved is not redone
    assert result["nodes"][-2:] == ["write", "validate"]
    assert result["cited"] and result["valid"] >= 1 and result["phantom"] == 0
    assert checkpoints_of(postgres_url, THREAD) > saved  # the second process wrote on in the same thread
