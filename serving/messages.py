"""Converting langchain-core messages to the OpenAI chat shape both our policies send."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.messages import AIMessage, AIMessageChunk, BaseMessage
from langchain_core.outputs import ChatGenerationChunk

_ROLES = {"system": "system", "human": "user", "ai": "assistant", "tool": "tool"}


def to_openai_messages(messages: list[BaseMessage]) -> list[dict[str, str]]:
    out = []
    for message in messages:
        role = _ROLES.get(message.type)
        if role is None:
            raise ValueError(f"unsupported message type for the policy: {message.type}")
        content = message.content if isinstance(message.content, str) else str(message.content)
        out.append({"role": role, "content": content})
    return out


def reply_message(
    content: str, prompt_tokens: int, completion_tokens: int, cached_tokens: int | None, **metadata: Any
) -> AIMessage:
    """An AIMessage with `usage_metadata`; `cached_tokens=None` means the policy did not say."""
    return AIMessage(
        content=content,
        usage_metadata={
            "input_tokens": prompt_tokens,
            "output_tokens": completion_tokens,
            "total_tokens": prompt_tokens + completion_tokens,
            "input_token_details": {} if cached_tokens is None else {"cache_read": cached_tokens},
        },
        response_metadata=metadata,
    )


def token_chunk(text: str, run_manager: CallbackManagerForLLMRun | None) -> ChatGenerationChunk:
    """One streamed piece of a reply, announced to the run's callbacks (LangGraph's messages stream)."""
    chunk = ChatGenerationChunk(message=AIMessageChunk(content=text))
    if run_manager is not None:
        run_manager.on_llm_new_token(text, chunk=chunk)
    return chunk
