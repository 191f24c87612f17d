"""Whether a policy can judge: a short probe at start-up, so that `--judge auto` is a measurement, not a guess.

A served model is not capable because it is served: SmolLM2 behind llama.cpp's server "confirms"
disagreements it cannot read (a 1929 date "contradicted" by a 2008 event). Before `auto` lets the policy
judge, it asks the policy the judge's own two questions (entailment, disagreement) on a few pairs whose
answers are not in doubt, with the judge's own prompts and schemas. Only a policy that answers every one
of them right judges; any other leaves the judge lexical. The pairs are about nothing the engine researches,
and mix the answers, so a model that always says one word fails.
"""

from __future__ import annotations

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel, Field

from stepresearch.core.steps import AskMany, Steps, run_steps

from .policy import CONFIRM_TASK, TASK, VERDICT_TOKENS, _Disagree, _Verdict, plain_layout

# (source, statement, the verdict a capable judge gives)
ENTAILMENT_PAIRS: tuple[tuple[str, str, str], ...] = (
    (
        "The bridge over the Ravel was opened to traffic in 1931 after four years of work.",
        "Work on the Ravel bridge took four years, and it opened in 1931.",
        "entails",
    ),
    (
        "The bridge over the Ravel was opened to traffic in 1931 after four years of work.",
        "The Ravel bridge was opened to traffic in 1958.",
        "contradicts",
    ),
    (
        "The bridge over the Ravel was opened to traffic in 1931 after four years of work.",
        "The Ravel bridge was designed by a woman engineer.",
        "neutral",
    ),
    (
        "Mira Olsen wrote three novels; the last of them, The Salt Road, won no prize.",
        "The Salt Road, Mira Olsen's final novel, did not win a prize.",
        "entails",
    ),
    (
        "Mira Olsen wrote three novels; the last of them, The Salt Road, won no prize.",
        "Mira Olsen's last novel won a major prize.",
        "contradicts",
    ),
    (
        "Mira Olsen wrote three novels; the last of them, The Salt Road, won no prize.",
        "Mira Olsen was born in a coastal town.",
        "neutral",
    ),
)
# (first, second, whether they disagree)
DISAGREEMENT_PAIRS: tuple[tuple[str, str, bool], ...] = (
    ("The Ravel bridge opened in 1931.", "The Ravel bridge was opened in 1934.", True),
    ("The Ravel bridge opened in 1931.", "A museum of river boats opened in the town in 2008.", False),
)


class ProbeAnswer(BaseModel):
    task: str = Field(description="'entailment' or 'disagreement'.")
    expected: str
    answered: str = Field(description="What the policy said; empty when its reply was not the JSON asked for.")

    @property
    def right(self) -> bool:
        return self.answered == self.expected


class CapabilityProbe(BaseModel):
    """What the probe asked and what the policy answered, as run.json records it."""

    answers: list[ProbeAnswer]

    @property
    def correct(self) -> int:
        return sum(answer.right for answer in self.answers)

    @property
    def passed(self) -> bool:
        return self.correct == len(self.answers)

    def summary(self) -> str:
        return f"{self.correct} of {len(self.answers)} probe answers right"


def probe_capability(policy: BaseChatModel, max_concurrency: int = 8) -> CapabilityProbe:
    """Ask `policy` the probe's pairs (all at once, so a server batches them) and compare with the known answers."""
    return run_steps(probe_steps(policy, max_concurrency))


def probe_steps(policy: BaseChatModel, max_concurrency: int = 8) -> Steps[CapabilityProbe]:
    entail_prompts = [
        plain_layout(TASK.format(title="probe", passage=source, statement=statement))
        for source, statement, _ in ENTAILMENT_PAIRS
    ]
    confirm_prompts = [plain_layout(CONFIRM_TASK.format(first=a, second=b)) for a, b, _ in DISAGREEMENT_PAIRS]
    verdicts = yield AskMany(
        policy, entail_prompts, node="probe", schema=_Verdict, max_tokens=VERDICT_TOKENS,
        max_concurrency=max_concurrency,
    )  # fmt: skip
    disagreements = yield AskMany(
        policy, confirm_prompts, node="probe", schema=_Disagree, max_tokens=VERDICT_TOKENS,
        max_concurrency=max_concurrency,
    )  # fmt: skip
    answers = [
        ProbeAnswer(
            task="entailment",
            expected=expected,
            answered=(reply.parsed.verdict.strip().lower() if reply.parsed else ""),
        )
        for (_, _, expected), reply in zip(ENTAILMENT_PAIRS, verdicts)
    ]
    answers += [
        ProbeAnswer(
            task="disagreement",
            expected=str(expected).lower(),
            answered=(str(reply.parsed.disagree).lower() if reply.parsed else ""),
        )
        for (_, _, expected), reply in zip(DISAGREEMENT_PAIRS, disagreements)
    ]
    return CapabilityProbe(answers=answers)
