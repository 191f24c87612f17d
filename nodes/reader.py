"""The policy as reader (`--reader policy`): a search branch has the policy read its documents.

By default a branch picks its passages lexically (`search.best_passages`):
cheap, deterministic, and right for the embedded model. A capable served
policy reads better: it finds the sentence that answers "who ruled after
him?" where the words differ. With `reader="policy"`, each branch sends one
call per document it keeps, all at once, asking for the document's sentences
that bear on the sub-question. Its prompts are laid out as every other
prompt of the run (`nodes/layout.py`): the system block, the brief and the
research log as the round's planning saw them, then the task with the
document. So every reader call of a round shares one long prefix with the
others and with the previous round's calls: a server batches the branches'
calls over it, and the prefix cache skips it. The document gets the room the
window has left after that prefix and the reply, at most `READ_CHARS`.

The policy only points: a sentence it returns is kept only when the document
holds it (the same sentence, compared without case and spacing), so the
evidence is always the source's own text. A document for which the reply
is unusable, or points at nothing the document holds, gets the lexical
passages instead.
"""

from __future__ import annotations

import re

from langchain_core.messages import BaseMessage
from pydantic import BaseModel, Field

from stepresearch.core.steps import AskMany, Steps
from stepresearch.core.text import statements
from stepresearch.state import SubQuestion

from .context import ResearchContext
from .context_window import CHARS_PER_TOKEN_ESTIMATE, count_tokens, log_budget
from .layout import SYSTEM_BLOCK, with_task

TASK = """TASK: read
Sub-question: {sub_question}
Document "{title}":
{text}
Copy, word for word, up to {limit} sentences of this document that help answer the sub-question. Copy none if none does.
Reply in JSON: {{"sentences": ["...", "..."]}}"""

# The part of a document the reader sees: a summary, or the opening of a long page.
READ_CHARS = 4000
# Less room than this for the document (a log that nearly fills the window) and the branch reads lexically.
MIN_READ_CHARS = 400
READ_TOKENS = 300  # a few copied sentences
# The share of the window's free tokens a document may take: token counts over HTTP are estimates.
ROOM_USED = 0.9
# A sentence the policy picked weighs this much against the lexical scores (which run from about 0.3 to 1.6).
PICKED_SCORE = 1.0


class ReadDraft(BaseModel):
    sentences: list[str] = Field(default_factory=list)


def policy_passages(
    ctx: ResearchContext, context: str, sq: SubQuestion, documents: list[tuple[str, str]], limit: int
) -> Steps[list[list[tuple[int, str, float]]]]:
    """For each (title, text), the passages the policy picked, as `search.best_passages` gives them: (index of
    the first sentence, text, score). An empty list where the policy picked nothing the document holds, and
    for every document when the window has no room left to read one beside `context` (brief and log)."""
    room = document_room(ctx, context)
    if room < MIN_READ_CHARS:
        return [[] for _ in documents]
    prompts = [reader_prompt(context, sq, title, text[:room], limit) for title, text in documents]
    replies = yield AskMany(
        ctx.policy, prompts, node="search", schema=ReadDraft, max_tokens=READ_TOKENS,
        max_concurrency=ctx.budgets.search_concurrency,
    )  # fmt: skip
    out = []
    for (_, text), reply in zip(documents, replies):
        picked = reply.parsed.sentences if reply.parsed else []
        out.append(grounded(picked, text, limit))
    return out


def reader_prompt(context: str, sq: SubQuestion, title: str, text: str, limit: int) -> list[BaseMessage]:
    """The run's shared context first (system block, brief, log); the sub-question and the document last."""
    return with_task(context, TASK.format(sub_question=sq.text, title=title, text=text, limit=limit))


def document_room(ctx: ResearchContext, context: str) -> int:
    """Characters of a document that fit beside the context, the task's own words and the reply."""
    window = log_budget(ctx.policy, ctx.budgets.max_context_tokens).window_tokens
    used = count_tokens(ctx.policy, SYSTEM_BLOCK + context + TASK) + READ_TOKENS
    return min(READ_CHARS, int(max(0, window - used) * CHARS_PER_TOKEN_ESTIMATE * ROOM_USED))


def grounded(picked: list[str], text: str, limit: int) -> list[tuple[int, str, float]]:
    """The picked sentences the document really holds, in document order, at most `limit`."""
    sentences = statements(text)
    index = {_normal(s): i for i, s in reversed(list(enumerate(sentences)))}
    found = sorted({index[_normal(p)] for p in picked if _normal(p) in index})
    return [(i, sentences[i], PICKED_SCORE) for i in found[:limit]]


def _normal(sentence: str) -> str:
    return re.sub(r"\s+", " ", sentence).strip().strip("\"'").lower()
