"""The policy call mechanism under its older name: it is `stepresearch.core.policy_calls` (core), re-exported."""

from stepresearch.core.policy_calls import (
    UNUSABLE_REPLY,
    PolicyReply,
    aask,
    aask_many,
    ask,
    ask_many,
    parse_json_reply,
    prompt_record,
    usage_of,
)

__all__ = [
    "UNUSABLE_REPLY",
    "PolicyReply",
    "aask",
    "aask_many",
    "ask",
    "ask_many",
    "parse_json_reply",
    "prompt_record",
    "usage_of",
]
