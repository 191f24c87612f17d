"""Waiting for a policy server to come up, and learning what it is before the first call.

SGLang opens its port only once the model has loaded, so for the minutes a 32B
model takes to load, a connection is refused; it is not an error yet. After the
port opens, `/health` answers 503 until the warm-up request has come back.
The wait therefore retries refused connections and 503s until a deadline, and
says on every poll how long it has waited. A server that is not SGLang gets
the same wait on `/v1/models` and no `/health` check (llama.cpp's and vLLM's
answer differently, and `/v1/models` answering is enough for them).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, Literal

import httpx
import structlog
from pydantic import BaseModel

from stepresearch.core.errors import UsageError

from . import sglang_facts

log = structlog.get_logger(__name__)

# A 32B model on one GPU loads for minutes (weights from disk, CUDA graphs, warm-up); five is the default wait,
# with --wait to change it. Waiting is shown, so a wrong port costs a visible wait, not a silent one.
DEFAULT_WAIT_S = 300.0
POLL_S = 1.0  # between attempts; loading takes minutes, so a second is fine-grained enough
REPORT_EVERY_S = 10.0  # how often the wait is reported while it lasts

ServerKind = Literal["sglang", "vllm", "llama-cpp-python", "llama.cpp", "other"]
# `owned_by` in /v1/models: SGLang's ModelCard (protocol.py:92), vLLM's, llama-cpp-python's server ("me"),
# llama.cpp's llama-server ("llamacpp").
OWNERS: dict[str, ServerKind] = {
    sglang_facts.OWNED_BY: "sglang", "vllm": "vllm", "me": "llama-cpp-python", "llamacpp": "llama.cpp",
}  # fmt: skip


class ServerFacts(BaseModel):
    """What the client learnt about the server at start-up; run.json records it."""

    base_url: str
    model: str
    kind: ServerKind = "other"
    max_model_len: int | None = None  # from /v1/models (SGLang, vLLM)
    cache_report: bool | None = None  # SGLang's --enable-cache-report, from /server_info; None: unknown
    tokenize: bool = False  # a tokenize endpoint answers: /v1/tokenize (SGLang >= 0.5.10, vLLM), /extras/tokenize
    version: str | None = None
    waited_s: float = 0.0


def wait_until_ready(
    client: httpx.Client,
    base_url: str,
    wait_s: float,
    *,
    on_wait: Callable[[str, float], None] | None = None,
) -> list[dict[str, Any]]:
    """The `/v1/models` cards once the server answers them (and, for SGLang, `/health` says 200)."""
    started = time.monotonic()
    deadline = started + wait_s
    next_report = started
    problem = ""

    def keep_waiting(why: str) -> bool:
        """Sleep a poll and say True while time is left; report the wait at once and then every so often."""
        nonlocal next_report, problem
        problem = why
        now = time.monotonic()
        if now >= deadline:
            return False
        if now >= next_report:
            next_report = now + REPORT_EVERY_S
            log.info("policy_server_waiting", base_url=base_url, why=why, waited_s=round(now - started), wait_s=wait_s)
            if on_wait is not None:
                on_wait(why, now - started)
        time.sleep(min(POLL_S, deadline - now))
        return True

    while True:
        try:
            response = client.get("/models", timeout=POLL_S + 5)
        except httpx.ConnectError:
            if keep_waiting("connection refused: nothing listens yet (SGLang opens its port once the model is loaded)"):
                continue
            raise UsageError(_gave_up(base_url, wait_s, problem)) from None
        except httpx.HTTPError as exc:
            if keep_waiting(f"{type(exc).__name__}"):
                continue
            raise UsageError(_gave_up(base_url, wait_s, problem)) from exc
        if response.status_code == 503:
            if keep_waiting("HTTP 503: loading"):
                continue
            raise UsageError(_gave_up(base_url, wait_s, problem))
        if response.status_code != 200:
            raise UsageError(
                f"the server at {base_url} answered /models with HTTP {response.status_code}: {response.text[:200].strip()}"
            )
        try:
            cards = response.json().get("data", [])
        except (ValueError, AttributeError) as exc:
            raise UsageError(f"the server at {base_url} did not answer /models with JSON") from exc
        break
    if _kind(cards) == "sglang":
        origin = _origin(base_url)
        while True:
            try:
                status = client.get(origin + sglang_facts.HEALTH_PATH, timeout=POLL_S + 5).status_code
            except httpx.HTTPError as exc:
                status = f"{type(exc).__name__}"  # type: ignore[assignment]
            if status in (200, 404):  # 404: a proxy in front that does not pass /health on
                break
            if not keep_waiting(f"/health answered {status}: warming up"):
                raise UsageError(_gave_up(base_url, wait_s, problem))
    return cards


def probe(client: httpx.Client, base_url: str, cards: list[dict[str, Any]], model: str, waited_s: float) -> ServerFacts:
    """Facts from the server's own endpoints; each is optional, and a missing one leaves its default."""
    card = next((c for c in cards if str(c.get("id", "")) == model), cards[0] if cards else {})
    kind = _kind(cards)
    facts = ServerFacts(base_url=base_url, model=model, kind=kind, waited_s=round(waited_s, 1))
    length = card.get("max_model_len")
    if isinstance(length, int) and length > 0:
        facts.max_model_len = length
    if kind == "sglang":
        info = server_info(client, base_url)
        if info is not None:
            report = find_key(info, "enable_cache_report")
            facts.cache_report = report if isinstance(report, bool) else None
            version = info.get("version")
            facts.version = str(version) if version else None
    facts.tokenize = _tokenize_answers(client, base_url, kind, model)
    return facts


