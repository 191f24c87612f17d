"""A loopback OpenAI-compatible server that answers every request after a fixed latency, N at a time.

    python -m stepresearch.benchmarks.latency_server --port P [--latency-s 0.2] [--slots 8]

It stands in for a batching server whose time per request does not grow with the batch, to measure how
much a research gains from sending independent calls together. Its replies are fixed, so it measures
latency-bound concurrency, NOT model quality. It binds to 127.0.0.1 only, and runs in its own process
so that its work does not share the client's interpreter lock.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys

FIXED_JSON = {"verdict": "neutral", "disagree": False}
FIXED_TEXT = "No further facts."


def app(latency_s: float, slots: int):  # noqa: ANN201 (starlette is imported here, with the server)
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    gate = asyncio.Semaphore(slots)

    async def models(request: Request) -> JSONResponse:
        return JSONResponse({"object": "list", "data": [{"id": "latency", "owned_by": "latency-bench"}]})

    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        async with gate:
            await asyncio.sleep(latency_s)
        content = json.dumps(FIXED_JSON) if "response_format" in body else FIXED_TEXT
        return JSONResponse(
            {
                "id": "latency", "object": "chat.completion", "model": "latency",
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15},
            }
        )  # fmt: skip

    return Starlette(routes=[Route("/v1/models", models), Route("/v1/chat/completions", chat, methods=["POST"])])


def main() -> int:
    import uvicorn

    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--latency-s", type=float, default=0.2)
    parser.add_argument("--slots", type=int, default=8)
    args = parser.parse_args()
    uvicorn.run(app(args.latency_s, args.slots), host="127.0.0.1", port=args.port, log_level="error")
    return 0


if __name__ == "__main__":
    sys.exit(main())
