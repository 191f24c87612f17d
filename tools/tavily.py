"""Tavily web search, used when `TAVILY_API_KEY` is set.

Failures (timeout, quota, bad key) raise `SearchError`; the search node turns
that into a note in the run and carries on with the other tools. Under
`ainvoke` the search is `asearch`, on Tavily's async client: a search past the
node's timeout is cancelled and its connection closed, with no thread behind it.
"""

from __future__ import annotations

import os
from urllib.parse import urlparse

from stepresearch.core.errors import SearchError

from .base import SearchHit

ENV_KEY = "TAVILY_API_KEY"
MAX_QUERY_CHARS = 400  # Tavily refuses longer queries


class TavilySearchTool:
    name = "tavily"

    def __init__(self, api_key: str, timeout_s: float = 20.0, *, api_base_url: str | None = None) -> None:
        from tavily import TavilyClient  # imported lazily: only web runs need it

        self._api_key = api_key
        self._api_base_url = api_base_url
        self._client = TavilyClient(api_key=api_key, api_base_url=api_base_url)
        self._timeout_s = timeout_s

    @classmethod
    def from_env(cls) -> TavilySearchTool | None:
        key = os.environ.get(ENV_KEY, "").strip()
        return cls(key) if key else None

    def search(self, query: str, k: int) -> list[SearchHit]:
        try:
            response = self._client.search(query[:MAX_QUERY_CHARS], max_results=k, timeout=self._timeout_s)
        except Exception as exc:  # tavily raises its own classes and requests' errors
            raise SearchError(f"tavily search failed: {type(exc).__name__}: {exc}") from exc
        return hits_of(response)

    async def asearch(self, query: str, k: int) -> list[SearchHit]:
        from tavily import AsyncTavilyClient

        # A client per search: an httpx.AsyncClient belongs to the event loop that opened it, and a research
        # graph may be driven from more than one loop over its life. Leaving the block closes the connection,
        # also when the search is cancelled.
        async with AsyncTavilyClient(api_key=self._api_key, api_base_url=self._api_base_url) as client:
            try:
                response = await client.search(query[:MAX_QUERY_CHARS], max_results=k, timeout=self._timeout_s)
            except Exception as exc:
                raise SearchError(f"tavily search failed: {type(exc).__name__}: {exc}") from exc
        return hits_of(response)


def hits_of(response: dict) -> list[SearchHit]:
    """Tavily's results as hits, keyed for independence by their site."""
    hits = []
    for item in response.get("results", []):
        url = str(item.get("url") or "")
        if not url:
            continue
        hits.append(
            SearchHit(
                title=str(item.get("title") or url),
                uri=url,
                text=str(item.get("raw_content") or item.get("content") or ""),
                score=float(item.get("score") or 0.0),
                origin=urlparse(url).netloc.lower().removeprefix("www."),
            )
        )
    return hits
