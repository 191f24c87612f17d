"""The small protocol every search tool speaks, and adapters for the tools users already have.

A tool is anything with a `name` and `search(query, k) -> list[SearchHit]`;
one that also has `async asearch(query, k)` is awaited under `ainvoke`, and
cancelled at the node's timeout. LangChain `BaseTool`s and plain callables
(sync or `async def`) are wrapped by `as_search_tool`, so a user can register
their own search without subclassing anything of ours.
"""

from __future__ import annotations

import asyncio
import hashlib
import inspect
import json
from collections.abc import Callable
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field


class SearchHit(BaseModel):
    """One document returned for one query."""

    title: str
    uri: str
    text: str
    score: float = 0.0
    origin: str = Field(default="", description="Independence key; defaults to the uri's document.")


@runtime_checkable
class SearchTool(Protocol):
    name: str

    def search(self, query: str, k: int) -> list[SearchHit]: ...


class CallableSearchTool:
    """Wraps `fn(query, k)` or a LangChain tool that returns hits as dicts, models or JSON."""

    def __init__(self, name: str, fn: Callable[..., Any]) -> None:
        self.name = name
        self._fn = fn

    def search(self, query: str, k: int) -> list[SearchHit]:
        if hasattr(self._fn, "invoke") and _async_only(self._fn):
            raw = asyncio.run(self._fn.ainvoke(self._tool_input(query, k)))  # e.g. an MCP tool; on a worker thread
        elif hasattr(self._fn, "invoke"):
            raw = self._fn.invoke(self._tool_input(query, k))
        elif inspect.iscoroutinefunction(self._fn):
            raw = asyncio.run(self._fn(query, k))  # the sync driver calls tools on a thread of their own
        else:
            raw = self._fn(query, k)
        return [_to_hit(item) for item in _as_list(raw)][:k]

    async def asearch(self, query: str, k: int) -> list[SearchHit]:
        """Awaited where the tool is async (a LangChain tool's `ainvoke`, an `async def`), so it can be cancelled;
        a sync function goes to a worker thread."""
        if hasattr(self._fn, "ainvoke"):
            raw = await self._fn.ainvoke(self._tool_input(query, k))
        elif inspect.iscoroutinefunction(self._fn):
            raw = await self._fn(query, k)
        else:
            return await asyncio.to_thread(self.search, query, k)
        return [_to_hit(item) for item in _as_list(raw)][:k]

    def _tool_input(self, query: str, k: int) -> Any:
        return {"query": query, "k": k} if _takes_k(self._fn) else query


class Toolset(list):
    """Search tools, with the notes that setting them up made (an MCP server that did not start): a run
    records these with each tool's own `notes` in the report's "Scope and method" and run.json."""

    def __init__(self, tools: list[Any] = (), notes: list[str] = ()) -> None:
        super().__init__(tools)
        self.notes = list(notes)


def as_search_tool(tool: Any, name: str | None = None) -> SearchTool:
    """Accept our protocol, a LangChain BaseTool, or a plain callable."""
    if isinstance(tool, SearchTool):
        return tool
    if hasattr(tool, "invoke") or callable(tool):
        label = name or getattr(tool, "name", None) or getattr(tool, "__name__", "custom")
        return CallableSearchTool(str(label), tool)
    raise TypeError(f"not a search tool: {tool!r} (needs .search(query, k), .invoke(query) or to be callable)")


# A content block of an MCP tool's result, as langchain-mcp-adapters passes it on: {"type": "text", "text": ...}.
_CONTENT_BLOCK_KEYS = {"type", "text", "id", "annotations", "meta"}


def _async_only(tool: Any) -> bool:
    """A LangChain StructuredTool made from a coroutine alone (MCP tools are): its sync `invoke` refuses."""
    return getattr(tool, "coroutine", None) is not None and getattr(tool, "func", None) is None


def _takes_k(tool: Any) -> bool:
    schema = getattr(tool, "args", None) or {}
    return "k" in schema and "query" in schema


def _as_list(raw: Any) -> list[Any]:
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except json.JSONDecodeError:
            return [{"title": "result", "text": raw}]
    if isinstance(raw, dict):
        raw = raw.get("results", [raw])
    out: list[Any] = []
    for item in raw or []:
        if isinstance(item, dict) and item.get("type") == "text" and set(item) <= _CONTENT_BLOCK_KEYS:
            out += _as_list(item.get("text", ""))  # an MCP tool's text content block: each holds a hit, or all
        else:
            out.append(item)
    return out


def _to_hit(item: Any) -> SearchHit:
    if isinstance(item, SearchHit):
        return item
    if isinstance(item, BaseModel):
        item = item.model_dump()
    if not isinstance(item, dict):
        raise TypeError(f"a search tool returned {type(item).__name__}; expected a dict with title, uri and text")
    text = item.get("text") or item.get("content") or item.get("page_content") or ""
    uri = (
        item.get("uri")
        or item.get("url")
        or item.get("source")
        or "text:" + hashlib.sha1(str(text).encode()).hexdigest()[:12]
    )
    return SearchHit(
        title=str(item.get("title") or uri),
        uri=str(uri),
        text=str(text),
        score=float(item.get("score") or 0.0),
        origin=str(item.get("origin") or ""),
    )
