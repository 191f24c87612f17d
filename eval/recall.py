"""Fact recall, for tasks of our own format: what a careful reader decided the report must contain.

- Asked facts: per asked part, one of its alternatives must be in the short answer. A fact the question
  itself contains is never counted as found (the answer may just repeat the question).
- Key facts: the same, anywhere in the report's prose.
- Cited sources on topic: of the sources the short answer and the sections cite, how many are on the task's
  on-topic list (by title).
- Relevant retrieved: of the task's relevant titles, how many the run retrieved (its `sources.json`).

It reads the report's Markdown and the run's sources, so it scores any run folder, not only a live run.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from stepresearch.core.phrases import TABLES

from .articles import Article, citations_in, split_references
from .tasks import EvalTask


class RecallResult(BaseModel):
    facts_found: int = 0
    facts: int = 0
    key_facts_found: int = 0
    key_facts: int = 0
    on_topic: int = 0
    cited: int = Field(default=0, description="Distinct sources cited in the short answer and the sections.")
    relevant_found: int = 0
    relevant: int = 0
    misses: list[str] = Field(default_factory=list)


def fact_recall(task: EvalTask, article: Article) -> RecallResult:
    sections = _sections(article.markdown)
    answer = _plain(_section(sections, "short_answer"))
    prose = _plain("\n".join(text for _, text in sections))
    question = _plain(task.prompt)
    misses: list[str] = []
    facts_found = _count_found(task.facts, answer, question, misses, "asked fact missing from the short answer")
    key_found = _count_found(task.key_facts, prose, question, misses, "key fact missing from the report")
    titles = _cited_titles(article, sections)
    on_topic = set(task.on_topic)
    if on_topic:
        misses += [f"off-topic source cited: {t}" for t in sorted(titles - on_topic)]
    retrieved = {page.title for page in (article.pages or {}).values()}
    relevant = set(task.relevant)
    return RecallResult(
        facts_found=facts_found,
        facts=len(task.facts),
        key_facts_found=key_found,
        key_facts=len(task.key_facts),
        on_topic=len(titles & on_topic),
        cited=len(titles),
        relevant_found=len(relevant & retrieved),
        relevant=len(relevant),
        misses=misses,
    )


def _count_found(facts: list[list[str]], text: str, question: str, misses: list[str], what: str) -> int:
    found = 0
    for alternatives in facts:
        counted = [a for a in alternatives if _plain(a) not in question]
        if any(_plain(a) in text for a in counted):
            found += 1
        else:
            misses.append(f"{what}: {' / '.join(alternatives)}")
    return found


def _sections(markdown: str) -> list[tuple[str, str]]:
    """(heading, text) of the report's own prose: the short answer and the sections, not the engine's
    fixed trailing sections (disagreements, scope, verification, sources, ...) in any language."""
    body, _ = split_references(markdown)
    trailing = {getattr(table, field) for table in TABLES.values()
                for field in ("disagreements", "method", "verification", "sources", "searched", "run_notes")}  # fmt: skip
    out: list[tuple[str, str]] = []
    for chunk in re.split(r"^## ", body, flags=re.MULTILINE)[1:]:
        heading, _, text = chunk.partition("\n")
        if heading.strip() not in trailing:
            out.append((heading.strip(), text))
    return out


def _section(sections: list[tuple[str, str]], field: str) -> str:
    names = {getattr(table, field) for table in TABLES.values()}
    return next((text for heading, text in sections if heading in names), "")


def _cited_titles(article: Article, sections: list[tuple[str, str]]) -> set[str]:
    _, listed = split_references(article.markdown)
    titles = set()
    for citation in citations_in("\n".join(text for _, text in sections), listed):
        page = (article.pages or {}).get(citation.ref or "")
        title = page.title if page is not None else citation.title
        if title:
            titles.add(title)
    return titles


def _plain(text: str) -> str:
    """Lower-cased with every kind of space as one space: the corpus writes "66\u00a0million"."""
    return " ".join(text.replace("\u00a0", " ").lower().split())
