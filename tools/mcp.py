"""Search tools from MCP servers, through `langchain-mcp-adapters`.

`--mcp servers.json` takes the configuration shape MCP clients share:

    {"mcpServers": {
        "notes": {"command": "python", "args": ["notes_server.py", "~/notes"], "env": {"TOKEN": "..."}},
        "intranet": {"url": "http://127.0.0.1:8931/mcp", "headers": {"Authorization": "Bearer ..."}}}}

`command` (with `args`, `env`, `cwd`) starts a server over stdio; `url` reaches one over streamable HTTP
(`"transport": "sse"` for an older server). Of each server's tools, those that take a `query` string are
search tools (a `k` argument, when there is one, gets the number of hits); the others are left alone and
named in the notes. A hit is read as any tool's is (`tools.base`): a dict (or a JSON text) with a title,
a uri and a text, so its source gets a stable id from its uri like any other.

A server that fails to start, or does not list its tools within `MCP_START_TIMEOUT_S`, is named in the
notes (the report's "Scope and method") and the run goes on without it; one that dies or hangs later
fails that search, which the search node records the same way.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from stepresearch.core.errors import UsageError

from .base import CallableSearchTool

MCP_START_TIMEOUT_S = 30.0  # a stdio server is a process start and an import; 30 s covers a cold one on 2 cores
INSTALL_HINT = "MCP tools need langchain-mcp-adapters: pip install 'stepresearch[mcp]'"
_CONNECTION_KEYS = {"command", "args", "env", "cwd", "url", "headers", "transport", "timeout"}


def load_mcp_config(path: str | Path) -> dict[str, dict[str, Any]]:
    """The servers of an MCP client configuration file, as langchain-mcp-adapters connections; one clear
    `UsageError` for a file that is missing, not JSON, or not that shape."""
    path = Path(path).expanduser()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(f"no MCP configuration at {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read the MCP configuration {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON (line {exc.lineno}: {exc.msg})") from None
    return mcp_connections(raw, str(path))


def mcp_connections(raw: Any, where: str = "the MCP configuration") -> dict[str, dict[str, Any]]:
    """`{"mcpServers": {name: {...}}}` (or the inner mapping alone) as adapter connections, checked."""
    servers = raw.get("mcpServers", raw) if isinstance(raw, dict) else None
    if not isinstance(servers, dict) or not servers:
        raise UsageError(f'{where} must hold {{"mcpServers": {{"name": {{"command": ...}} or {{"url": ...}}}}}}')
    connections: dict[str, dict[str, Any]] = {}
    for name, entry in servers.items():
        if not isinstance(entry, dict):
            raise UsageError(f"{where}: server {name!r} must be an object with a command or a url")
        unknown = set(entry) - _CONNECTION_KEYS
        if unknown:
            raise UsageError(f"{where}: server {name!r} has unknown field(s) {', '.join(sorted(unknown))}")
        if ("command" in entry) == ("url" in entry):
            raise UsageError(f"{where}: server {name!r} needs exactly one of command (stdio) or url (HTTP)")
        if "command" in entry:
            args = entry.get("args", [])
            if not isinstance(entry["command"], str) or not isinstance(args, list):
                raise UsageError(f"{where}: server {name!r}: command must be a string and args a list")
            connection = {"transport": "stdio", "command": entry["command"], "args": [str(a) for a in args]}
            for key in ("env", "cwd"):
                if key in entry:
                    connection[key] = entry[key]
        else:
            transport = entry.get("transport", "streamable_http")
            if transport not in ("streamable_http", "sse"):
                raise UsageError(f"{where}: server {name!r}: transport must be streamable_http or sse")
            connection = {"transport": transport, "url": str(entry["url"])}
            if "headers" in entry:
                connection["headers"] = entry["headers"]
        connections[str(name)] = connection
    return connections


def mcp_search_tools(
    connections: dict[str, dict[str, Any]], start_timeout_s: float = MCP_START_TIMEOUT_S
) -> tuple[list[CallableSearchTool], list[str]]:
    """Every search tool the servers offer, and a note for each server or tool left out."""
    return asyncio.run(amcp_search_tools(connections, start_timeout_s))


async def amcp_search_tools(
    connections: dict[str, dict[str, Any]], start_timeout_s: float = MCP_START_TIMEOUT_S
) -> tuple[list[CallableSearchTool], list[str]]:
    try:
        from langchain_mcp_adapters.client import MultiServerMCPClient
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    client = MultiServerMCPClient(connections)
    listed = await asyncio.gather(
        *(_listed(client, name, start_timeout_s) for name in connections), return_exceptions=False
    )
    tools: list[CallableSearchTool] = []
    notes: list[str] = []
    for name, (found, problem) in zip(connections, listed):
        if problem:
            notes.append(f"MCP server {name!r} was skipped: {problem}")
            continue
        searches = [t for t in found if _is_search(t)]
        others = sorted(t.name for t in found if not _is_search(t))
        if others:
            notes.append(f"MCP server {name!r}: tools that take no query were not used ({', '.join(others)})")
        if not searches:
            notes.append(f"MCP server {name!r} offers no search tool (one that takes a query)")
        tools += [CallableSearchTool(f"mcp:{name}/{t.name}", t) for t in searches]  # async only: tools.base runs it
    return tools, notes


async def _listed(client: Any, name: str, timeout_s: float) -> tuple[list[Any], str]:
    try:
        return await asyncio.wait_for(client.get_tools(server_name=name), timeout_s), ""
    except asyncio.TimeoutError:
        return [], f"it did not list its tools within {timeout_s:g} s"
    except Exception as exc:  # a server that cannot start: a missing command, a crash, a refused connection
        return [], _reason(exc)


def _reason(exc: BaseException) -> str:
    """The innermost error of an exception group, in one line."""
    while getattr(exc, "exceptions", None):  # an ExceptionGroup from the client's task group
        exc = exc.exceptions[0]
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def _is_search(tool: Any) -> bool:
    schema = getattr(tool, "args", None) or {}
    return isinstance(schema.get("query"), dict) and schema["query"].get("type", "string") == "string"
