"""One way to call the policy, whatever chat model it is: for the nodes, the judge and the evaluation.

It asks for structured output in the form the policy understands, parses it
leniently, and reports token usage. A reply that does not parse is not an
error: the node gets `parsed=None` and falls back to its deterministic path,
because a 135M model will sometimes produce nothing usable.

It is core (it needs only langchain-core and the usage records), so the judge and the step drivers
(`steps.py`) ask the policy without reaching up into `serving`. `stepresearch.serving.calls` is the same
module under its older name.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Generic, TypeVar

import structlog
from langchain_core.callbacks import dispatch_custom_event
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel, ValidationError

from stepresearch.core.errors import PolicyError, StepResearchError
from stepresearch.core.usage import CallUsage, PromptRecord

log = structlog.get_logger(__name__)

T = TypeVar("T", bound=BaseModel)


# The custom callback event `ask` sends for a reply it could not use; graphs/instrument.py counts them per node.
UNUSABLE_REPLY = "stepresearch.unusable_reply"


def prompt_record(policy: BaseChatModel, node: str, messages: list[BaseMessage]) -> PromptRecord:
    """The prompt as the radix replay sees it: role-tagged text, tokenized when the policy can."""
    text = "".join(f"<|{m.type}|>\n{m.content}\n" for m in messages)
    tokenize = getattr(policy, "tokenize", None)
    if callable(tokenize):
        try:
            return PromptRecord(node=node, tokens=list(tokenize(text)))
        except Exception:  # a tokenizer that fails falls back to characters
            pass
    return PromptRecord(node=node, text=text)


class PolicyReply(BaseModel, Generic[T]):
    text: str
    parsed: T | None = None
    usage: CallUsage
    seconds: float


def ask(
    policy: BaseChatModel,
    messages: list[BaseMessage],
    *,
    node: str,
    schema: type[T] | None = None,
    max_tokens: int = 256,
    config: RunnableConfig | None = None,
) -> PolicyReply[T]:
    """Call the policy once; never raises on a malformed reply, raises PolicyError if the call fails."""
    started = time.perf_counter()
    with _policy_errors(node):
        message = policy.invoke(
            messages, config=_child_config(config), **_call_kwargs(policy, node, schema, max_tokens)
        )
    return _reply(message, node=node, schema=schema, started=started, config=config)


async def aask(
    policy: BaseChatModel,
    messages: list[BaseMessage],
    *,
    node: str,
    schema: type[T] | None = None,
    max_tokens: int = 256,
    config: RunnableConfig | None = None,
) -> PolicyReply[T]:
    """`ask` on the event loop: the policy's `ainvoke` (an AsyncClient for a served policy)."""
    started = time.perf_counter()
    with _policy_errors(node):
        kwargs = _call_kwargs(policy, node, schema, max_tokens)
        message = await policy.ainvoke(messages, config=_child_config(config), **kwargs)
    return _reply(message, node=node, schema=schema, started=started, config=config)


def ask_many(
    policy: BaseChatModel,
    prompts: list[list[BaseMessage]],
    *,
    node: str,
    schema: type[T] | None = None,
    max_tokens: int = 256,
    config: RunnableConfig | None = None,
    max_concurrency: int = 8,
) -> list[PolicyReply[T]]:
    """Independent calls sent together, so a server batches them over their shared prompt prefix.

    Each call is an `ask` in its own thread. The thread runs in a copy of the caller's context, so the
    calls stay children of the node's run and its callbacks (usage, prompts, streaming) see them. An
    in-process policy that serialises its calls simply takes them in turn.
    """
    if len(prompts) <= 1 or max_concurrency <= 1:
        return [ask(policy, p, node=node, schema=schema, max_tokens=max_tokens, config=config) for p in prompts]
    from concurrent.futures import ThreadPoolExecutor
    from contextvars import copy_context

    with ThreadPoolExecutor(max_workers=min(max_concurrency, len(prompts))) as pool:
        futures = [
            pool.submit(
                copy_context().run, ask, policy, p, node=node, schema=schema, max_tokens=max_tokens, config=config
            )
            for p in prompts
        ]
        return [f.result() for f in futures]


