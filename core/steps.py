"""One node body, two drivers: node code yields its I/O as requests, and a sync or an async driver answers them.

A node that calls the policy or a search tool is written once, as a
generator that yields `Ask`, `AskMany` or `Search` and receives the reply:

```python
@step_node
def plan(state, runtime):
    reply = yield Ask(runtime.context.policy, messages, node="plan", schema=PlanDraft)
    return {"sub_questions": ...}
```

`run_steps` answers the requests with blocking calls, for `graph.invoke` and
`graph.stream`; `arun_steps` awaits them, for `graph.ainvoke` and
`graph.astream`: the policy through its `ainvoke` (an `httpx.AsyncClient`
for a served policy), calls sent together through `asyncio.gather`, and
search tools through their `asearch` when they have one, so a timed-out
tool call is cancelled rather than left running on a thread. Between
requests, the node's own work (judging, ranking, rendering) is CPU-bound,
so the async driver runs it on a worker thread and the event loop stays
free for other researches. Nothing of the node's logic is written twice,
which is the point: the sync and async paths cannot drift apart.

This is the "sans-I/O" pattern of h11 and hyper: the logic never performs
I/O itself, so the caller chooses how to.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import threading
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Generic, Protocol, TypeVar

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.messages import BaseMessage
    from langchain_core.runnables import RunnableConfig
    from pydantic import BaseModel

    from stepresearch.tools import SearchHit, SearchTool

T = TypeVar("T")
R = TypeVar("R")


@dataclass(frozen=True)
class Ask:
    """One policy call (`policy_calls.ask`); the reply is a `PolicyReply`."""

    policy: BaseChatModel
    messages: list[BaseMessage]
    node: str
    schema: type[BaseModel] | None = None
    max_tokens: int = 256
    config: RunnableConfig | None = None

    def run(self) -> Any:
        from stepresearch.core.policy_calls import ask

        return ask(self.policy, self.messages, **self._options())

    async def arun(self) -> Any:
        from stepresearch.core.policy_calls import aask

        return await aask(self.policy, self.messages, **self._options())

    def _options(self) -> dict[str, Any]:
        return {"node": self.node, "schema": self.schema, "max_tokens": self.max_tokens, "config": self.config}


@dataclass(frozen=True)
class AskMany:
    """Independent policy calls sent together, so a server batches them over their shared prefix; the reply is
    a list of `PolicyReply`, in order."""

    policy: BaseChatModel
    prompts: list[list[BaseMessage]]
    node: str
    schema: type[BaseModel] | None = None
    max_tokens: int = 256
    config: RunnableConfig | None = None
    max_concurrency: int = 8

    def run(self) -> Any:
        from stepresearch.core.policy_calls import ask_many

        return ask_many(self.policy, self.prompts, **self._options())

    async def arun(self) -> Any:
        from stepresearch.core.policy_calls import aask_many

        return await aask_many(self.policy, self.prompts, **self._options())

    def _options(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "schema": self.schema,
            "max_tokens": self.max_tokens,
            "config": self.config,
            "max_concurrency": self.max_concurrency,
        }


@dataclass(frozen=True)
class Search:
    """One search-tool call, bounded by `timeout_s`; the reply is a list of `SearchHit`, or the tool's error is
    raised at the `yield`."""

    tool: SearchTool
    query: str
    k: int
    timeout_s: float

    def run(self) -> list[SearchHit]:
        return call_with_timeout(self.tool.search, (self.query, self.k), self.timeout_s)

    async def arun(self) -> list[SearchHit]:
        asearch = getattr(self.tool, "asearch", None)
        if callable(asearch):
            # An async tool is awaited on the loop, so a timeout cancels it: nothing keeps running behind it.
            call: Awaitable[list[SearchHit]] = asearch(self.query, self.k)
        else:
            call = asyncio.to_thread(self.tool.search, self.query, self.k)
        try:
            return await asyncio.wait_for(call, self.timeout_s)
        except asyncio.TimeoutError:
            raise TimeoutError(f"no answer within {self.timeout_s:g} s") from None


class Request(Protocol):
    """What steps yield: `Ask`, `AskMany` and `Search` here, or any object that can be run both ways."""

    def run(self) -> Any: ...

    async def arun(self) -> Any: ...


Steps = Generator[Request, Any, T]


def run_steps(steps: Steps[T]) -> T:
    """Drive a step generator with blocking calls; a failed request is raised inside it, where it can be caught."""
    send: Callable[[Any], Request] = steps.send
    value: Any = None
    while True:
        try:
            request = send(value)
        except StopIteration as stop:
            return stop.value
        try:
            value, send = request.run(), steps.send
        except Exception as exc:  # handed to the node, which decides whether it degrades or fails
            value, send = exc, steps.throw


async def arun_steps(steps: Steps[T], *, offload: bool = True) -> T:
    """Drive a step generator on the event loop: requests are awaited, and the work between them runs on a
    worker thread (`offload`), so a node's CPU-bound judging does not stall other researches on the loop."""
    send: Callable[[Any], Request] = steps.send
    value: Any = None
    while True:
        done, request = await asyncio.to_thread(_advance, send, value) if offload else _advance(send, value)
        if done:
            return request
        try:
            value, send = await request.arun(), steps.send
        except Exception as exc:
            value, send = exc, steps.throw


