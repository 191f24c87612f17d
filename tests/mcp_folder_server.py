"""A small real MCP server over stdio, for the tests: it searches the text files of one folder.

Written with the `mcp` package's FastMCP, as a user's own server would be. `search(query, k)` returns the
files that share the most words with the query, each as {title, uri, text}. Run it as
`python tests/mcp_folder_server.py FOLDER`. It also has a tool that is not a search (`count_files`), which
the engine must leave alone.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mcp.server.fastmcp import FastMCP

FOLDER = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else Path.cwd()
server = FastMCP("folder-search", log_level="WARNING")


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


@server.tool()
def search(query: str, k: int = 5) -> list[dict]:
    """Search the folder's text files for the query; the best matches first."""
    wanted = _words(query)
    scored = []
    for path in sorted(FOLDER.rglob("*")):
        if path.suffix not in (".md", ".txt") or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8")
        shared = len(wanted & _words(text))
        if shared:
            title = text.splitlines()[0].lstrip("# ").strip() or path.stem
            scored.append((-shared, str(path), {"title": title, "uri": f"mcp-folder:{path.name}", "text": text}))
    return [hit for _, _, hit in sorted(scored)[:k]]


@server.tool()
def count_files() -> int:
    """How many files the folder holds."""
    return sum(1 for p in FOLDER.rglob("*") if p.is_file())


if __name__ == "__main__":
    server.run()  # stdio
