"""An example app: a small Starlette service that researches questions side by side.

    python examples/research_app.py --port 8000        # binds 127.0.0.1 only

- `POST /research` with `{"question": "...", "interactive": true}` starts a research and returns its id.
- `GET /research/{id}/events` streams its typed events (`stepresearch.app.events`) as server-sent events,
  tokens included, and ends with a `done` event that carries the verified report.
- `POST /research/{id}/answer` with `{"answer": "..."}` answers the clarifying question; an interactive
  research waits for it after its `clarification_asked` event.
- `{"review": ["plan", "sources"]}` in the start request makes a person review the plan (and `rounds`, each
  follow-up round's) and the sources: the research waits after a `review_asked` event, whose `request` is
  the plan or the sources, for `POST /research/{id}/review` with the reply (`{"drop": ["r1q2"]}`,
  `{"strike": ["src-..."]}`, `{"approve": true}`; see `stepresearch.nodes.plan_review`, `sources_review`).

Every research runs on the one event loop (`graph.astream`) against one compiled graph and one
context: the policy is the embedded SmolLM2, or a served one with `STEPRESEARCH_BASE_URL`
(`stepresearch.graphs.server.context_from_environment`). Nothing is kept after the process ends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import uuid
from dataclasses import dataclass, field, replace
from typing import Any

import uvicorn
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command
from sse_starlette.sse import EventSourceResponse
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from stepresearch import build_graph
from stepresearch.app.events import STREAM_MODES, ClarificationAsked, ReviewAsked, events_of
from stepresearch.app.runner import check_question
from stepresearch.graphs.checkpoints import serializer
from stepresearch.graphs.server import context_from_environment
from stepresearch.nodes.context import REVIEW_KINDS


@dataclass
class Research:
    """One research: its events so far (a late listener replays them) and the person's answer or review reply,
    when it waits for one (`waiting` says which)."""

    id: str
    events: list[dict[str, Any]] = field(default_factory=list)
    changed: asyncio.Condition = field(default_factory=asyncio.Condition)
    answer: asyncio.Future | None = None
    waiting: str = ""  # "answer" or "review"
    done: bool = False

    async def publish(self, event: dict[str, Any] | None = None, *, done: bool = False) -> None:
        async with self.changed:
            if event is not None:
                self.events.append(event)
            self.done = self.done or done
            self.changed.notify_all()


def make_app(context: Any = None) -> Starlette:
    """The app, with its researches held in the app's own state (no module-level globals)."""
    graph = build_graph(checkpointer=InMemorySaver(serde=serializer()))  # knows our state types by name
    researches: dict[str, Research] = {}
    context = context or context_from_environment(os.environ)
    tasks: set[asyncio.Task] = set()

    async def run(research: Research, question: str, interactive: bool, review: frozenset[str]) -> None:
        config = {"configurable": {"thread_id": research.id}}
        ctx = replace(context, interactive=interactive, review=review)
        graph_input: Any = {"question": question}
        try:
            while True:
                asked = None
                modes = [*STREAM_MODES, "messages"]
                async for mode, chunk in graph.astream(graph_input, config, context=ctx, stream_mode=modes):
                    for event in events_of(mode, chunk):
                        if isinstance(event, ClarificationAsked | ReviewAsked):
                            # Ready for the reply before anyone hears the question, so a quick one is never refused.
                            asked = event
                            research.waiting = "review" if isinstance(event, ReviewAsked) else "answer"
                            research.answer = asyncio.get_running_loop().create_future()
                        await research.publish(json.loads(event.model_dump_json()))
                if asked is None:
                    break
                reply = await research.answer
                graph_input = Command(resume=reply if research.waiting == "review" else {"answer": reply})
            state = (await graph.aget_state(config)).values
            await research.publish({"kind": "done", "report": state["report"].markdown})
        except Exception as exc:  # the listener gets one error event, not a dropped stream
            await research.publish({"kind": "error", "message": f"{type(exc).__name__}: {exc}"})
        finally:
            await research.publish(done=True)

    async def start(request: Request) -> JSONResponse:
        try:
            body = await request.json()
            question = check_question(str(body.get("question", "")))
        except Exception as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        review = frozenset(body.get("review") or ())
        unknown = sorted(review - set(REVIEW_KINDS))
        if unknown:
            return JSONResponse({"error": f"unknown review {', '.join(unknown)}"}, status_code=400)
        research = Research(id=uuid.uuid4().hex[:12])
        researches[research.id] = research
        task = asyncio.create_task(run(research, question, bool(body.get("interactive")), review))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
        return JSONResponse({"id": research.id}, status_code=202)

    async def events(request: Request) -> Any:
        research = researches.get(request.path_params["id"])
        if research is None:
            return JSONResponse({"error": "no such research"}, status_code=404)

        async def stream():
            sent = 0
            while True:
                async with research.changed:
                    await research.changed.wait_for(lambda seen=sent: seen < len(research.events) or research.done)
                    fresh, finished = research.events[sent:], research.done
                for event in fresh:
                    yield {"event": event["kind"], "data": json.dumps(event)}
                sent += len(fresh)
                if finished and sent == len(research.events):
                    return

        return EventSourceResponse(stream())

    def waiting_for(request: Request, what: str) -> Research | JSONResponse:
        """The research the request names if it waits for `what` ("answer" or "review"), else the error."""
        research = researches.get(request.path_params["id"])
        if research is None:
            return JSONResponse({"error": "no such research"}, status_code=404)
        if research.answer is None or research.answer.done() or research.waiting != what:
            return JSONResponse({"error": f"this research is not waiting for a{'n' if what == 'answer' else ''} {what}"},
                                status_code=409)  # fmt: skip
        return research

    async def answer(request: Request) -> JSONResponse:
        research = waiting_for(request, "answer")
        if isinstance(research, JSONResponse):
            return research
        body = await request.json()
        research.answer.set_result(str(body.get("answer", "")))
        return JSONResponse({"ok": True})

    async def review(request: Request) -> JSONResponse:
        research = waiting_for(request, "review")
        if isinstance(research, JSONResponse):
            return research
        try:
            reply = await request.json()
        except json.JSONDecodeError:
            return JSONResponse({"error": "the review reply must be JSON"}, status_code=400)
        research.answer.set_result(reply)  # the node refuses an unusable one and asks again (a new review_asked)
        return JSONResponse({"ok": True})

    return Starlette(
        routes=[
            Route("/research", start, methods=["POST"]),
            Route("/research/{id}/events", events),
            Route("/research/{id}/answer", answer, methods=["POST"]),
            Route("/research/{id}/review", review, methods=["POST"]),
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    uvicorn.run(make_app(), host="127.0.0.1", port=args.port, log_level="warning")


if __name__ == "__main__":
    main()
