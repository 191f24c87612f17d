"""The policy as reader (`--reader policy`): a search branch has the policy read its documents.

By default a branch picks its passages lexically (`search.best_passages`):
cheap, deterministic, and right for the embedded model. A capable served
policy reads better: it finds the sentence that answers "who ruled after
him?" where the words differ. With `reader="policy"`, each branch sends one
call per document it keeps, all at once, asking for the document's sentences
that bear on the sub-question. The calls share the system block and the
question's brief as their prefix, so a server batches the branches' calls
over it.

The policy only points: a sentence it returns is kept only when the document
holds it (the same sentence, compared without case and spacing), so the
evidence is always the source's own text. A document for which the reply
is unusable, or points at nothing the document holds, gets the lexical
passages instead.
"""

from __future__ import annotations

import re

from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, Field

from stepresearch.state import SubQuestion
from stepresearch.steps import AskMany, Steps
from stepresearch.text import statements

from .context import ResearchContext
from .layout import SYSTEM_BLOCK, render_brief

TASK = """TASK: read
Sub-question: {sub_question}
Document "{title}":
{text}
Copy, word for word, up to {limit} sentences of this document that help answer the sub-question. Copy none if none does.
Reply in JSON: {{"sentences": ["...", "..."]}}"""

# The part of a document the reader sees: a summary, or the opening of a long page.
READ_CHARS = 4000
READ_TOKENS = 300  # a few copied sentences
# A sentence the policy picked weighs this much against the lexical scores (which run from about 0.3 to 1.6).
PICKED_SCORE = 1.0


class ReadDraft(BaseModel):
    sentences: list[str] = Field(default_factory=list)


def policy_passages(
    ctx: ResearchContext, question: str, sq: SubQuestion, documents: list[tuple[str, str]], limit: int
) -> Steps[list[list[tuple[int, str, float]]]]:
    """For each (title, text), the passages the policy picked, as `search.best_passages` gives them: (index of
    the first sentence, text, score). An empty list where the policy picked nothing the document holds."""
    prompts = [reader_prompt(question, sq, title, text, limit) for title, text in documents]
    replies = yield AskMany(
        ctx.policy, prompts, node="search", schema=ReadDraft, max_tokens=READ_TOKENS,
        max_concurrency=ctx.budgets.search_concurrency,
    )  # fmt: skip
    out = []
    for (_, text), reply in zip(documents, replies):
        picked = reply.parsed.sentences if reply.parsed else []
        out.append(grounded(picked, text, limit))
    return out


def reader_prompt(question: str, sq: SubQuestion, title: str, text: str, limit: int) -> list[BaseMessage]:
    """System block and brief first, shared by every branch's calls; the document and sub-question last."""
    task = TASK.format(sub_question=sq.text, title=title, text=text[:READ_CHARS], limit=limit)
    return [SystemMessage(content=SYSTEM_BLOCK), HumanMessage(content=render_brief(None, question) + "\n\n" + task)]


def grounded(picked: list[str], text: str, limit: int) -> list[tuple[int, str, float]]:
    """The picked sentences the document really holds, in document order, at most `limit`."""
    sentences = statements(text)
    index = {_normal(s): i for i, s in reversed(list(enumerate(sentences)))}
    found = sorted({index[_normal(p)] for p in picked if _normal(p) in index})
    return [(i, sentences[i], PICKED_SCORE) for i in found[:limit]]


def _normal(sentence: str) -> str:
    return re.sub(r"\s+", " ", sentence).strip().strip("\"'").lower()