async def aask_many(
    policy: BaseChatModel,
    prompts: list[list[BaseMessage]],
    *,
    node: str,
    schema: type[T] | None = None,
    max_tokens: int = 256,
    config: RunnableConfig | None = None,
    max_concurrency: int = 8,
) -> list[PolicyReply[T]]:
    """`ask_many` on the event loop: at most `max_concurrency` calls in flight, no thread per call."""
    gate = asyncio.Semaphore(max(1, max_concurrency))

    async def one(messages: list[BaseMessage]) -> PolicyReply[T]:
        async with gate:
            return await aask(policy, messages, node=node, schema=schema, max_tokens=max_tokens, config=config)

    return list(await asyncio.gather(*(one(p) for p in prompts)))


def _call_kwargs(policy: BaseChatModel, node: str, schema: type[BaseModel] | None, max_tokens: int) -> dict[str, Any]:
    """Our policies take the token cap, the node (it decides whether a call may think) and the JSON schema."""
    kwargs: dict[str, Any] = {}
    if hasattr(policy, "structured_output_kwargs"):
        kwargs["max_tokens"] = max_tokens
        kwargs["_node"] = node
        if schema is not None:
            kwargs.update(policy.structured_output_kwargs(schema.model_json_schema()))
    return kwargs


@contextmanager
def _policy_errors(node: str) -> Iterator[None]:
    """Our own errors pass through; anything else from the policy becomes one PolicyError naming the node."""
    try:
        yield
    except StepResearchError:
        raise
    except Exception as exc:
        raise PolicyError(f"the policy call in node {node!r} failed: {type(exc).__name__}: {exc}") from exc


def _reply(
    message: Any, *, node: str, schema: type[T] | None, started: float, config: RunnableConfig | None
) -> PolicyReply[T]:
    text = _text_of(message)
    parsed = parse_json_reply(text, schema) if schema is not None else None
    usage = usage_of(message)
    if (schema is not None and parsed is None) or not text.strip():
        usage = usage.model_copy(update={"unusable": 1})
    seconds = round(time.perf_counter() - started, 3)
    if usage.unusable:
        _announce_unusable(node, config)
    log.info(
        "policy_call",
        node=node,
        prompt_tokens=usage.prompt_tokens,
        cached_tokens=usage.cached_tokens,
        completion_tokens=usage.completion_tokens,
        parsed=None if schema is None else parsed is not None,
        seconds=seconds,
    )
    return PolicyReply[T](text=text, parsed=parsed, usage=usage, seconds=seconds)


def _announce_unusable(node: str, config: RunnableConfig | None) -> None:
    """Tell the node's callbacks about a reply the node cannot use; outside a graph run there is no one to tell."""
    try:
        dispatch_custom_event(UNUSABLE_REPLY, {"node": node}, config=config)
    except RuntimeError:  # no parent run: `ask` was called outside a graph or chain
        pass


def parse_json_reply(text: str, schema: type[T]) -> T | None:
    """Validate the first JSON object in the reply; None if there is none that fits."""
    for candidate in _json_candidates(text):
        try:
            return schema.model_validate(candidate)
        except ValidationError:
            continue
    return None


def usage_of(message: Any) -> CallUsage:
    meta = getattr(message, "usage_metadata", None) or {}
    details = meta.get("input_token_details") or {}
    return CallUsage(
        calls=1,
        prompt_tokens=int(meta.get("input_tokens") or 0),
        completion_tokens=int(meta.get("output_tokens") or 0),
        cached_tokens=int(details.get("cache_read") or 0),
        cache_reports=1 if "cache_read" in details else 0,
    )


def _text_of(message: Any) -> str:
    if isinstance(message, AIMessage) or hasattr(message, "content"):
        content = message.content
        if isinstance(content, list):
            return "".join(part.get("text", "") if isinstance(part, dict) else str(part) for part in content)
        return str(content)
    return str(message)


def _json_candidates(text: str) -> list[Any]:
    text = text.strip()
    out: list[Any] = []
    try:
        out.append(json.loads(text))
    except json.JSONDecodeError:
        pass
    for match in re.finditer(r"\{.*\}", text, flags=re.DOTALL):
        try:
            out.append(json.loads(match.group(0)))
        except json.JSONDecodeError:
            continue
    return out


def _child_config(config: RunnableConfig | None) -> RunnableConfig | None:
    """Pass callbacks and tags on, but not our context object, to the chat model."""
    if config is None:
        return None
    return {k: v for k, v in config.items() if k != "configurable"}  # type: ignore[return-value]
