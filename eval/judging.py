"""The evaluation judge: any chat model, asked for structured replies, retried, never a silent 0.

`EvalJudge` wraps a langchain-core chat model: an OpenAI-compatible endpoint (`judge_from_url`), the
embedded SmolLM2 (`embedded_judge`), or any model an app passes in. Every call goes through
`policy_calls.ask`, so a served judge gets a JSON schema as its structured-output constraint and any other
model gets the same schema in words and a lenient parse. A reply that does not fit the schema is asked
again, up to `JUDGE_ATTEMPTS` calls; then the item is recorded unscored, and unscored items drop out of
the formulas instead of counting as 0.

Whether the judge's scores mean anything is measured, not assumed: `judge_capability` gives it the
capability probe the research judge uses (`judge/capability.py`, pairs whose answers are not in doubt).
The embedded 135M model is never capable; its scores are recorded with `judge_capable: false` and a note
in plain words that they carry no meaning.

Prompts put the task and the article first and the item last, so the calls for one task share one long
prefix, and a prefix cache (SGLang's RadixAttention, llama.cpp's previous-prompt cache) computes the
article once per task instead of once per criterion.
"""

from __future__ import annotations

import math
from typing import Any, Literal, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from stepresearch.core.errors import PolicyError, StepResearchError, UsageError
from stepresearch.core.policy_calls import ask

T = TypeVar("T", bound=BaseModel)

JUDGE_ATTEMPTS = 3  # one call and two retries of a reply that does not parse; then the item is unscored
JUDGE_NODE = "eval_judge"  # the node name the judge's calls carry (usage, prompt records)
REPLY_TOKENS = 200  # a reason of a sentence or two and a score; longer replies are the model rambling
PAIR_REPLY_TOKENS = 320  # five verdicts and a reason
CHARS_PER_TOKEN = 4  # the fallback count when the judge cannot tokenize: English prose averages ~4 chars
PROMPT_RESERVE_TOKENS = 600  # the instructions, the item and the reply, beside the article(s)
NO_MEANING = (
    "The judge is not a capable model ({why}): its scores carry no meaning. They show only that the harness "
    "ran; judge with a capable model (--judge-url) to compare anything."
)

SYSTEM = (
    "You are an expert reviewer of research reports. You grade strictly and fairly, by the criterion given, "
    "and you reply with JSON only."
)


class JudgeError(StepResearchError):
    """The judge did not answer (as opposed to answering something that does not parse)."""


class JudgeInfo(BaseModel):
    """Who judged, and whether its scores can be trusted: recorded with every score."""

    name: str
    capable: bool
    capable_reason: str
    note: str | None = Field(default=None, description="The plain-words warning when the judge is not capable.")


class JudgeCall(BaseModel):
    """One judged item: the parsed reply, or None after every attempt failed, and what it cost."""

    parsed: dict[str, Any] | None
    text: str = ""
    attempts: int
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cached_tokens: int = 0
    error: str | None = None


class CriterionVerdict(BaseModel):
    reason: str = Field(description="One or two sentences: what in the report earns or loses the score.")
    score: float = Field(ge=0, le=10, description="0 = not met at all, 10 = fully met at an expert's standard.")


class BinaryGrade(BaseModel):
    reason: str = Field(description="One or two sentences, pointing at the report.")
    grade: Literal["satisfied", "not satisfied"]


class TernaryGrade(BaseModel):
    reason: str = Field(description="One or two sentences, pointing at the report.")
    grade: Literal["satisfied", "partially satisfied", "not satisfied"]


PairChoice = Literal["A", "B", "tie"]
PAIR_DIMENSIONS = ("completeness", "depth", "fit", "readability", "overall")
PAIR_DIMENSION_WORDS = {
    "completeness": "information completeness: which report covers more of what the request needs",
    "depth": "depth: which report analyses more deeply, beyond listing facts",
    "fit": "fit to the request: which report does what was asked, in the form asked",
    "readability": "readability: which report is clearer and better organised",
    "overall": "overall: which report a demanding reader would rather have",
}


