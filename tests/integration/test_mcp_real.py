"""The real SmolLM2 researching through a real MCP server over stdio, through the CLI: `run --mcp FILE`.

The server is tests/mcp_folder_server.py (the `mcp` package's FastMCP) over the planted corpus, beside a
server whose command does not exist. The run must cite the MCP server's documents, with stable ids, and
say in "Scope and method" which server it skipped; the offline Wikipedia is searched too and knows
nothing of Kelmar, so nothing of it may be cited.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from stepresearch.state import stable_source_id

sys.path.insert(0, str(Path(__file__).parents[1]))
from planted import PLANTED, QUESTION  # noqa: E402

pytestmark = pytest.mark.integration

SERVER = Path(__file__).parents[1] / "mcp_folder_server.py"
SMALL = ("--max-rounds", "1", "--max-sub-questions", "2")


def test_a_run_cites_an_mcp_servers_documents_and_names_the_server_it_skipped(tmp_path):
    config = tmp_path / "servers.json"
    config.write_text(
        json.dumps(
            {
                "mcpServers": {
                    "planted": {"command": sys.executable, "args": [str(SERVER), str(PLANTED)]},
                    "gone": {"command": str(tmp_path / "not-installed")},
                }
            }  # fmt: skip
        ),
        encoding="utf-8",
    )
    out = tmp_path / "run"
    done = subprocess.run(
        [sys.executable, "-m", "stepresearch", "run", QUESTION, "--mcp", str(config), "--no-web", "--out", str(out),
         *SMALL],
        capture_output=True, text=True, timeout=900, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    record = json.loads((out / "run.json").read_text(encoding="utf-8"))
    report = (out / "report.md").read_text(encoding="utf-8")
    assert record["sources"], report
    assert all(s["uri"].startswith("mcp-folder:") for s in record["sources"]), record["sources"]
    mcp_sources = [s for s in record["retrieved_sources"] if s["uri"].startswith("mcp-folder:")]
    assert mcp_sources and all(s["id"] == stable_source_id(s["uri"]) for s in mcp_sources)
    method = report.split("## Scope and method", 1)[1].split("\n## ", 1)[0]
    assert "MCP server 'gone' was skipped" in method, method
    assert "Traceback" not in done.stderr
