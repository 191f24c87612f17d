"""The Tavily tool's async search against a loopback stand-in for Tavily's API (no internet): results are
read, and a search past the timeout is cancelled with its connection closed."""

from __future__ import annotations

import asyncio
import json

import pytest

from stepresearch.core.errors import SearchError
from stepresearch.core.steps import Search, arun_steps
from stepresearch.tools.tavily import TavilySearchTool

RESULTS = {
    "results": [
        {"url": "https://www.example.org/a", "title": "A", "content": "Alpha text.", "score": 0.9},
        {"url": "", "title": "no url", "content": "dropped"},
        {"url": "https://news.example.com/b", "title": "B", "raw_content": "Beta raw.", "score": 0.5},
    ]
}


class FakeTavily:
    """A loopback HTTP server that answers POST /search with RESULTS, or never answers (`hang`)."""

    def __init__(self, *, hang: bool = False, status: int = 200) -> None:
        self.hang = hang
        self.status = status
        self.bodies: list[dict] = []
        self.closed_by_client = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")
        )
        self.bodies.append(json.loads(await reader.readexactly(length)))
        if self.hang:
            if await reader.read() == b"":  # the client closed the connection
                self.closed_by_client.set()
            return
        body = json.dumps(RESULTS if self.status == 200 else {"detail": {"error": "bad key"}}).encode()
        reason = b"OK" if self.status == 200 else b"Unauthorized"
        writer.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % (self.status, reason, len(body))
            + body
        )
        await writer.drain()
        writer.close()


async def serving(fake: FakeTavily, work):
    server = await asyncio.start_server(fake.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        return await work(TavilySearchTool("tvly-test", api_base_url=f"http://127.0.0.1:{port}"))
    finally:
        server.close()


def test_async_search_reads_tavily_results():
    fake = FakeTavily()
    hits = asyncio.run(serving(fake, lambda tool: tool.asearch("byzantine empire " * 100, 5)))
    assert [(h.title, h.uri, h.text, h.origin) for h in hits] == [
        ("A", "https://www.example.org/a", "Alpha text.", "example.org"),
        ("B", "https://news.example.com/b", "Beta raw.", "news.example.com"),
    ]
    assert fake.bodies[0]["max_results"] == 5 and len(fake.bodies[0]["query"]) == 400


def test_a_refused_async_search_is_a_search_error():
    fake = FakeTavily(status=401)
    with pytest.raises(SearchError, match="tavily search failed"):
        asyncio.run(serving(fake, lambda tool: tool.asearch("q", 3)))


def test_an_async_search_past_its_timeout_is_cancelled_and_its_connection_closed():
    fake = FakeTavily(hang=True)

    async def work(tool: TavilySearchTool) -> bool:
        steps = _one_search(tool)
        outcome = await arun_steps(steps)
        await asyncio.wait_for(fake.closed_by_client.wait(), 5)
        return outcome

    assert asyncio.run(serving(fake, work)) == "TimeoutError: no answer within 0.3 s"
    assert fake.closed_by_client.is_set()


def _one_search(tool: TavilySearchTool):
    try:
        yield Search(tool, "q", 3, 0.3)
    except TimeoutError as exc:
        return f"TimeoutError: {exc}"
    return "answered"
