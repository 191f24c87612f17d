"""A policy behind any OpenAI-compatible endpoint: SGLang, vLLM, llama.cpp's servers, or a hosted API.

Structured output goes through `response_format`. SGLang, vLLM and
llama-server take `{"type": "json_schema", ...}`; llama-cpp-python's server
takes only `{"type": "json_object", "schema": ...}`. `structured="auto"`
picks by the server's self-description and switches for good if the server
rejects `json_schema`.

Cached prompt tokens come from `usage.prompt_tokens_details.cached_tokens`.
SGLang reports them only with `--enable-cache-report` and leaves the whole
object out when the count is 0, so a missing field counts as 0; a server that
never reports the field makes `reports_cache` stay False and the run's
`server_cached_tokens` null.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any, Literal

import httpx
import structlog
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field, PrivateAttr

from stepresearch.errors import PolicyError, UsageError

from .messages import reply_message, to_openai_messages

log = structlog.get_logger(__name__)

RETRY_STATUS = {408, 409, 425, 429, 500, 502, 503, 504}
StructuredMode = Literal["auto", "json_schema", "json_object"]


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

    _client: httpx.Client = PrivateAttr()
    _mode: str | None = PrivateAttr(default=None)
    _reports_cache: bool = PrivateAttr(default=False)
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
        """True once the server has sent `prompt_tokens_details` at least once."""
        return self._reports_cache

    def check_health(self, wait_s: float = 0.0) -> dict[str, Any]:
        """Ask `/models` before a run; a server that does not answer is a usage error (exit 2).

        `wait_s` keeps asking while the server answers 503 (still loading the model).
        """
        deadline = time.monotonic() + wait_s
        while True:
            try:
                response = self._client.get("/models", timeout=self.connect_timeout_s + 5)
            except httpx.HTTPError as exc:
                raise UsageError(
                    f"no OpenAI-compatible server is answering at {self.base_url}: {_describe(exc)}"
                ) from exc
            if response.status_code == 503 and time.monotonic() < deadline:
                time.sleep(0.5)
                continue
            if response.status_code != 200:
                raise UsageError(
                    f"the server at {self.base_url} answered /models with HTTP {response.status_code}: "
                    f"{response.text[:200].strip()}"
                )
            break
        try:
            models = response.json().get("data", [])
        except ValueError as exc:
            raise UsageError(f"the server at {self.base_url} did not answer /models with JSON") from exc
        if not self.model:
            if not models:
                raise UsageError(f"the server at {self.base_url} lists no models; pass --model NAME")
            self.model = str(models[0].get("id", ""))
        if self._mode is None:
            owners = {str(m.get("owned_by", "")) for m in models}
            self._mode = "json_object" if owners == {"me"} else "json_schema"  # "me": llama-cpp-python's server
        log.info("policy_server_ok", base_url=self.base_url, model=self.model, structured=self._mode)
        return {"model": self.model, "structured": self._mode}

    def structured_output_kwargs(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {"response_format": self._response_format(schema, self._mode or "json_schema"), "_schema": schema}

    def _response_format(self, schema: dict[str, Any], mode: str) -> dict[str, Any]:
        if mode == "json_object":
            return {"type": "json_object", "schema": schema}
        return {"type": "json_schema", "json_schema": {"name": schema.get("title", "reply"), "schema": schema}}

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        schema = kwargs.pop("_schema", None)
        body: dict[str, Any] = {
            "model": self.model or "default",
            "messages": to_openai_messages(messages),
            "temperature": kwargs.pop("temperature", self.temperature),
            "max_tokens": kwargs.pop("max_tokens", self.max_tokens),
        }
        if stop:
            body["stop"] = stop
        if "response_format" in kwargs:
            body["response_format"] = kwargs.pop("response_format")
        data = self._post_chat(body, schema)
        return ChatResult(generations=[ChatGeneration(message=self._to_message(data))])

    def _post_chat(self, body: dict[str, Any], schema: dict[str, Any] | None) -> dict[str, Any]:
        response = self._post_with_retries(body)
        rejected_schema = (
            response.status_code in (400, 422) and body.get("response_format", {}).get("type") == "json_schema"
        )
        if rejected_schema and schema is not None and self.structured == "auto":
            log.warning("json_schema_rejected", base_url=self.base_url, status=response.status_code)
            with self._lock:
                self._mode = "json_object"
            body = {**body, "response_format": self._response_format(schema, "json_object")}
            response = self._post_with_retries(body)
        if response.status_code != 200:
            raise PolicyError(
                f"the policy server at {self.base_url} answered HTTP {response.status_code}: {response.text[:300].strip()}"
            )
        try:
            return response.json()
        except ValueError as exc:
            raise PolicyError(f"the policy server at {self.base_url} sent a reply that is not JSON") from exc

    def _post_with_retries(self, body: dict[str, Any]) -> httpx.Response:
        attempt = 0
        while True:
            try:
                response = self._client.post("/chat/completions", json=body)
                if response.status_code not in RETRY_STATUS:
                    return response
                problem = f"HTTP {response.status_code}"
                retry_after = _retry_after(response)
            except (httpx.TimeoutException, httpx.TransportError) as exc:
                problem, retry_after = _describe(exc), None
            if attempt >= self.max_retries:
                raise PolicyError(f"the policy server at {self.base_url} failed {attempt + 1} time(s); last: {problem}")
            delay = retry_after if retry_after is not None else min(self.backoff_s * 2**attempt, self.max_backoff_s)
            log.warning("policy_retry", base_url=self.base_url, attempt=attempt + 1, problem=problem, delay_s=delay)
            time.sleep(delay)
            attempt += 1

    def _to_message(self, data: dict[str, Any]) -> AIMessage:
        try:
            choice = data["choices"][0]
            content = choice["message"].get("content") or ""
        except (KeyError, IndexError, TypeError) as exc:
            raise PolicyError(f"the policy server at {self.base_url} sent no choices: {str(data)[:200]}") from exc
        usage = data.get("usage") or {}
        details = usage.get("prompt_tokens_details")
        if isinstance(details, dict):
            self._reports_cache = True
        cached = int((details or {}).get("cached_tokens") or 0)
        prompt_tokens = int(usage.get("prompt_tokens") or 0)
        completion_tokens = int(usage.get("completion_tokens") or 0)
        # Once a server has shown it reports cached tokens, a missing field means 0 (SGLang omits zeros).
        return reply_message(
            content,
            prompt_tokens,
            completion_tokens,
            cached if self._reports_cache else None,
            finish_reason=choice.get("finish_reason"),
            model=data.get("model", self.model),
        )


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
