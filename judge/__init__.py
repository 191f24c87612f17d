"""The one judge: entailment, contradiction, anchors, relevance and question reading in one place.

Writing, validation, verification, reflection, search filtering and
`stepresearch verify` all ask it. Two judges share one interface:

```python
from stepresearch.judge import make_judge

judge = make_judge("lexical")
verdict = judge.judge("Curie won the 1911 prize in physics.", source_text, title="Marie Curie")
verdict.label    # "contradicts": 1911 goes with chemistry in the source
verdict.reasons  # why, in words a person can check
```
"""

from __future__ import annotations

from typing import Literal, Protocol

from langchain_core.language_models import BaseChatModel
from pydantic import BaseModel

from stepresearch.core.steps import Steps

from .auto import AutoJudge
from .capability import CapabilityProbe, probe_capability
from .disagreement import Disagreement, corroborates, disagreement
from .lexical import Judgement, LexicalJudge, SemanticJudge, judge
from .policy import PolicyJudge
from .question import AskedPart, QuestionParts, read_question
from .relevance import Relevance, answers, carries, names_subject, sentence_on_topic, source_relevance

JudgeKind = Literal["auto", "semantic", "lexical", "policy"]


class Judge(Protocol):
    name: str

    def judge(self, statement: str, passage: str, title: str = "") -> Judgement: ...

    def judge_many(self, items: list[tuple[str, str, str]]) -> list[Judgement]: ...

    def confirm(self, pairs: list[tuple[str, str]]) -> list[bool]: ...

    # The same two as steps (stepresearch.core.steps): nodes drive them sync or async; a judge that asks
    # no one returns its verdicts without yielding.
    def judge_steps(self, items: list[tuple[str, str, str]]) -> Steps[list[Judgement]]: ...

    def confirm_steps(self, pairs: list[tuple[str, str]]) -> Steps[list[bool]]: ...

    def bound(self, layout=None, config=None) -> Judge: ...


class JudgeDecision(BaseModel):
    """Which judge a run uses and why, as run.json records it (`judge_decision`)."""

    asked: JudgeKind
    judge: Literal["semantic", "lexical", "policy", "undecided"]
    reason: str
    probe: CapabilityProbe | None = None

    def settled(self, judge: Judge) -> JudgeDecision:
        """The decision as it stands once `judge` has been used: an `AutoJudge` decides at its first judging."""
        if not isinstance(judge, AutoJudge):
            return self
        probe = judge.probe
        if probe is None:
            return self.model_copy(
                update={"judge": "undecided", "reason": "auto: nothing was judged, so the policy was never probed"}
            )
        if probe.passed:
            return self.model_copy(
                update={
                    "judge": "policy",
                    "reason": f"auto: the policy passed the probe ({probe.summary()})",
                    "probe": probe,
                }
            )
        reason = f"auto: the policy failed the probe ({probe.summary()}); declare it capable to let it judge"
        return self.model_copy(update={"judge": "semantic", "reason": reason, "probe": probe})


def choose_judge(
    kind: JudgeKind = "auto", policy: BaseChatModel | None = None, *, capable: bool = False, **options
) -> tuple[Judge, JudgeDecision]:
    """The judge, and the decision behind it (`decision.settled(judge)` once the run has judged).

    `semantic` (the deterministic judge: aligned by meaning, decided by anchors), `lexical` (the same,
    aligned by shared words only: a baseline) and `policy` are taken as asked (`policy` needs a policy).
    `auto` lets the policy judge only
    when it is known to be capable: declared so (`capable=True`, the CLI's `--policy-capable`), or shown so by
    a short probe (`judge/capability.py`) that an `AutoJudge` asks the first time something is judged. The
    embedded 135M model is never probed: it is the weak tier.
    """
    if kind == "policy":
        if policy is None:
            raise ValueError("the policy judge needs a policy")
        return PolicyJudge(policy, **options), JudgeDecision(asked=kind, judge="policy", reason="asked for")
    if kind == "lexical":
        return LexicalJudge(), JudgeDecision(asked=kind, judge="lexical", reason="asked for")
    if kind == "semantic" or policy is None:
        reason = "asked for" if kind == "semantic" else "auto: no policy to judge with"
        return SemanticJudge(), JudgeDecision(asked=kind, judge="semantic", reason=reason)
    if is_embedded(policy):
        return SemanticJudge(), JudgeDecision(
            asked=kind, judge="semantic", reason="auto: the embedded model is the weak tier; it is not asked to judge"
        )
    if capable:
        return PolicyJudge(policy, **options), JudgeDecision(
            asked=kind, judge="policy", reason="auto: the policy was declared capable"
        )
    return AutoJudge(policy, **options), JudgeDecision(asked=kind, judge="undecided", reason="auto: not probed yet")


def make_judge(kind: JudgeKind = "auto", policy: BaseChatModel | None = None, **options) -> Judge:
    """The judge `choose_judge` picks, without the record of why."""
    return choose_judge(kind, policy, **options)[0]


def is_embedded(policy: BaseChatModel) -> bool:
    """The in-process llama.cpp policy is the weak tier, and is never asked to judge under `auto`. It says so
    itself (`embedded_tier`), so the judge needs no import of the serving layer above it."""
    return bool(getattr(type(policy), "embedded_tier", False))


__all__ = [
    "AskedPart",
    "AutoJudge",
    "CapabilityProbe",
    "JudgeDecision",
    "choose_judge",
    "probe_capability",
    "Disagreement",
    "Judge",
    "JudgeKind",
    "Judgement",
    "LexicalJudge",
    "PolicyJudge",
    "QuestionParts",
    "SemanticJudge",
    "Relevance",
    "answers",
    "carries",
    "corroborates",
    "disagreement",
    "is_embedded",
    "judge",
    "make_judge",
    "names_subject",
    "read_question",
    "sentence_on_topic",
    "source_relevance",
]
