"""Converting langchain-core messages to the OpenAI chat shape both our policies send."""

from __future__ import annotations

from langchain_core.messages import BaseMessage

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
