"""Search: one branch per sub-question, fanned out with `Send` and capped by `max_concurrency`.

A branch queries every tool with its sub-question and with the original
question (which is therefore always among the queries), fuses the rankings,
reads the best documents and keeps the passages that bear on the
sub-question. The judge decides relevance (`stepresearch.judge.relevance`):
a source whose title or most of whose opening does not name the question's
subject lends no evidence (it stays among the retrieved sources, where
verification may count it as a witness).
By default it makes no policy call: retrieval and passage choice are
deterministic, which keeps branches cheap and their evidence reproducible;
with `reader="policy"` (`--reader policy`) a capable policy picks the
passages instead (`nodes/reader.py`), checked against the document's text. Its tool calls
are steps (`stepresearch.core.steps.Search`): under `ainvoke` an async tool is
awaited, and cancelled at its timeout.
"""

from __future__ import annotations

import structlog
from langgraph.runtime import Runtime
from langgraph.types import Send

from stepresearch.core.language import detect_language, has_cjk
from stepresearch.core.steps import Search, Steps, step_node
from stepresearch.core.text import statements
from stepresearch.judge import names_subject, source_relevance
from stepresearch.judge.question import asked_parts
from stepresearch.judge.relevance import (
    ANSWER_WORD_SHARE,
    answer_share,
    carries,
    meanings_to_question,
    relevance_by_meaning,
)
from stepresearch.state import Evidence, ResearchState, SearchBranch, Source, SubQuestion, stable_source_id
from stepresearch.state.events import SourceRef, SourcesFound
from stepresearch.tools import SearchHit

from .context import ResearchContext
from .layout import prompt_context, render_brief
from .reader import policy_passages

log = structlog.get_logger(__name__)

RRF_K = 60  # reciprocal-rank fusion constant (Cormack et al.)
QUERY_WEIGHTS = (1.0, 0.6)  # the sub-question outranks the whole question
# The dense ranking (the question's wording against each candidate's opening, by meaning) is fused with the
# tools' rankings at the weight of the sub-question's own query: meaning and words are equal witnesses.
DENSE_WEIGHT = 1.0
# Each query asks the tools for this many times the hits a branch keeps, so the dense ranking has
# candidates to promote that words ranked lower.
CANDIDATE_FACTOR = 2
# A passage that holds the asked kind of fact ("when" -> a date) counts as this much of an answer.
ASKED_KIND_CREDIT = ANSWER_WORD_SHARE
# A source's language is read from its opening: a few sentences are as sure as the whole text, and cheaper.
LANGUAGE_SAMPLE_CHARS = 500
PASSAGE_SENTENCES = 2
PASSAGE_CHARS = 600  # evidence is a pair of sentences, not a page: the research log has a budget
MAX_SOURCE_CHARS = 20_000