def _advance(send: Callable[[Any], Request], value: Any) -> tuple[bool, Any]:
    """One step, with the generator's return as a value: a StopIteration cannot cross a Future."""
    try:
        return False, send(value)
    except StopIteration as stop:
        return True, stop.value


def returning(value: T) -> Steps[T]:
    """Steps that ask for nothing: a ready value where steps are expected (a lexical judge's verdicts)."""
    return value
    yield  # unreachable; it makes this function a generator


def finished(steps: Steps[T]) -> T:
    """The result of steps that must not do I/O (a lexical judge's); raises if they ask for any."""
    try:
        request = next(steps)
    except StopIteration as stop:
        return stop.value
    steps.close()
    raise RuntimeError(f"these steps asked for I/O ({type(request).__name__}) where none was expected")


class StepNode(Generic[T]):
    """A node written as steps, callable as a plain function (sync driver) and with `acall` (async driver).

    Calling it as before, `plan(state, runtime)`, returns the node's update, so code that wraps or tests a
    node needs no driver of its own; `steps(state, runtime)` is the generator itself. `events` turns the
    node's update into the events it emits (pydantic models, written to the runtime's stream writer as
    JSON when the update is made), so each node declares what it tells a progress display.
    """

    def __init__(self, steps: Callable[..., Steps[T]], events: Callable[[T], list[Any]] | None = None) -> None:
        if not inspect.isgeneratorfunction(steps):
            raise TypeError(f"{steps!r} is not a generator function")
        self.steps = steps
        self.events = events
        functools.update_wrapper(self, steps)

    def __call__(self, *args: Any, **kwargs: Any) -> T:
        return self._announced(run_steps(self.steps(*args, **kwargs)), args, kwargs)

    async def acall(self, *args: Any, **kwargs: Any) -> T:
        return self._announced(await arun_steps(self.steps(*args, **kwargs)), args, kwargs)

    def _announced(self, update: T, args: tuple, kwargs: dict[str, Any]) -> T:
        """Emit the update's events on the runtime's stream writer (the node's second argument)."""
        runtime = args[1] if len(args) > 1 else kwargs.get("runtime")
        writer = getattr(runtime, "stream_writer", None)
        if self.events is not None and callable(writer):
            for event in self.events(update):
                writer(event.model_dump(mode="json"))
        return update


def step_node(steps: Callable[..., Steps[T]] | None = None, *, events: Callable[[T], list[Any]] | None = None) -> Any:
    """Decorate a generator-function node (see the module docstring): `@step_node`, or
    `@step_node(events=fn)` where `fn(update)` lists the events the node emits."""
    if steps is None:
        return lambda fn: StepNode(fn, events)
    return StepNode(steps, events)


def call_with_timeout(fn: Callable[..., R], args: tuple, timeout_s: float) -> R:
    """A blocking tool call bounded by `timeout_s`.

    A synchronous function cannot be cancelled, so the sync driver runs it on a daemon thread and abandons it
    past the timeout (it cannot keep the process alive). Under the async driver a tool with `asearch` is
    cancelled instead; see `Search.arun`.
    """
    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = fn(*args)
        except BaseException as exc:  # handed back to the caller below
            result["error"] = exc

    worker = threading.Thread(target=target, daemon=True, name="stepresearch-tool")
    worker.start()
    worker.join(timeout_s)
    if worker.is_alive():
        raise TimeoutError(f"no answer within {timeout_s:g} s")
    if "error" in result:
        raise result["error"]
    return result["value"]
