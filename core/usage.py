"""What a policy call costs, and the prompt it sent: the records the call mechanism (`policy_calls`) makes.

They live in the core, below the state, because the one way of calling the policy is core: every layer
that asks the policy (the judge, the nodes) meets them. `stepresearch.state` re-exports both.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class CallUsage(BaseModel):
    """Token counts of one or more policy calls."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    cache_reports: int = Field(default=0, description="Calls whose policy said how many prompt tokens it reused.")
    unusable: int = Field(default=0, description="Calls whose reply was empty, or was not the JSON asked for.")

    def __add__(self, other: CallUsage) -> CallUsage:
        return CallUsage(
            calls=self.calls + other.calls,
            prompt_tokens=self.prompt_tokens + other.prompt_tokens,
            completion_tokens=self.completion_tokens + other.completion_tokens,
            cached_tokens=self.cached_tokens + other.cached_tokens,
            cache_reports=self.cache_reports + other.cache_reports,
            unusable=self.unusable + other.unusable,
        )


class PromptRecord(BaseModel):
    """One prompt as sent, for prefix-cache replay: token ids where the policy can tokenize, else text."""

    node: str
    tokens: list[int] | None = None
    text: str | None = None

    @property
    def units(self) -> list[int] | str:
        return self.tokens if self.tokens is not None else (self.text or "")