class PairVerdict(BaseModel):
    reason: str = Field(description="Two or three sentences comparing the reports.")
    completeness: PairChoice
    depth: PairChoice
    fit: PairChoice
    readability: PairChoice
    overall: PairChoice


class EvalJudge:
    """A chat model as the evaluation's judge; thread-safe to call from concurrent tasks."""

    def __init__(self, model: BaseChatModel, *, name: str, capable: bool, capable_reason: str) -> None:
        self.model = model
        self.info = JudgeInfo(
            name=name,
            capable=capable,
            capable_reason=capable_reason,
            note=None if capable else NO_MEANING.format(why=capable_reason),
        )

    @classmethod
    def from_model(cls, model: BaseChatModel, name: str | None = None, capable: bool | None = None) -> EvalJudge:
        """Any langchain-core chat model as the judge: the embedded model is never capable; another is as
        declared, or as the capability probe measures it."""
        from stepresearch.judge import is_embedded

        label = name or getattr(model, "model_name", None) or getattr(model, "model", None) or type(model).__name__
        if is_embedded(model):
            return embedded_judge(model)
        decided, reason = judge_capability(model, capable)
        return cls(model, name=str(label), capable=decided, capable_reason=reason)

    @property
    def name(self) -> str:
        return self.info.name

    def call(self, messages: list[BaseMessage], schema: type[T], max_tokens: int = REPLY_TOKENS) -> JudgeCall:
        """Ask until the reply fits `schema`, at most JUDGE_ATTEMPTS times; after that the item is unscored.

        A judge that fails to answer at all (the endpoint down, an HTTP error after the client's retries) is
        not an unscored item but a `JudgeError`: the task fails, the judgements made so far stay in its
        journal, and running the command again asks only what is missing."""
        usage = {"prompt_tokens": 0, "completion_tokens": 0, "cached_tokens": 0}
        text = ""
        for attempt in range(1, JUDGE_ATTEMPTS + 1):
            try:
                reply = ask(self.model, messages, node=JUDGE_NODE, schema=schema, max_tokens=max_tokens)
            except PolicyError as exc:
                raise JudgeError(f"the judge {self.name} did not answer: {exc}") from exc
            for key in usage:
                usage[key] += getattr(reply.usage, key)
            text = reply.text
            if reply.parsed is not None:
                return JudgeCall(parsed=reply.parsed.model_dump(), text=text, attempts=attempt, **usage)
        return JudgeCall(parsed=None, text=text, attempts=JUDGE_ATTEMPTS, error="no reply fit the schema", **usage)

    def units(self, text: str) -> tuple[int, str]:
        """(length, unit) of a prompt text: the judge's tokens when it can tokenize, else characters."""
        tokenize = getattr(self.model, "tokenize", None)
        if callable(tokenize):
            try:
                return len(tokenize(text)), "tokens"
            except Exception:  # a server without a tokenize endpoint
                pass
        return len(text), "chars"

    def context_tokens(self) -> int | None:
        value = getattr(self.model, "context_tokens", None)
        value = value() if callable(value) else value
        return int(value) if isinstance(value, int) and value > 0 else None

    def fit(self, text: str, share: float = 1.0) -> tuple[str, bool]:
        """`text` cut to its `share` of the judge's context (after the prompt's own reserve), and whether it
        was cut. A cut article is recorded as such: the judge saw only its beginning."""
        context = self.context_tokens()
        if context is None:
            return text, False
        budget = max(int((context - PROMPT_RESERVE_TOKENS) * share), context // 8)
        if len(text) <= budget:  # a token covers at least one character
            return text, False
        length, unit = self.units(text)
        tokens = length if unit == "tokens" else math.ceil(len(text) / CHARS_PER_TOKEN)
        if tokens <= budget:
            return text, False
        kept = text[: int(len(text) * budget / tokens)]
        return kept.rsplit("\n", 1)[0] + "\n[… the rest of the report was cut to fit the judge's context …]", True


def article_prefix(task_prompt: str, article: str) -> list[BaseMessage]:
    """The messages every call about one article begins with: the long prefix a cache serves."""
    return [
        SystemMessage(SYSTEM),
        HumanMessage(f"Research task:\n{task_prompt}\n\nReport:\n<<<\n{article}\n>>>\n\n"),
    ]


def with_item(prefix: list[BaseMessage], item: str) -> list[BaseMessage]:
    """The prefix with the item appended to its last message, so the prefix's tokens come first unchanged."""
    last = prefix[-1]
    return [*prefix[:-1], HumanMessage(str(last.content) + item)]


def criterion_item(dimension: str, criterion: str, explanation: str) -> str:
    return (
        f"Criterion ({dimension.replace('_', ' ')}): {criterion}\n"
        + (f"What it asks: {explanation}\n" if explanation else "")
        + "\nHow well does the report meet this criterion? Score it from 0 (not at all) to 10 (fully, at an "
        'expert\'s standard). Reply with JSON: {"reason": "one or two sentences", "score": a number from 0 to 10}'
    )


def rubric_item(rubric: str, grading: Literal["binary", "ternary"]) -> str:
    grades = '"satisfied" or "not satisfied"' if grading == "binary" else (
        '"satisfied", "partially satisfied" or "not satisfied"'
    )  # fmt: skip
    return (
        f"Rubric item: {rubric}\n\nDoes the report satisfy this rubric item? (If the item describes something a "
        f"report should not do, it is satisfied when the report does it.) Reply with JSON: "
        f'{{"reason": "one or two sentences", "grade": {grades}}}'
    )


def pair_messages(task_prompt: str, first: str, second: str) -> list[BaseMessage]:
    dimensions = "\n".join(f"- {name}: {PAIR_DIMENSION_WORDS[name]}" for name in PAIR_DIMENSIONS)
    return [
        SystemMessage(SYSTEM),
        HumanMessage(
            f"Research task:\n{task_prompt}\n\nReport A:\n<<<\n{first}\n>>>\n\nReport B:\n<<<\n{second}\n>>>\n\n"
            f"Compare the two reports on each dimension, answering A, B or tie:\n{dimensions}\n\n"
            'Reply with JSON: {"reason": "two or three sentences", "completeness": "A", "depth": "B", '
            '"fit": "tie", "readability": "A", "overall": "A"} (with your own choices).'
        ),
    ]


def judge_from_url(
    base_url: str,
    model: str | None = None,
    api_key_env: str | None = None,
    *,
    timeout_s: float = 120.0,
    wait_s: float = 10.0,
    capable: bool | None = None,
) -> EvalJudge:
    """A judge behind an OpenAI-compatible endpoint. An endpoint that does not answer within `wait_s` is
    a UsageError naming it. `capable=None` measures capability with the probe."""
    import re

    from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel

    if not re.match(r"^https?://", base_url):
        raise UsageError(f"--judge-url must start with http:// or https://, got {base_url!r}")
    client = OpenAICompatibleChatModel.from_env(base_url, model or "", api_key_env, timeout_s=timeout_s)
    try:
        client.check_health(wait_s=wait_s)
    except UsageError as exc:
        raise UsageError(f"the judge at {base_url} is unreachable: {exc}") from None
    name = f"{client.model} at {base_url}"
    decided, reason = judge_capability(client, capable)
    return EvalJudge(client, name=name, capable=decided, capable_reason=reason)


def embedded_judge(model: BaseChatModel | None = None) -> EvalJudge:
    """The embedded SmolLM2-135M as judge: it runs offline, and its scores carry no meaning."""
    if model is None:
        from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel

        model = LlamaCppChatModel()
    return EvalJudge(
        model, name="embedded SmolLM2-135M-Instruct (in-process)", capable=False,
        capable_reason="the embedded 135M model",
    )  # fmt: skip


def judge_capability(model: BaseChatModel, declared: bool | None) -> tuple[bool, str]:
    """(capable, why): as declared, or by the research judge's capability probe."""
    if declared is not None:
        return declared, "declared capable" if declared else "declared not capable"
    from stepresearch.judge.capability import probe_capability

    probe = probe_capability(model)
    if probe.passed:
        return True, f"passed the capability probe ({probe.summary()})"
    return False, f"failed the capability probe ({probe.summary()})"
