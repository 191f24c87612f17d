"""How much research log a prompt can hold: the policy's context window, less room for the rest of the prompt.

The window is the policy's own: the embedded model's `n_ctx`, or the served
model's maximum length as its server reported it at start-up
(`OpenAICompatibleChatModel.check_health`). `Budgets.max_context_tokens`
(`--max-context`) overrides it, so that a small run can be made to compact.
A policy that says nothing of its window (a third-party chat model) is
planned for `ASSUMED_WINDOW_TOKENS`.

Tokens are counted by the policy's own tokenizer where it has one that is
cheap to call (the in-process model) and estimated from characters
otherwise, conservatively; `counted_by` says which.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel

# A policy that does not say its window: 8k is the smallest window of the models we target.
ASSUMED_WINDOW_TOKENS = 8192
# The longest reply a node asks for is 256 tokens (write's sections, verify's claims); twice that for safety.
REPLY_RESERVE_TOKENS = 512
# The rest of a prompt around the log: the system block (~110 tokens), the brief (up to ~250) and the longest
# task (reflect's gap list, up to ~300), measured on SmolLM2's tokenizer, with room to spare.
FRAME_RESERVE_TOKENS = 768
# Below this the log could not hold even a digest line per source; a window this small is refused.
MIN_LOG_TOKENS = 256
MIN_WINDOW_TOKENS = MIN_LOG_TOKENS + REPLY_RESERVE_TOKENS + FRAME_RESERVE_TOKENS
# English BPE averages about 4 characters a token; 3 over-counts tokens, so an estimated log never overflows.
CHARS_PER_TOKEN_ESTIMATE = 3.0


class LogBudget(BaseModel):
    """The research log's share of the window, and how its tokens are counted."""

    budget_tokens: int
    window_tokens: int
    window_from: Literal["max_context", "policy", "assumed"]
    counted_by: Literal["tokenizer", "estimate"]


def log_budget(policy: Any, max_context_tokens: int | None) -> LogBudget:
    """The log budget for this policy, or for the `max_context_tokens` override."""
    if max_context_tokens:
        window, source = max_context_tokens, "max_context"
    else:
        own = policy_window(policy)
        window, source = (own, "policy") if own else (ASSUMED_WINDOW_TOKENS, "assumed")
    budget = window - REPLY_RESERVE_TOKENS - FRAME_RESERVE_TOKENS
    if budget < MIN_LOG_TOKENS:
        raise ValueError(
            f"a context window of {window} tokens leaves {budget} for the research log; it needs at least "
            f"{MIN_WINDOW_TOKENS}"
        )
    counted_by = "tokenizer" if local_tokenizer(policy) is not None else "estimate"
    return LogBudget(budget_tokens=budget, window_tokens=window, window_from=source, counted_by=counted_by)


def policy_window(policy: Any) -> int | None:
    """What the policy says its window is: `context_tokens` (ours), through `AnyChatModel` to its inner model."""
    for candidate in (policy, getattr(policy, "inner", None)):
        tokens = getattr(candidate, "context_tokens", None)
        if isinstance(tokens, int) and tokens > 0:
            return tokens
    return None


def count_tokens(policy: Any, text: str) -> int:
    """Tokens in `text`: the in-process tokenizer where there is one, else a conservative estimate."""
    tokenize = local_tokenizer(policy)
    if tokenize is not None:
        return len(tokenize(text))
    return math.ceil(len(text) / CHARS_PER_TOKEN_ESTIMATE)


def local_tokenizer(policy: Any) -> Any:
    """The policy's tokenizer when calling it is free (in-process), not a request to a server per count."""
    if getattr(policy, "tokenizes_locally", False):
        return policy.tokenize
    return None
