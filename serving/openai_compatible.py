"""A policy behind any OpenAI-compatible endpoint: SGLang, vLLM, llama.cpp's servers, or a hosted API.

Structured output goes through `response_format`. SGLang, vLLM and
llama-server take `{"type": "json_schema", ...}`; llama-cpp-python's server
takes only `{"type": "json_object", "schema": ...}`. `structured="auto"` picks
by the server's self-description (`owned_by` in `/v1/models`). It falls back
to `json_object` only when a server's error names `response_format` or the
schema, and never for SGLang, which ignores `json_object`'s schema: there the
fallback would drop the constraint and gain nothing.

A prompt longer than the model's context is a `ContextOverflowError`, not a
reason to change the request format.

Thinking models: with `thinking="off"` (the default) SGLang and vLLM get
`chat_template_kwargs` that turn thinking off, because every node asks for a
short JSON reply and SGLang enforces the schema only after the thinking ends.
A model that thinks anyway (a thinking-only model) gets `THINKING_TOKENS` more
per call from then on, and the call that ran out is asked once more. With
`thinking="on"`, the nodes in `THINKING_NODES` think with that budget. The
reasoning text (`reasoning_content`, or a leading `<think>` block when the
server has no reasoning parser) never reaches a node.

Cached prompt tokens come from `usage.prompt_tokens_details.cached_tokens`.
SGLang sends them only when started with `--enable-cache-report`, which the
client reads from `/server_info`; with it on, a missing field is 0 (SGLang
0.4.9-0.5.21 leave it out at 0; 0.4.6 and 0.5.22+ always send it). Without
`/server_info`, the first reply that carries the field shows the server
reports; a server that never does keeps `server_cached_tokens` null.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import httpx
import structlog
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field, PrivateAttr

from stepresearch.core.errors import ContextOverflowError, PolicyError, UsageError

from .messages import reply_message, to_openai_messages, token_chunk
from .model_families import THINKING_OFF_KWARGS
from .server_probe import DEFAULT_WAIT_S, ServerFacts, probe, tokenize_request, wait_until_ready

log = structlog.get_logger(__name__)

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
StructuredMode = Literal["auto", "json_schema", "json_object"]
ThinkingMode = Literal["off", "on"]

# Extra completion tokens for a call that thinks. Qwen3 and R1 traces for a short extraction task run a few
# hundred to about 1,500 tokens; a budget below that ends the call mid-thought with empty content.
THINKING_TOKENS = 2048
# With thinking="on", the nodes whose reply steers the whole run (what to search, whether to go on) think;
# the others extract or judge sentences that deterministic checks then guard, where thinking adds cost only.
THINKING_NODES = frozenset({"plan", "reflect"})
# Servers that take `chat_template_kwargs` in a chat request; others (hosted APIs, llama-cpp-python) may reject it.
TEMPLATE_KWARGS_KINDS = {"sglang", "vllm"}
# Error text that means "the prompt does not fit": SGLang ("longer than the model's context length",
# "exceeds the model's maximum context length"), vLLM ("maximum context length"), llama.cpp ("context window").
CONTEXT_OVERFLOW = re.compile(r"context length|context window|maximum context|context size", re.IGNORECASE)
# Error text that blames the structured-output request itself.
FORMAT_BLAMED = re.compile(r"response_format|json_schema|\bschema\b", re.IGNORECASE)
# llama-cpp-python's server answers a request it cannot validate (FastAPI's RequestValidationError, e.g. a
# `json_schema` response_format, which it does not take) with HTTP 500 and "N validation error(s): ..."
# (llama_cpp/server/errors.py, custom_route_handler). That is a refusal, not a fault: never retried.
VALIDATION_REFUSAL = re.compile(r"\bvalidation errors?\b", re.IGNORECASE)
THINK_BLOCK = re.compile(r"^\s*<think>.*?(</think>\s*|$)", re.DOTALL)


class OpenAICompatibleChatModel(BaseChatModel):
    """Chat completions over HTTP with timeouts, retries with backoff, and cache accounting."""

    base_url: str = Field(description="Up to and including /v1, e.g. http://127.0.0.1:30000/v1")
    model: str = Field(default="", description="Model name; empty means the first one the server lists.")
    api_key: str | None = None
    timeout_s: float = 120.0
    connect_timeout_s: float = 5.0
    max_retries: int = 4
    backoff_s: float = 0.5
    max_backoff_s: float = 8.0
    temperature: float = 0.0
    max_tokens: int = 256
    structured: StructuredMode = "auto"
    thinking: ThinkingMode = "off"

    _client: httpx.Client = PrivateAttr()
    _mode: str | None = PrivateAttr(default=None)
    _reports_cache: bool = PrivateAttr(default=False)
    _thinks_anyway: bool = PrivateAttr(default=False)
    _facts: ServerFacts | None = PrivateAttr(default=None)
    _aclient: httpx.AsyncClient | None = PrivateAttr(default=None)
    _aloop: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    def model_post_init(self, __context: Any) -> None:
        self.base_url = self.base_url.rstrip("/")
        headers = {"Authorization": f"Bearer {self.api_key}"} if self.api_key else {}
        self._client = httpx.Client(
            base_url=self.base_url,
            headers=headers,
            timeout=httpx.Timeout(self.timeout_s, connect=self.connect_timeout_s),
        )
        if self.structured != "auto":
            self._mode = self.structured

    @classmethod
    def from_env(
        cls, base_url: str, model: str = "", api_key_env: str | None = None, **kwargs: Any
    ) -> OpenAICompatibleChatModel:
        api_key = None
        if api_key_env:
            api_key = os.environ.get(api_key_env)
            if not api_key:
                raise UsageError(f"--api-key-env names {api_key_env}, but that environment variable is not set")
        return cls(base_url=base_url, model=model, api_key=api_key, **kwargs)

    @property
    def _llm_type(self) -> str:
        return "stepresearch-openai-compatible"

    @property
    def reports_cache(self) -> bool:
        """True once the server is known to report cached tokens (from /server_info or a reply)."""
        return self._reports_cache

    @property
    def server(self) -> ServerFacts | None:
        """What `check_health` learnt about the server: its kind, context length, cache report, tokenizer."""
        return self._facts

    @property
    def context_tokens(self) -> int | None:
        """The served model's context length, as the server reports it (None when it does not)."""
        return self._facts.max_model_len if self._facts else None

    def check_health(
        self, wait_s: float = DEFAULT_WAIT_S, on_wait: Callable[[str, float], None] | None = None
    ) -> dict[str, Any]:
        """Wait until the server is ready (up to `wait_s`), then learn what it is. UsageError if it never is."""
        started = time.monotonic()
        cards = wait_until_ready(self._client, self.base_url, wait_s, on_wait=on_wait)
        if not self.model:
            if not cards:
                raise UsageError(f"the server at {self.base_url} lists no models; pass --model NAME")
            self.model = str(cards[0].get("id", ""))
        self._facts = probe(self._client, self.base_url, cards, self.model, time.monotonic() - started)
        if self._facts.cache_report:
            self._reports_cache = True
        if self._mode is None:
            self._mode = "json_object" if self._facts.kind == "llama-cpp-python" else "json_schema"
        log.info("policy_server_ok", structured=self._mode, **self._facts.model_dump(exclude={"base_url"}))
        if self._facts.kind == "sglang" and self._facts.cache_report is False:
            log.warning(
                "sglang_without_cache_report", base_url=self.base_url, fix="start it with --enable-cache-report"
            )
        return {"model": self.model, "structured": self._mode, "server": self._facts.model_dump()}

    def tokenize(self, text: str) -> list[int]:
        """Token ids from the server's own tokenizer (`/v1/tokenize`, or `/extras/tokenize` on llama-cpp-python's
        server), so cache figures are in tokens.

        Raises when the server has no tokenize endpoint; callers then count characters and say so.
        """
        if not (self._facts and self._facts.tokenize):
            raise PolicyError(f"the server at {self.base_url} has no tokenize endpoint")
        url, body = tokenize_request(self.base_url, self._facts.kind, self.model, text)
        response = self._client.post(url, json=body)
        response.raise_for_status()
        return [int(t) for t in response.json()["tokens"]]

    def structured_output_kwargs(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {"response_format": self._response_format(schema, self._mode or "json_schema"), "_schema": schema}

    def _response_format(self, schema: dict[str, Any], mode: str) -> dict[str, Any]:
        if mode == "json_object":
            return {"type": "json_object", "schema": schema}
        # `name` is required by SGLang's JsonSchemaResponseFormat (protocol.py:237-245) and by OpenAI.
        return {"type": "json_schema", "json_schema": {"name": schema.get("title", "reply"), "schema": schema}}

    # Calls: one request body, then the same decisions for the sync, async and streaming transports.

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._call(messages, stop, kwargs)
        message = self._to_message(self._post_chat(call.body, call.schema))
        if self._thought_out(message, call):
            message = self._to_message(self._post_chat(self._budgeted(call), call.schema))
        return ChatResult(generations=[ChatGeneration(message=message)])

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        call = self._call(messages, stop, kwargs)
        message = self._to_message(await self._apost_chat(call.body, call.schema))
        if self._thought_out(message, call):
            message = self._to_message(await self._apost_chat(self._budgeted(call), call.schema))
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Server-sent events, token by token. A refused stream (an error status, a dropped connection, a
        model that thought itself out of tokens) is answered by the non-streaming path, whole."""
        call = self._call(messages, stop, kwargs)
        reader = _StreamReader()
        try:
            with self._client.stream("POST", "/chat/completions", json=_streaming(call.body)) as response:
                if response.status_code == 200:
                    for line in response.iter_lines():
                        for text in reader.feed(line):
                            yield token_chunk(text, run_manager)
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            log.warning("policy_stream_failed", base_url=self.base_url, problem=_describe(exc))
        if self._stream_failed(reader, call):
            yield _whole(self._generate(messages, stop, run_manager, **call.kwargs))
        else:
            yield self._usage_chunk(reader)

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        call = self._call(messages, stop, kwargs)
        reader = _StreamReader()
        try:
            async with self._async_client().stream("POST", "/chat/completions", json=_streaming(call.body)) as response:
                if response.status_code == 200:
                    async for line in response.aiter_lines():
                        for text in reader.feed(line):
                            if run_manager is not None:
                                await run_manager.on_llm_new_token(text)
                            yield ChatGenerationChunk(message=AIMessageChunk(content=text))
        except (httpx.TimeoutException, httpx.TransportError) as exc:
            log.warning("policy_stream_failed", base_url=self.base_url, problem=_describe(exc))
        if self._stream_failed(reader, call):
            yield _whole(await self._agenerate(messages, stop, None, **call.kwargs))
        else:
            yield self._usage_chunk(reader)

    def _call(self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]) -> _Call:
        given = dict(kwargs)
        schema = kwargs.pop("_schema", None)
        node = kwargs.pop("_node", None)
        max_tokens = int(kwargs.pop("max_tokens", self.max_tokens))
        body: dict[str, Any] = {
            "model": self.model or "default",
            "messages": to_openai_messages(messages),
            "temperature": kwargs.pop("temperature", self.temperature),
            "max_tokens": max_tokens + (THINKING_TOKENS if self._thinks(node) else 0),
        }
        if stop:
            body["stop"] = stop
        if "response_format" in kwargs:
            body["response_format"] = kwargs.pop("response_format")
        if self._facts is not None and self._facts.kind in TEMPLATE_KWARGS_KINDS and not self._thinks(node):
            body["chat_template_kwargs"] = dict(THINKING_OFF_KWARGS)
        return _Call(body=body, schema=schema, node=node, max_tokens=max_tokens, kwargs=given)

    def _thinks(self, node: str | None) -> bool:
        return self._thinks_anyway or (self.thinking == "on" and node in THINKING_NODES)

    def _thought_out(self, message: AIMessage, call: _Call) -> bool:
        """It thought though told not to, and ran out before answering: it gets a thinking budget from now on."""
        if not message.response_metadata.get("thought_out") or self._thinks(call.node):
            return False
        self._note_thinks_anyway(call.node)
        return True

    def _note_thinks_anyway(self, node: str | None) -> None:
        with self._lock:
            self._thinks_anyway = True
        log.warning("model_thinks_anyway", base_url=self.base_url, node=node, extra_tokens=THINKING_TOKENS)

    def _budgeted(self, call: _Call) -> dict[str, Any]:
        body = {**call.body, "max_tokens": call.max_tokens + THINKING_TOKENS}
        body.pop("chat_template_kwargs", None)
        return body

    def _stream_failed(self, reader: _StreamReader, call: _Call) -> bool:
        """True when the non-streaming path must answer instead: nothing usable came, or the model thought
        itself out of tokens. A stream that broke off after some text cannot be retried without repeating it."""
        if reader.done and not reader.thought_out:
            return False
        if reader.emitted:
            raise PolicyError(f"the policy server at {self.base_url} broke off a streamed reply")
        if reader.thought_out and not self._thinks(call.node):
            self._note_thinks_anyway(call.node)
        return True

    def _usage_chunk(self, reader: _StreamReader) -> ChatGenerationChunk:
        last = self._to_message(reader.summary(self.model))
        return ChatGenerationChunk(
            message=AIMessageChunk(
                content="", usage_metadata=last.usage_metadata, response_metadata=last.response_metadata
            )
        )

    def _post_chat(self, body: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
        response = self._post_with_retries(body)
        resend = self._after(response, body, schema)
        if resend is not None:
            response = self._post_with_retries(resend)
            self._after(response, resend, None)
        return self._json(response)

    async def _apost_chat(self, body: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
        response = await self._apost_with_retries(body)
        resend = self._after(response, body, schema)
        if resend is not None:
            response = await self._apost_with_retries(resend)
            self._after(response, resend, None)
        return self._json(response)

    def _after(
        self, response: httpx.Response, body: dict[str, Any], schema: dict[str, Any] | None
    ) -> dict[str, Any] | None:
        """None when the reply can be read; a body to send once more (json_object); else the error it is."""
        if response.status_code == 200:
            return None
        if response.status_code in (400, 413, 422) and CONTEXT_OVERFLOW.search(response.text):
            raise ContextOverflowError(
                f"the prompt does not fit the context of the model at {self.base_url}: {_error_message(response)}. "
                "Serve the model with a longer context (SGLang: `stepresearch serve ... -- --context-length N`), "
                "or research in fewer rounds (--max-rounds)"
            )
        if self._should_fall_back(response, body, schema):
            log.warning("json_schema_rejected", base_url=self.base_url, status=response.status_code)
            with self._lock:
                self._mode = "json_object"
            return {**body, "response_format": self._response_format(schema or {}, "json_object")}
        raise PolicyError(
            f"the policy server at {self.base_url} answered HTTP {response.status_code}: {_error_message(response)}"
        )

    def _json(self, response: httpx.Response) -> dict[str, Any]:
        try:
            return response.json()
        except ValueError as exc:
            raise PolicyError(f"the policy server at {self.base_url} sent a reply that is not JSON") from exc

    def _should_fall_back(self, response: httpx.Response, body: dict[str, Any], schema: dict[str, Any] | None) -> bool:
        """json_object instead, for good: only when the server blamed the format, and never on SGLang."""
        return (
            (response.status_code in (400, 422) or _refused_request(response))
            and schema is not None
            and self.structured == "auto"
            and body.get("response_format", {}).get("type") == "json_schema"
            and not (self._facts is not None and self._facts.kind == "sglang")
            and bool(FORMAT_BLAMED.search(_error_message(response)))
        )

    def _post_with_retries(self, body: dict[str, Any]) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = self._client.post("/chat/completions", json=body)
                delay, problem = self._retry(attempt, response=response)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                response = None
                delay, problem = self._retry(attempt, error=exc)
            if delay is None:
                return response  # type: ignore[return-value]
            time.sleep(delay)
            attempt += 1

    async def _apost_with_retries(self, body: dict[str, Any]) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = await self._async_client().post("/chat/completions", json=body)
                delay, problem = self._retry(attempt, response=response)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                response = None
                delay, problem = self._retry(attempt, error=exc)
            if delay is None:
                return response  # type: ignore[return-value]
            await asyncio.sleep(delay)
            attempt += 1

    def _retry(
        self, attempt: int, *, response: httpx.Response | None = None, error: Exception | None = None
    ) -> tuple[float | None, str]:
        """How long to wait before attempt `attempt + 1`, or None to take this response as final.

        Raises PolicyError when the retries are spent. One policy for the sync and the async transport."""
        if response is not None and (response.status_code not in RETRY_STATUS or _refused_request(response)):
            return None, ""
        problem = f"HTTP {response.status_code}" if response is not None else _describe(error)  # type: ignore[arg-type]
        if attempt >= self.max_retries:
            raise PolicyError(f"the policy server at {self.base_url} failed {attempt + 1} time(s); last: {problem}")
        retry_after = _retry_after(response) if response is not None else None
        delay = retry_after if retry_after is not None else min(self.backoff_s * 2**attempt, self.max_backoff_s)
        log.warning("policy_retry", base_url=self.base_url, attempt=attempt + 1, problem=problem, delay_s=delay)
        return delay, problem

    def _async_client(self) -> httpx.AsyncClient:
        """One AsyncClient per event loop: a client's connections belong to the loop that opened them."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._aclient is None or self._aloop is not loop:
                self._aclient = httpx.AsyncClient(
                    base_url=self.base_url,
                    headers=dict(self._client.headers),
                    timeout=httpx.Timeout(self.timeout_s, connect=self.connect_timeout_s),
                )
                self._aloop = loop
            return self._aclient

    def _to_message(self, data: dict[str, Any]) -> AIMessage:
        try:
            choice = data["choices"][0]
            reply = choice["message"]
            content = reply.get("content") or ""
        except (KeyError, IndexError, TypeError, AttributeError) as exc:
            raise PolicyError(f"the policy server at {self.base_url} sent no choices: {str(data)[:200]}") from exc
        reasoning = reply.get("reasoning_content") or ""
        inline = THINK_BLOCK.match(content)
        if inline:  # no reasoning parser on the server: the thinking arrives inside the content
            reasoning, content = reasoning + inline.group(0), content[inline.end() :]
        usage = data.get("usage") or {}
        details = usage.get("prompt_tokens_details")
        if isinstance(details, dict):
            self._reports_cache = True
        cached = int((details or {}).get("cached_tokens") or 0)
        finish = choice.get("finish_reason")
        return reply_message(
            content,
            int(usage.get("prompt_tokens") or 0),
            int(usage.get("completion_tokens") or 0),
            # Once a server is known to report cached tokens, a missing field means 0 (see the module docstring).
            cached if self._reports_cache else None,
            finish_reason=finish,
            model=data.get("model", self.model),
            reasoning_chars=len(reasoning),
            thought_out=bool(reasoning) and not content.strip() and finish == "length",
        )


@dataclass(frozen=True)
class _Call:
    """One prepared chat call: the body to send, and what decides its fallback and thinking budget."""

    body: dict[str, Any]
    schema: dict[str, Any] | None
    node: str | None
    max_tokens: int
    kwargs: dict[str, Any]  # as the caller gave them, for a retry through the non-streaming path


class _StreamReader:
    """Server-sent chat-completion events in, the answer's text pieces out.

    Reasoning deltas are dropped, and so is a leading inline `<think>` block (a server without a reasoning
    parser); usage and the finish reason are kept for the closing chunk."""

    def __init__(self) -> None:
        self.done = False
        self.emitted = False
        self.finish: str | None = None
        self.usage: dict[str, Any] = {}
        self.reasoning = 0
        self._held = ""  # content held back while it may still be an inline <think> block
        self._thinking: bool | None = None  # None: not yet known whether the content opens with <think>

    def feed(self, line: str) -> list[str]:
        if not line.startswith("data:"):
            return []
        data = line[5:].strip()
        if data == "[DONE]":
            self.done = True
            return [self._held] if self._release() else []
        try:
            event = json.loads(data)
        except ValueError:
            return []
        self.usage = event.get("usage") or self.usage
        out = []
        for choice in event.get("choices") or []:
            delta = choice.get("delta") or {}
            self.finish = choice.get("finish_reason") or self.finish
            self.reasoning += len(delta.get("reasoning_content") or "")
            text = delta.get("content") or ""
            if text:
                out += self._content(text)
        self.emitted = self.emitted or bool(out)
        return out

    @property
    def thought_out(self) -> bool:
        return self.finish == "length" and not self.emitted and (self.reasoning > 0 or bool(self._held))

    def summary(self, model: str) -> dict[str, Any]:
        """A non-streamed reply's shape with no content, for the usage of the closing chunk."""
        message = {"content": "", "reasoning_content": "x" * self.reasoning or None}
        return {"choices": [{"message": message, "finish_reason": self.finish}], "usage": self.usage, "model": model}

    def _content(self, text: str) -> list[str]:
        if self._thinking is False:
            return [text]
        self._held += text
        opening = self._held.lstrip()
        if self._thinking is None:
            if len(opening) < len("<think>") and "<think>".startswith(opening):
                return []  # it may still become the opening tag
            self._thinking = opening.startswith("<think>")
            if not self._thinking:
                return [self._release_all()]
        end = self._held.find("</think>")
        if end < 0:
            return []
        self.reasoning += end
        rest = self._held[end + len("</think>") :].lstrip()
        self._held, self._thinking = "", False
        return [rest] if rest else []

    def _release(self) -> bool:
        return bool(self._held) and self._thinking is None

    def _release_all(self) -> str:
        held, self._held = self._held, ""
        return held


def _streaming(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, "stream": True, "stream_options": {"include_usage": True}}


def _whole(result: ChatResult) -> ChatGenerationChunk:
    """A whole reply as one chunk, for a stream answered by the non-streaming path."""
    message = result.generations[0].message
    return ChatGenerationChunk(
        message=AIMessageChunk(
            content=message.content,
            usage_metadata=getattr(message, "usage_metadata", None),
            response_metadata=message.response_metadata,
        )
    )


def _error_message(response: httpx.Response) -> str:
    """The message of an error reply: SGLang's top-level `message`, OpenAI's `error.message`, or the text."""
    try:
        data = response.json()
    except ValueError:
        return response.text[:300].strip()
    if isinstance(data, dict):
        error = data.get("error")
        if isinstance(error, dict) and error.get("message"):
            return str(error["message"])[:300]
        if data.get("message"):
            return str(data["message"])[:300]
        if isinstance(error, str):
            return error[:300]
    return response.text[:300].strip()


def _refused_request(response: httpx.Response) -> bool:
    """A 500 that is really a 4xx (see VALIDATION_REFUSAL): the same body would be refused again."""
    return response.status_code == 500 and bool(VALIDATION_REFUSAL.search(response.text[:2000]))


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after")
    try:
        return min(float(value), 30.0) if value else None
    except ValueError:
        return None


def _describe(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"timed out ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return "connection refused or unreachable"
    return f"{type(exc).__name__}: {exc}"
