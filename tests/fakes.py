"""Test doubles. `ScriptedPolicy` is a FAKE policy: it returns scripted replies chosen by the
task line of the prompt. It exists only for fast unit tests of graph logic; integration tests
use the real SmolLM2 model."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import Field

Reply = str | Callable[[str], str]


class ScriptedPolicy(BaseChatModel):
    """A FAKE chat model: `replies` maps a task name (clarify, plan, reflect, summarize, write)
    to a reply string or a function of the prompt. Every prompt it saw is kept in `prompts`."""

    replies: dict[str, Reply] = Field(default_factory=dict)
    prompts: list[str] = Field(default_factory=list)
    calls: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def _llm_type(self) -> str:
        return "scripted-fake"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        prompt = "\n".join(str(m.content) for m in messages)
        match = re.search(r"TASK: (\w+)", prompt)
        task = match.group(1) if match else "unknown"
        self.prompts.append(prompt)
        self.calls.append({"task": task, "kwargs": kwargs})
        reply = self.replies.get(task, "")
        text = reply(prompt) if callable(reply) else reply
        tokens = len(prompt.split())
        message = AIMessage(
            content=text,
            usage_metadata={
                "input_tokens": tokens,
                "output_tokens": len(text.split()),
                "total_tokens": tokens + len(text.split()),
                "input_token_details": {"cache_read": 0},
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])


def list_tool(documents: list[dict[str, str]]):
    """A plain-callable search tool over a few dicts, ranking by shared words (for unit tests)."""

    def search(query: str, k: int) -> list[dict[str, str]]:
        words = {w.lower() for w in re.findall(r"\w+", query) if len(w) > 3}
        scored = []
        for doc in documents:
            text_words = {w.lower() for w in re.findall(r"\w+", doc["title"] + " " + doc["text"])}
            overlap = len(words & text_words)
            if overlap:
                scored.append((overlap, doc))
        scored.sort(key=lambda pair: -pair[0])
        return [doc for _, doc in scored[:k]]

    search.__name__ = "list_tool"
    return search


def searched_state(state: dict, config) -> dict:
    """`state` after plan and all search branches, merged with the real reducers (fake policy and tools)."""
    from stepresearch.nodes.plan import plan
    from stepresearch.nodes.search import dispatch_search, search
    from stepresearch.state.reducers import merge_evidence, merge_sources

    state = dict(state)
    state.update(plan(state, config))
    sources, evidence = {}, []
    for send in dispatch_search(state, config):
        update = search(send.arg, config)
        sources = merge_sources(sources, update["sources"])
        evidence = merge_evidence(evidence, update["evidence"])
    state.update(sources=sources, evidence=evidence)
    return state