def dispatch_search(state: ResearchState, runtime: Runtime[ResearchContext]) -> list[Send] | str:
    """Fan out over this round's sub-questions, sharing out the tool-call budget."""
    budgets = runtime.context.budgets
    round_no = state.get("round", 1)
    branches = [sq for sq in state.get("sub_questions", []) if sq.round == round_no]
    brief = state.get("brief")
    topics = brief.topics if brief else []
    subject = brief.subject if brief else []
    left = budgets.max_tool_calls - state.get("tool_calls", 0)
    if not branches or left <= 0:
        return "verify"
    share = max(1, left // len(branches))
    context = prompt_context(state) if runtime.context.reader == "policy" else None
    sends = []
    for sq in branches:
        branch = SearchBranch(
            question=state["question"], sub_question=sq, topics=topics, subject=subject, tool_calls_allowed=share
        )
        if context is not None:
            branch["context"] = context
        sends.append(Send("search", branch))
    return sends


def search_events(update: dict) -> list[SourcesFound]:
    """What this branch found, even when it found nothing."""
    sources = list(update.get("sources", {}).values())
    finder = sources[0].found_by[0] if sources and sources[0].found_by else None
    refs = [SourceRef(id=s.id, title=s.title, uri=s.uri) for s in sources]
    return [SourcesFound(sub_question_id=finder, sources=refs, notes=list(update.get("notes", [])))]


@step_node(events=search_events)
def search(branch: SearchBranch, runtime: Runtime[ResearchContext]) -> Steps[dict]:
    ctx = runtime.context
    budgets = ctx.budgets
    sq: SubQuestion = branch["sub_question"]
    subject = branch.get("subject") or branch.get("topics", [])
    queries = list(dict.fromkeys([focused_query(sq.text, subject), branch["question"]]))
    weights = list(QUERY_WEIGHTS)
    gloss = gloss_query(sq.text, subject)
    if gloss and gloss not in queries:
        queries.insert(1, gloss)  # an English query for a Chinese question: the corpus may be English
        weights.insert(1, QUERY_WEIGHTS[0])
    fused: dict[str, float] = {}
    hits: dict[str, tuple[SearchHit, str]] = {}
    calls, notes = 0, []
    for tool in ctx.tools:
        for weight, query in zip(weights, queries):
            if calls >= branch["tool_calls_allowed"]:
                notes.append(f"tool-call budget reached while searching {sq.id}; some queries were skipped")
                break
            calls += 1
            try:
                found = yield Search(tool, query, budgets.hits_per_query * CANDIDATE_FACTOR, ctx.tool_timeout_s)
            except Exception as exc:  # any tool failure degrades the run, it does not end it
                log.warning("search_failed", tool=tool.name, sub_question=sq.id, error=str(exc))
                notes.append(f"search tool {tool.name!r} failed for {sq.id} and was skipped: {exc}")
                continue
            log.info("search", tool=tool.name, sub_question=sq.id, query=query[:80], hits=len(found))
            for rank, hit in enumerate(found):
                fused[hit.uri] = fused.get(hit.uri, 0.0) + weight / (RRF_K + rank)
                hits.setdefault(hit.uri, (hit, tool.name))
    pool = list(fused)
    meanings = meanings_to_question(branch["question"], [(hits[u][0].title, hits[u][0].text) for u in pool])
    closeness = dict(zip(pool, meanings)) if meanings else {}
    for rank, uri in enumerate(sorted(closeness, key=lambda u: (-closeness[u], u))):
        fused[uri] += DENSE_WEIGHT / (RRF_K + rank)
    ranked = sorted(fused, key=lambda uri: (-fused[uri], uri))[: budgets.hits_per_query]
    best = max((closeness[u] for u in ranked), default=0.0)
    question_language = detect_language(branch["question"])
    sources: dict[str, Source] = {}
    about: list[tuple[Source, SearchHit]] = []
    skipped = []
    for rank, uri in enumerate(ranked):
        hit, tool_name = hits[uri]
        source = to_source(hit, tool_name, sq, rank, subject, closeness.get(uri), best, question_language)
        sources[source.id] = source
        if source.aboutness == "about":
            about.append((source, hit))
        else:
            # Kept as a retrieved source (verification may count it as a witness), but a source that is
            # not about the question's subject lends no evidence to the report.
            skipped.append(source.title)
    picked: list[list[tuple[int, str, float]]] = [[] for _ in about]
    if ctx.reader == "policy" and about:
        documents = [(source.title, hit.text) for source, hit in about]
        context = branch.get("context") or render_brief(None, branch["question"])
        picked = yield from policy_passages(ctx, context, sq, documents, budgets.passages_per_source)
    evidence: list[Evidence] = []
    for (source, hit), chosen in zip(about, picked):
        passages = (
            chosen
            or best_passages(hit.text, sq.text, budgets.passages_per_source, subject)
            or best_passages(hit.text, branch["question"], budgets.passages_per_source, subject)
        )
        for offset, (start, text, score) in enumerate(passages):
            evidence.append(
                Evidence(
                    id=f"{source.id}#{start}",
                    source_id=source.id,
                    sub_question_ids=[sq.id],
                    text=text,
                    score=score,
                    order=f"{source.order}.{offset:02d}",
                )
            )
    if skipped:
        log.info("off_topic_sources", sub_question=sq.id, titles=skipped)
    return {"sources": sources, "evidence": evidence, "tool_calls": calls, "notes": notes}


def to_source(
    hit: SearchHit,
    tool_name: str,
    sq: SubQuestion,
    rank: int,
    subject: list[str],
    meaning: float | None = None,
    best: float = 0.0,
    question_language: str = "en",
) -> Source:
    text = hit.text[:MAX_SOURCE_CHARS]
    title = hit.title.strip() or hit.uri
    relevance = source_relevance(title, text, subject)
    language = detect_language(text[:LANGUAGE_SAMPLE_CHARS])
    # Meaning widens relevance only within one language: across two, e5-small's closeness is no guide
    # (measured: it ranks "Penicillin" 157th of 10,033 titles for "青霉素"), so the words decide, glosses included.
    if meaning is not None and language == question_language:
        relevance = relevance_by_meaning(meaning, best, relevance)
    return Source(
        id=stable_source_id(hit.uri),
        title=title,
        uri=hit.uri,
        text=text,
        tool=tool_name,
        origin=hit.origin or hit.uri,
        found_by=[sq.id],
        order=f"{sq.round:02d}.{sq.index:02d}.{rank:02d}",
        aboutness=relevance.aboutness,
        language=language,
    )


def focused_query(text: str, subject: list[str]) -> str:
    """Add the question's subject to a sub-question that lost it ("Which state conquered its capital?")."""
    if not subject or names_subject(text, subject):
        return text
    return f"{text} {subject[0]}"


def gloss_query(text: str, subject: list[str]) -> str:
    """For a sub-question in a CJK script, its words' English glosses and the subject's (`judge.glossary`):
    the query that reaches an English corpus. "" for any other sub-question, or when nothing is glossed."""
    if not has_cjk(text):
        return ""
    words = [w for part in asked_parts(text, subject) for w in part.words if not has_cjk(w)]
    names = [s for s in subject if not has_cjk(s)]
    return " ".join(dict.fromkeys(names + words))


def best_passages(text: str, query: str, limit: int, subject: list[str] | None = None) -> list[tuple[int, str, float]]:
    """Non-overlapping windows of sentences, from a source about the subject, that answer the query.

    A window scores the share of the query's own words (not the subject's) it contains, plus credit
    when it holds the kind of fact the query asks for.
    """
    sentences = statements(text)
    if not sentences:
        return []
    parts = asked_parts(query, subject)
    kinds = {part.kind for part in parts} - {"thing"}  # "who ... and when": a name or a date answers
    query_words = [w for part in parts for w in part.words] or [query]
    scored = []
    for start in range(len(sentences)):
        window = " ".join(sentences[start : start + PASSAGE_SENTENCES])
        score = answer_share(window, query_words, subject or [])
        if any(carries(window, kind, query) for kind in kinds):
            score += ASKED_KIND_CREDIT
        if score >= ANSWER_WORD_SHARE:
            scored.append((score, -start, start, window))
    chosen: list[tuple[int, str, float]] = []
    taken: set[int] = set()
    for score, _, start, window in sorted(scored, reverse=True):
        span = set(range(start, start + PASSAGE_SENTENCES))
        if span & taken:
            continue
        chosen.append((start, window[:PASSAGE_CHARS], round(score, 4)))
        taken |= span
        if len(chosen) == limit:
            break
    return sorted(chosen)
