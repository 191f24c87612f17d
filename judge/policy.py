"""The policy as judge, for a capable served policy, with the deterministic anchors as a guard on conflict.

A 32B model judges entailment across paraphrase far better than word
overlap: it accepts "found" for "discovered" and a fraction for a
percentage without a word list. The deterministic judge runs first on every pair,
and vetoes only on conflict:

- a contradiction of anchors (the aligned source sentence gives another year, number, name or polarity
  for the same thing) stands, whatever the policy says;
- everything else (a missing anchor, a synonym, a fraction, a reordering, a wider scope) is the policy's
  to judge: the guard's word rules are cruder than a capable model, and a guard that refuses what it
  cannot see blocks good paraphrases before the model is asked;
- the policy's calls go out together so that a server batches them over their shared prefix.
"""

from __future__ import annotations

from collections.abc import Callable

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from langchain_core.runnables import RunnableConfig
from pydantic import BaseModel

from stepresearch.core.steps import AskMany, Steps, run_steps
from stepresearch.core.system_prompt import SYSTEM_BLOCK

from .lexical import Judgement, judge

# The guard aligns by meaning (the semantic signal), as the deterministic judge does.
GUARD_ALIGNMENT = "meaning"

TASK = """TASK: entailment
Source ({title}): {passage}
Statement: {statement}
Does the source, read on its own, state everything the statement says?
"entails": yes, every fact of the statement is in the source, perhaps in other words.
"contradicts": the source says something that makes the statement false.
"neutral": the source does not say it, or says only part of it.
Reply in JSON: {{"verdict": "entails" or "contradicts" or "neutral"}}"""

CONFIRM_TASK = """TASK: disagreement
First statement: {first}
Second statement: {second}
Are these two statements about the same event or fact, and do they give it different values (a different date, number, place or person), so that both cannot be true?
Reply in JSON: {{"disagree": true or false}}"""

# The verdict is one word of JSON; a little room for the braces and a stray space.
VERDICT_TOKENS = 16
# Passages are cut to this many characters in the prompt: a summary, or the neighbourhood of a citation.
PASSAGE_CHARS = 1600

PromptLayout = Callable[[str], list[BaseMessage]]


class _Verdict(BaseModel):
    verdict: str


class _Disagree(BaseModel):
    disagree: bool


def plain_layout(task: str) -> list[BaseMessage]:
    """A judge prompt with nothing before the task: for checks outside a run (`stepresearch verify`)."""
    return [SystemMessage(content=SYSTEM_BLOCK), HumanMessage(content=task)]


class PolicyJudge:
    """Entailment judged by the policy; a conflict of anchors vetoes it."""

    name = "policy"

    def __init__(
        self,
        policy: BaseChatModel,
        *,
        layout: PromptLayout = plain_layout,
        config: RunnableConfig | None = None,
        max_concurrency: int = 8,
    ) -> None:
        self.policy = policy
        self.layout = layout
        self.config = config
        self.max_concurrency = max_concurrency

    def judge(self, statement: str, passage: str, title: str = "") -> Judgement:
        return self.judge_many([(statement, passage, title)])[0]

    def judge_many(self, items: list[tuple[str, str, str]]) -> list[Judgement]:
        return run_steps(self.judge_steps(items))

    def confirm(self, pairs: list[tuple[str, str]]) -> list[bool]:
        return run_steps(self.confirm_steps(pairs))

    def confirm_steps(self, pairs: list[tuple[str, str]]) -> Steps[list[bool]]:
        """The policy judges the disagreement candidates the lexical aligner found; an unusable reply keeps it."""
        prompts = [self.layout(CONFIRM_TASK.format(first=a, second=b)) for a, b in pairs]
        replies = yield AskMany(
            self.policy, prompts, node="judge", schema=_Disagree, max_tokens=VERDICT_TOKENS, config=self.config,
            max_concurrency=self.max_concurrency,
        )  # fmt: skip
        return [reply.parsed.disagree if reply.parsed else True for reply in replies]

    def bound(self, layout: PromptLayout | None = None, config: RunnableConfig | None = None) -> PolicyJudge:
        """This judge with a node's prompt layout (the run's prefix: system block, brief, research log) and
        the node's config, so its calls share the run's cached prefix and are accounted to the node."""
        return PolicyJudge(
            self.policy,
            layout=layout or self.layout,
            config=config or self.config,
            max_concurrency=self.max_concurrency,
        )

    def judge_steps(self, items: list[tuple[str, str, str]]) -> Steps[list[Judgement]]:
        """The guard on every pair, then one batch of policy calls for every pair it does not veto."""
        guarded = [judge(*item, GUARD_ALIGNMENT) for item in items]
        asked = [i for i, verdict in enumerate(guarded) if not verdict.contradicts]
        prompts = [
            self.layout(
                TASK.format(title=items[i][2] or "untitled", passage=items[i][1][:PASSAGE_CHARS], statement=items[i][0])
            )
            for i in asked
        ]
        replies = (
            (
                yield AskMany(
                    self.policy,
                    prompts,
                    node="judge",
                    schema=_Verdict,
                    max_tokens=VERDICT_TOKENS,
                    config=self.config,
                    max_concurrency=self.max_concurrency,
                )
            )  # fmt: skip
            if prompts
            else []
        )
        out = list(guarded)
        for i, reply in zip(asked, replies):
            verdict = (reply.parsed.verdict if reply.parsed else "").strip().lower()
            if verdict not in ("entails", "contradicts", "neutral"):
                continue  # an unusable reply leaves the lexical verdict standing
            if verdict == "contradicts":
                # No anchor conflicts, so what the policy saw is a contradiction of meaning: not proven
                # against the source, it only withholds support.
                verdict = "neutral"
            out[i] = guarded[i].model_copy(
                update={"label": verdict, "judge": "policy", "reasons": guarded[i].reasons + [f"policy: {verdict}"]}
            )
        return out
