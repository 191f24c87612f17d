"""Search tools from MCP servers: a real MCP server over stdio (tests/mcp_folder_server.py, written with the
`mcp` package, searching a folder) reached through langchain-mcp-adapters; the research around it uses the
FAKE `ScriptedPolicy` (graph logic only). The real model runs over the same server in
tests/integration/test_mcp_real.py.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest
from cli_in_process import run_cli_here
from conftest import DOCS, QUESTION, scripted_replies
from fakes import ScriptedPolicy

from stepresearch.app.runner import run_research
from stepresearch.core.errors import UsageError
from stepresearch.state import stable_source_id
from stepresearch.tools.mcp import load_mcp_config, mcp_connections, mcp_search_tools

SERVER = Path(__file__).parent / "mcp_folder_server.py"
START_TIMEOUT_S = 10.0  # for the hanging server: long enough for the real one to start on a busy machine


def folder_of_docs(root: Path) -> Path:
    folder = root / "docs"
    folder.mkdir()
    for doc in DOCS:
        (folder / f"{doc['uri'].split(':')[1]}.md").write_text(f"# {doc['title']}\n\n{doc['text']}\n", encoding="utf-8")
    return folder


def server(folder: Path) -> dict:
    return {"command": sys.executable, "args": [str(SERVER), str(folder)]}


def test_a_servers_search_tool_is_used_and_a_failing_or_hanging_server_is_named(tmp_path):
    connections = mcp_connections(
        {
            "mcpServers": {
                "docs": server(folder_of_docs(tmp_path)),
                "missing": {"command": str(tmp_path / "no-such-server")},
                "hangs": {"command": sys.executable, "args": ["-c", "import time; time.sleep(120)"]},
            }
        }
    )
    started = time.monotonic()
    tools, notes = mcp_search_tools(connections, start_timeout_s=START_TIMEOUT_S)
    assert time.monotonic() - started < START_TIMEOUT_S + 20  # the hanging one does not hold the run
    assert [t.name for t in tools] == ["mcp:docs/search"]
    assert any("'missing' was skipped" in n and "No such file" in n for n in notes), notes
    assert any("'hangs' was skipped" in n and "did not list its tools" in n for n in notes), notes
    assert any("count_files" in n for n in notes), notes  # a tool that takes no query is left alone
    hits = tools[0].search("When did Constantinople fall after the siege?", 2)
    fall = next(h for h in hits if h.uri == "mcp-folder:fall.md")  # each hit read from the tool's content blocks
    assert fall.title == "Fall of Constantinople" and "29 May 1453" in fall.text and len(hits) == 2


def test_a_research_with_mcp_tools_cites_their_sources_with_stable_ids(tmp_path):
    """`research_context(tools=...)`, here through run_research, takes the MCP tools like any other tool."""
    tools, _ = mcp_search_tools(mcp_connections({"mcpServers": {"docs": server(folder_of_docs(tmp_path))}}))
    result = run_research(
        QUESTION, tmp_path / "run", policy=ScriptedPolicy(replies=scripted_replies()), tools=tools,
        budgets={"max_rounds": 1},
    )  # fmt: skip
    record = json.loads(result.run_json_path.read_text(encoding="utf-8"))
    assert record["sources"] and all(s["uri"].startswith("mcp-folder:") for s in record["sources"])
    assert all(s["id"] == stable_source_id(s["uri"]) for s in record["retrieved_sources"])
    assert {s["tool"] for s in record["retrieved_sources"]} == {"mcp:docs/search"}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "is not valid JSON (line 1"),
        ("[1, 2]", '"mcpServers"'),
        ('{"mcpServers": {}}', '"mcpServers"'),
        ('{"mcpServers": {"a": "python server.py"}}', "server 'a' must be an object"),
        ('{"mcpServers": {"a": {"args": ["x"]}}}', "needs exactly one of command (stdio) or url (HTTP)"),
        ('{"mcpServers": {"a": {"command": "x", "url": "http://127.0.0.1:1/mcp"}}}', "needs exactly one of"),
        ('{"mcpServers": {"a": {"command": "x", "args": "y"}}}', "args a list"),
        ('{"mcpServers": {"a": {"command": "x", "port": 3}}}', "unknown field(s) port"),
        ('{"mcpServers": {"a": {"url": "http://127.0.0.1:1/mcp", "transport": "carrier pigeon"}}}', "transport"),
    ],
)
def test_a_malformed_configuration_is_one_clear_error(tmp_path, content, message):
    path = tmp_path / "servers.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(UsageError) as caught:
        load_mcp_config(path)
    assert message in str(caught.value)


def test_the_cli_refuses_a_malformed_or_missing_configuration_before_any_model_loads(tmp_path):
    bad = tmp_path / "servers.json"
    bad.write_text('{"mcpServers": {"a": {}}}', encoding="utf-8")
    for path, message in ((bad, "needs exactly one of"), (tmp_path / "absent.json", "no MCP configuration at")):
        done = run_cli_here("run", "Why did Rome fall?", "--mcp", str(path), "--out", str(tmp_path / "r"), cwd=tmp_path)
        assert done.returncode == 2 and message in done.stderr, done.stderr
        assert "Traceback" not in done.stderr and not (tmp_path / "r").exists()