def server_info(client: httpx.Client, url: str) -> dict[str, Any] | None:
    """SGLang's `/server_info` (or the pre-0.5 `/get_server_info`) for the server at `url`; None when none answers."""
    origin = _origin(url)
    for path in sglang_facts.SERVER_INFO_PATHS:
        try:
            response = client.get(origin + path)
        except httpx.HTTPError:
            return None
        if response.status_code == 200:
            try:
                data = response.json()
            except ValueError:
                return None
            return data if isinstance(data, dict) else None
    return None


def find_key(data: Any, key: str) -> Any:
    """A key anywhere in nested dicts: 0.5.23 nests its resolved arguments by group, older releases do not."""
    if isinstance(data, dict):
        if key in data:
            return data[key]
        for value in data.values():
            found = find_key(value, key)
            if found is not None:
                return found
    return None


def tokenize_request(base_url: str, kind: ServerKind, model: str, text: str) -> tuple[str, dict[str, Any]]:
    """The URL and body that tokenize `text` on this kind of server: SGLang's and vLLM's OpenAI-style
    `/v1/tokenize` (`prompt`), or llama-cpp-python's `/extras/tokenize` (`input`)."""
    if kind == "llama-cpp-python":
        return _origin(base_url) + "/extras/tokenize", {"input": text}
    return base_url.rstrip("/") + sglang_facts.TOKENIZE_PATH, {
        "model": model,
        "prompt": text,
        "add_special_tokens": False,
    }


def _tokenize_answers(client: httpx.Client, base_url: str, kind: ServerKind, model: str) -> bool:
    url, body = tokenize_request(base_url, kind, model, "ok")
    try:
        response = client.post(url, json=body, timeout=10)
        return response.status_code == 200 and isinstance(response.json().get("tokens"), list)
    except (httpx.HTTPError, ValueError, AttributeError):
        return False


def _kind(cards: list[dict[str, Any]]) -> ServerKind:
    owners = {str(c.get("owned_by", "")) for c in cards}
    kinds = {OWNERS.get(o, "other") for o in owners}
    return kinds.pop() if len(kinds) == 1 else "other"


def _origin(base_url: str) -> str:
    return base_url.rstrip("/").removesuffix("/v1")


def _gave_up(base_url: str, wait_s: float, problem: str) -> str:
    return (
        f"no OpenAI-compatible server was ready at {base_url} after {wait_s:.0f} s ({problem}). "
        "Start one (`stepresearch serve ...`), or pass --wait SECONDS to wait longer for a model that is still loading"
    )
