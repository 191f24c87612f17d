"""What a served model's name tells us: its SGLang parsers and whether it thinks before answering.

The guesses are the fallback for SGLang releases without `--reasoning-parser auto`
(before 0.5.12) and for `--dry-run` on a machine without sglang. Patterns are
matched against the lower-cased model path, most specific first, so that
Qwen3-Coder is not taken for Qwen3 nor DeepSeek-V3.1 for V3. Parser names are
ones every release since 0.5.10 accepts (checked in the wheels; `qwen25` is a
deprecated alias of `qwen` in 0.5.23 and still accepted).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel

Thinking = Literal["never", "by_default", "always"]


class ModelFamily(BaseModel):
    name: str
    pattern: str
    reasoning_parser: str | None = None
    tool_call_parser: str | None = None
    # "by_default": a hybrid model that thinks unless its chat template is told not to (Qwen3-32B);
    # "always": a thinking-only model (QwQ, R1, Qwen3-*-Thinking-2507, gpt-oss), whose replies need a budget for it.
    thinking: Thinking = "never"
    # The chat-template switch that turns thinking off, where there is one.
    switch: str | None = None


FAMILIES: list[ModelFamily] = [
    # Before the Qwen entries: "DeepSeek-R1-Distill-Qwen3-8B" is an R1 model in Qwen3 weights.
    ModelFamily(name="DeepSeek-R1", pattern=r"deepseek[-_]?r1", reasoning_parser="deepseek-r1", thinking="always"),
    ModelFamily(name="Qwen3-Coder", pattern=r"qwen3[-_.]?coder", tool_call_parser="qwen3_coder"),
    ModelFamily(
        name="Qwen3 Thinking-2507", pattern=r"qwen3.*thinking", reasoning_parser="qwen3-thinking",
        tool_call_parser="qwen25", thinking="always",
    ),
    ModelFamily(name="Qwen3 Instruct-2507", pattern=r"qwen3.*instruct-2507", tool_call_parser="qwen25"),
    ModelFamily(
        name="Qwen3", pattern=r"qwen3", reasoning_parser="qwen3", tool_call_parser="qwen25",
        thinking="by_default", switch="enable_thinking",
    ),
    ModelFamily(name="QwQ", pattern=r"qwq", reasoning_parser="deepseek-r1", tool_call_parser="qwen25", thinking="always"),
    ModelFamily(name="Qwen2.5", pattern=r"qwen2\.?5", tool_call_parser="qwen25"),
    ModelFamily(
        name="DeepSeek-V3.2", pattern=r"deepseek[-_]?v3[._p-]?2", reasoning_parser="deepseek-v3",
        tool_call_parser="deepseekv32", switch="thinking",
    ),
    ModelFamily(
        name="DeepSeek-V3.1", pattern=r"deepseek[-_]?v3[._p-]?1", reasoning_parser="deepseek-v3",
        tool_call_parser="deepseekv31", switch="thinking",
    ),
    ModelFamily(name="DeepSeek-V3", pattern=r"deepseek[-_]?v3", tool_call_parser="deepseekv3"),
    ModelFamily(
        name="Kimi-K2 Thinking", pattern=r"kimi[-_]?k2.*thinking", reasoning_parser="kimi_k2",
        tool_call_parser="kimi_k2", thinking="always",
    ),
    ModelFamily(name="Kimi-K2", pattern=r"kimi[-_]?k2", tool_call_parser="kimi_k2"),
    ModelFamily(name="gpt-oss", pattern=r"gpt[-_]?oss", reasoning_parser="gpt-oss", tool_call_parser="gpt-oss", thinking="always"),
]  # fmt: skip

UNKNOWN = ModelFamily(name="unknown", pattern="")


def family_of(model_path: str) -> ModelFamily:
    name = model_path.lower()
    return next((f for f in FAMILIES if re.search(f.pattern, name)), UNKNOWN)


# Sent per request to SGLang and vLLM when thinking is off. Both names: Qwen3's template reads
# `enable_thinking`, DeepSeek-V3.1/3.2's reads `thinking`; a Jinja template ignores the one it lacks.
THINKING_OFF_KWARGS: dict[str, bool] = {"enable_thinking": False, "thinking": False}
