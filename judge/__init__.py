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

from stepresearch.steps import Steps

from .disagreement import Disagreement, corroborates, disagreement
from .lexical import Judgement, LexicalJudge, judge
from .policy import PolicyJudge
from .question import AskedPart, QuestionParts, read_question
from .relevance import Relevance, answers, carries, names_subject, sentence_on_topic, source_relevance

JudgeKind = Literal["auto", "lexical", "policy"]


class Judge(Protocol):
    name: str

    def judge(self, statement: str, passage: str, title: str = "") -> Judgement: ...

    def judge_many(self, items: list[tuple[str, str, str]]) -> list[Judgement]: ...

    def confirm(self, pairs: list[tuple[str, str]]) -> list[bool]: ...

    # The same two as steps (stepresearch.steps): nodes drive them sync or async; a judge that asks
    # no one returns its verdicts without yielding.
    def judge_steps(self, items: list[tuple[str, str, str]]) -> Steps[list[Judgement]]: ...

    def confirm_steps(self, pairs: list[tuple[str, str]]) -> Steps[list[bool]]: ...

    def bound(self, layout=None, config=None) -> Judge: ...


def make_judge(kind: JudgeKind = "auto", policy: BaseChatModel | None = None, **options) -> Judge:
    """`lexical`, `policy` (needs a policy), or `auto`: lexical for the embedded model, policy for any other.

    The embedded 135M model cannot judge entailment; a served model can, and the lexical anchors guard it.
    """
    if kind == "lexical" or (kind == "auto" and (policy is None or is_embedded(policy))):
        return LexicalJudge()
    if policy is None:
        raise ValueError("the policy judge needs a policy")
    return PolicyJudge(policy, **options)


def is_embedded(policy: BaseChatModel) -> bool:
    """The in-process llama.cpp policy is the weak tier; everything else is taken as capable."""
    from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel

    return isinstance(policy, LlamaCppChatModel)


__all__ = [
    "AskedPart",
    "Disagreement",
    "Judge",
    "JudgeKind",
    "Judgement",
    "LexicalJudge",
    "PolicyJudge",
    "QuestionParts",
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
