"""The graph under LangGraph's own server: `langgraph dev` (langgraph-cli[inmem]) on 127.0.0.1 loads
`langgraph.json`, and a research runs through its HTTP API with langgraph-sdk. The policy is the real
SmolLM2 in the server's process and the corpus the shipped Wikipedia summaries (`graphs/server.py`)."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from conftest import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
QUESTION = "When and how did the Byzantine Empire end, and which state conquered its capital?"
START_S = 180  # the in-memory server imports the graph and its dependencies before it answers /ok


@pytest.fixture(scope="module")
def langgraph_server(tmp_path_factory):
    langgraph = shutil.which("langgraph")
    if langgraph is None:
        pytest.skip("langgraph-cli is not installed; it is in the test extra: pip install -e '.[test]'")
    port = free_port()
    home = tmp_path_factory.mktemp("langgraph")
    env = {
        **os.environ,
        "STEPRESEARCH_MAX_ROUNDS": "1",
        "STEPRESEARCH_JUDGE": "lexical",
        "LANGGRAPH_CLI_NO_ANALYTICS": "1",
        "LANGSMITH_TRACING": "false",
    }
    env.pop("TAVILY_API_KEY", None)
    log = (home / "server.log").open("w")
    process = subprocess.Popen(
        [langgraph, "dev", "--no-browser", "--no-reload", "--host", "127.0.0.1", "--port", str(port),
         "--config", str(ROOT / "langgraph.json")],
        cwd=home, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_S
    try:
        while True:
            if process.poll() is not None:
                raise AssertionError((home / "server.log").read_text()[-3000:])
            try:
                if httpx.get(f"{url}/ok", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise AssertionError("langgraph dev did not answer /ok: " + (home / "server.log").read_text()[-3000:])
            time.sleep(1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_a_research_runs_through_langgraph_servers_api(langgraph_server):
    from langgraph_sdk import get_sync_client

    client = get_sync_client(url=langgraph_server)
    thread = client.threads.create()
    nodes = []
    for part in client.runs.stream(thread["thread_id"], "stepresearch", input={"question": QUESTION},
                                   stream_mode="updates"):  # fmt: skip
        if part.event == "updates" and isinstance(part.data, dict):
            nodes += list(part.data)
        assert part.event != "error", part.data
    assert {"clarify", "plan", "search", "verify", "write", "validate"} <= set(nodes)
    values = client.threads.get_state(thread["thread_id"])["values"]
    markdown = values["report"]["markdown"]
    body = markdown.split("## Sources")[0]
    cited = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert len(cited) >= 2 and values["citations"]["phantom"] == 0
    assert values["usage"]["by_node"]["plan"]["calls"] >= 1
