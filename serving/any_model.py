"""Any LangChain chat model as the policy: its own structured output and its own token cap.

Our nodes ask for JSON that follows a schema, with a cap on reply tokens. Our
two policies take both as call arguments. A third-party model (ChatOpenAI,
ChatAnthropic, ChatOllama, ...) takes them its own way: structured output
through `with_structured_output`, in one of the methods the model offers, and
the cap as a field of the model. `AnyChatModel` wraps such a model once per
research context and learns, on the first structured call, which method the
model's server accepts: the model's default method (a JSON schema, or a tool
call), then its native JSON mode, then none (the prompt asks for JSON and the
reply is parsed leniently). What it learnt lasts as long as the context.

The wrapper returns the raw reply with the JSON as its text, so `ask` parses
it as it parses any reply; the inner model's calls carry no callbacks of their
own, so usage is counted once, on the wrapper's run.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import Any

import structlog
from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from pydantic import ConfigDict, PrivateAttr

from stepresearch.core.steps import Steps, arun_steps, run_steps

log = structlog.get_logger(__name__)

# What chat models call their cap on reply tokens: OpenAI, Anthropic and most (max_tokens), newer OpenAI
# (max_completion_tokens), Google (max_output_tokens), Ollama (num_predict), Hugging Face (max_new_tokens).
TOKEN_CAP_FIELDS = ("max_tokens", "max_completion_tokens", "max_output_tokens", "num_predict", "max_new_tokens")
# The structured-output methods tried in order: the model's default, its native JSON mode, then none.
METHODS: tuple[str | None, ...] = ("default", "json_mode", None)
NO_CALLBACKS: dict[str, Any] = {"callbacks": []}


class AnyChatModel(BaseChatModel):
    """A third-party chat model behind the interface our nodes use (`structured_output_kwargs`)."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    inner: BaseChatModel

    _method_index: int = PrivateAttr(default=0)
    _lock: threading.Lock = PrivateAttr(default_factory=threading.Lock)

    @property
    def _llm_type(self) -> str:
        return f"stepresearch-any({getattr(self.inner, '_llm_type', type(self.inner).__name__)})"

    @property
    def method(self) -> str | None:
        """The structured-output method in use: "default", "json_mode", or None (lenient parsing only)."""
        return METHODS[self._method_index]

    def structured_output_kwargs(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {"_schema": schema}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return run_steps(self._attempts(messages, stop, kwargs))

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return await arun_steps(self._attempts(messages, stop, kwargs), offload=False)

    def _attempts(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> Steps[ChatResult]:
        """The call, in the method learnt so far, falling back to the next method when the server refuses one.
        Written as steps (`stepresearch.core.steps`) so that `invoke` and `ainvoke` share it."""
        schema = kwargs.pop("_schema", None)
        kwargs.pop("_node", None)
        model = capped(self.inner, kwargs.pop("max_tokens", None))
        while True:
            index = self._method_index
            method = METHODS[index]
            if schema is None or method is None:
                return _result((yield _Invoke(model, messages, {"stop": stop, **kwargs})))
            try:
                return _result(_structured_message((yield _Invoke(_structured(model, schema, method), messages))))
            except Exception as exc:
                if _unusable_reply(exc):  # a reply came but cannot be read (cut at the cap): the node falls back
                    log.warning("structured_reply_unusable", method=method, error=str(exc)[:200])
                    return _result(AIMessage(content=""))
                if not _refused(exc):  # a dead server or a timeout: the caller's error
                    raise
                # the server refused this method: learn, and try the next one
                with self._lock:
                    self._method_index = max(self._method_index, index + 1)
                log.warning("structured_output_method_refused", method=method, error=str(exc)[:200])


@dataclass(frozen=True)
class _Invoke:
    """One call of the inner model (or its structured-output runnable), without callbacks: usage is counted
    once, on the wrapper's run."""

    runnable: Runnable
    messages: list[BaseMessage]
    options: dict[str, Any] = field(default_factory=dict)

    def run(self) -> Any:
        return self.runnable.invoke(self.messages, config=NO_CALLBACKS, **self.options)  # type: ignore[arg-type]

    async def arun(self) -> Any:
        return await self.runnable.ainvoke(self.messages, config=NO_CALLBACKS, **self.options)  # type: ignore[arg-type]


def _structured(model: BaseChatModel, schema: dict[str, Any], method: str) -> Runnable:
    options: dict[str, Any] = {"include_raw": True}
    if method != "default":
        options["method"] = method
    try:
        return model.with_structured_output(_named(schema), **options)
    except (NotImplementedError, ValueError, TypeError) as exc:  # this model has no such method
        raise _Refused(str(exc)) from exc


def _structured_message(out: Any) -> AIMessage:
    raw = out["raw"] if isinstance(out, dict) else out
    parsed = out.get("parsed") if isinstance(out, dict) else None
    if parsed is not None and not (isinstance(raw, AIMessage) and str(raw.content).strip()):
        # A tool-calling method leaves the text empty: the JSON is the parsed arguments.
        text = json.dumps(parsed if isinstance(parsed, dict) else getattr(parsed, "model_dump", dict)())
        return AIMessage(content=text, usage_metadata=getattr(raw, "usage_metadata", None))
    return raw


class _Refused(Exception):
    """A model that does not offer a structured-output method."""


def capped(model: BaseChatModel, max_tokens: int | None) -> BaseChatModel:
    """The model with its own token-cap field set, where it has one of the usual names."""
    if max_tokens is None:
        return model
    fields = type(model).model_fields
    name = next((f for f in TOKEN_CAP_FIELDS if f in fields), None)
    return model.model_copy(update={name: max_tokens}) if name else model


def _refused(exc: Exception) -> bool:
    """An error that blames the structured-output request (not a dead server or a timeout)."""
    if isinstance(exc, _Refused | NotImplementedError):
        return True
    text = str(exc).lower()
    return any(word in text for word in ("response_format", "json_schema", "json_object", "tool", "schema"))


def _unusable_reply(exc: Exception) -> bool:
    """The model answered, but its reply could not be parsed: openai's LengthFinishReasonError and
    ContentFilterFinishReasonError, or a LangChain OutputParserException."""
    return type(exc).__name__.endswith("FinishReasonError") or type(exc).__name__ == "OutputParserException"


def _named(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON schema with the title and description `with_structured_output` needs for a dict schema."""
    return {"title": schema.get("title", "reply"), "description": schema.get("description", "The reply."), **schema}


def _result(message: Any) -> ChatResult:
    if not isinstance(message, AIMessage):
        message = AIMessage(content=str(getattr(message, "content", message)))
    return ChatResult(generations=[ChatGeneration(message=message)])
