"""The citation validator: every citation must be a retrieved source that supports its sentence.

It checks the structured report (`validate_report_steps`): each cited sentence of the short answer, the
disputed answers, the sections and the disagreements, against each source it cites. A citation is:

- valid, when the judge finds that its source entails the sentence;
- re-attributed, when it does not but another retrieved source does;
- removed, when no retrieved source does; a sentence left citing nothing is then flagged unverified, and
  the report shows the *(unverified)* mark of its language.

A source id that was never retrieved is a phantom: it is always re-attributed or removed. The
Verification table is only checked for phantoms, since its "against" column cites sources that by design
do not support the claim. For every citation kept it records the judge's alignment (`Alignment`: the
passage of the source that supports the sentence, located in the source's text), which is what the run
viewer highlights; the viewer judges nothing again.

A report a person edited is Markdown, and `validate_markdown` (`stepresearch verify RUN_DIR`) is the one
parser of it. For each group of marks (`[1]` or `[1][3]`) the text it covers is the stretch since the
previous group, or the sentence start; a leading label ending in a colon ("Another source disagrees:")
is not part of the claim. Marks placed after the full stop ("Some fact. [1]"), the commonest hand-edited
style, belong to the sentence before them. Each group is checked as above, the marks are renumbered by
first appearance and the `## Sources` list rebuilt. Its headings and marks are the report's language's
(`stepresearch.core.phrases`): given, or read from the report's own headings. A Chinese label ends in a
full-width colon ("另有来源持不同说法："), and a Chinese sentence in a full-width stop with no space after it.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from stepresearch.core.phrases import ENGLISH, TABLES, ReportPhrases, phrases_for, report_language
from stepresearch.core.steps import Steps, run_steps
from stepresearch.core.text import locate_all, split_sentences
from stepresearch.judge import Judge, SemanticJudge
from stepresearch.judge.lexical import Judgement
from stepresearch.state import Alignment, CitationStats, CitedSentence, Report, Source
from stepresearch.state.report import MARKS_BEFORE, marked_unverified

from .report_parts import with_references

UNVERIFIED = ENGLISH.unverified  # "*(unverified)*"; each language's is `ReportPhrases.unverified`
_GROUP = re.compile(r"(?:\s*\[\d+\])+")
_MARK = re.compile(r"\[(\d+)\]")
_SOURCE_LINE = re.compile(r"^\[(\d+)\]\s+(.*?)\s+—\s+(\S+)\s*$")
_MARKS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+\])+)(?=\s|$)")
_MARKS_AFTER_WIDE_STOP = re.compile(r"([。！？])((?:\s*\[\d+\])+)")  # "句子。[1]": no space follows in Chinese
_WIDE_STOPS = "。！？"


class ValidationResult(BaseModel):
    markdown: str
    stats: CitationStats
    cited_source_ids: list[str]
    unverified: list[str] = Field(default_factory=list)


class ReportCheck(BaseModel):
    """The validated report and what the validator found."""

    report: Report
    stats: CitationStats
    unverified: list[str] = Field(default_factory=list, description="The sentences left citing nothing.")


class _Support:
    """Whether a source entails a text, by the judge, memoised with the judge's verdict."""

    def __init__(self, sources: list[Source], judge: Judge) -> None:
        self.sources = sources
        self.by_id = {s.id: s for s in sources}
        self.judge = judge
        self._memo: dict[tuple[str, str], Judgement | None] = {}

    def entails(self, text: str, source_id: str) -> Steps[bool]:
        key = (text, source_id)
        if key not in self._memo:
            source = self.by_id.get(source_id)
            verdicts = (yield from self.judge.judge_steps([(text, source.text, source.title)])) if source else []
            self._memo[key] = verdicts[0] if verdicts else None
        verdict = self._memo[key]
        return verdict is not None and verdict.entails

    def best(self, text: str) -> Steps[str | None]:
        """The retrieved source that entails the text best, or None."""
        if not text.strip():
            return None
        verdicts = yield from self.judge.judge_steps([(text, s.text, s.title) for s in self.sources])
        entailing = [(v.coverage, -i, s.id) for i, (v, s) in enumerate(zip(verdicts, self.sources)) if v.entails]
        for v, s in zip(verdicts, self.sources):
            self._memo.setdefault((text, s.id), v)
        return max(entailing)[2] if entailing else None

    def alignment(self, text: str, source_id: str) -> Alignment:
        """What the judge aligned `text` with in the source, located in the source's text."""
        verdict = self._memo.get((text, source_id))
        source = self.by_id[source_id]
        passage = verdict.sentence if verdict is not None else ""
        label = verdict.label if verdict is not None else ""
        return Alignment(source_id=source_id, label=label, passage=passage, spans=locate_all(passage, source.text))


def check_citations(claim: str, cited: list[str | None], support: _Support, stats: CitationStats) -> Steps[list[str]]:
    """The sources that hold up for one claim: each cited one that entails it, else the retrieved source that
    does (re-attributed), else none (removed). `None` in `cited` is a mark that names nothing retrieved."""
    kept: list[str] = []
    for source_id in cited:
        stats.total += 1
        if source_id is None or source_id not in support.by_id:
            stats.phantom += 1
            source_id = None
        if source_id is not None and (yield from support.entails(claim, source_id)):
            stats.valid += 1
            chosen = source_id
        else:
            chosen = yield from support.best(claim)
            if chosen is None:
                stats.removed += 1
                continue
            stats.reattributed += 1
        if chosen not in kept:
            kept.append(chosen)
    return kept


def validate_report(report: Report, sources: list[Source], judge: Judge | None = None) -> ReportCheck:
    """Check every citation of a structured report against the retrieved sources; repair what does not hold."""
    return run_steps(validate_report_steps(report, sources, judge))


def validate_report_steps(report: Report, sources: list[Source], judge: Judge | None = None) -> Steps[ReportCheck]:
    """`validate_report` as steps, for a node that drives a policy judge's calls sync or async."""
    support = _Support(sources, judge or SemanticJudge())
    stats = CitationStats()
    unverified: list[str] = []
    checked: dict[int, CitedSentence] = {}
    for sentence in report.sentences():
        if not sentence.source_ids or id(sentence) in checked:
            continue
        claim = claim_of(sentence.text)
        kept = yield from check_citations(claim, list(sentence.source_ids), support, stats)
        if not kept:
            stats.unsupported_sentences += 1
            unverified.append(claim)
        checked[id(sentence)] = sentence.model_copy(
            update={
                "source_ids": kept,
                "unverified": not kept,
                "alignments": [support.alignment(claim, sid) for sid in kept],
            }
        )
    verification = [
        claim.model_copy(
            update={
                "supporting": _retrieved(claim.supporting, support, stats),
                "contradicting": _retrieved(claim.contradicting, support, stats),
            }
        )
        for claim in report.verification
    ]
    validated = _replace_sentences(report, checked).model_copy(update={"verification": verification})
    return ReportCheck(report=with_references(validated, support.by_id), stats=stats, unverified=unverified)


def claim_of(text: str) -> str:
    """The statement a sentence makes, without the final stop its marks go before."""
    text = text.strip()
    return text[:-1].rstrip() if text and text[-1] in MARKS_BEFORE else text


def _retrieved(source_ids: list[str], support: _Support, stats: CitationStats) -> list[str]:
    """A table's marks: only a phantom is removed (the "against" column does not support by design)."""
    kept = []
    for source_id in source_ids:
        stats.total += 1
        if source_id in support.by_id:
            stats.valid += 1
            kept.append(source_id)
        else:
            stats.phantom += 1
            stats.removed += 1
    return kept


def _replace_sentences(report: Report, checked: dict[int, CitedSentence]) -> Report:
    def swap(sentence: CitedSentence) -> CitedSentence:
        return checked.get(id(sentence), sentence)

    return report.model_copy(
        update={
            "short_answer": [swap(s) for s in report.short_answer],
            "disputed": [
                d.model_copy(update={"one_side": swap(d.one_side), "other_side": swap(d.other_side)})
                for d in report.disputed
            ],
            "sections": [s.model_copy(update={"sentences": [swap(x) for x in s.sentences]}) for s in report.sections],
            "disagreements": [
                d.model_copy(update={"one_side": swap(d.one_side), "other_side": swap(d.other_side)})
                for d in report.disagreements
            ],
        }
    )


def validate_markdown(
    markdown: str, sources: list[Source], judge: Judge | None = None, language: str | None = None
) -> ValidationResult:
    """Check every citation of the report against the retrieved sources; repair what does not hold.

    `language` is the report's (its headings and marks); None reads it from the report's headings."""
    return run_steps(validate_markdown_steps(markdown, sources, judge, language))


def validate_markdown_steps(
    markdown: str, sources: list[Source], judge: Judge | None = None, language: str | None = None
) -> Steps[ValidationResult]:
    """`validate_markdown` as steps, for a node that drives a policy judge's calls sync or async."""
    phrases = phrases_for(language if language is not None else report_language(markdown))
    body, listed = _split(markdown, phrases)
    by_uri = {s.uri: s for s in sources}
    by_id = {s.id: s for s in sources}
    number_to_id: dict[int, str] = {}
    for n, uri in listed.items():
        if uri in by_uri:
            number_to_id[n] = by_uri[uri].id
    support = _Support(sources, judge or SemanticJudge())
    stats = CitationStats()
    unverified: list[str] = []
    out_lines = []
    for line in body.split("\n"):
        if line.lstrip().startswith("|"):
            out_lines.append(_check_table_line(line, number_to_id, stats))
        elif line.lstrip().startswith("#") or not _MARK.search(line):
            out_lines.append(line)
        else:
            out_lines.append((yield from _check_prose_line(line, number_to_id, support, stats, unverified, phrases)))
    text, order = _renumber("\n".join(out_lines))
    cited = [sid for sid in order if sid in by_id]
    sources_block = "\n".join(f"[{i}] {by_id[sid].title} — {by_id[sid].uri}" for i, sid in enumerate(cited, start=1))
    markdown_out = text.rstrip() + f"\n\n## {phrases.sources}\n\n" + (sources_block or phrases.no_sources) + "\n"
    return ValidationResult(markdown=markdown_out, stats=stats, cited_source_ids=cited, unverified=unverified)


def _check_prose_line(
    line: str,
    number_to_id: dict[int, str],
    support: _Support,
    stats: CitationStats,
    unverified: list[str],
    phrases: ReportPhrases = ENGLISH,
) -> Steps[str]:
    prefix = re.match(r"^\s*(?:[-*]\s+)?", line).group(0)
    text = _MARKS_AFTER_WIDE_STOP.sub(r"\2\1", _MARKS_AFTER_STOP.sub(r"\2\1", line[len(prefix) :]))
    sentences = split_sentences(text)
    rebuilt = []
    for sentence in sentences:
        if not _MARK.search(sentence):
            rebuilt.append(sentence)
            continue
        pieces, kept_any, last = [], False, 0
        for group in _GROUP.finditer(sentence):
            covered = sentence[last : group.start()]
            claim = _claim_text(covered)
            marked = [number_to_id.get(int(m)) for m in _MARK.findall(group.group(0))]
            ids = yield from check_citations(claim, marked, support, stats)
            kept_any = kept_any or bool(ids)
            pieces.append(covered + (" " + "".join(f"[@{sid}]" for sid in ids) if ids else ""))
            last = group.end()
        tail = sentence[last:]
        fixed = "".join(pieces) + tail
        if not kept_any:
            stats.unsupported_sentences += 1
            unverified.append(_claim_text(fixed))
            fixed = marked_unverified(re.sub(r"\s+([.!?。！？])", r"\1", fixed), phrases.unverified)
        rebuilt.append(fixed)
    return prefix + _join(rebuilt)


def _join(sentences: list[str]) -> str:
    """Sentences back into a line: a space after each, none after a full-width stop (Chinese has none)."""
    out = ""
    for sentence in sentences:
        out += sentence if not out or out[-1] in _WIDE_STOPS + "）" else " " + sentence
    return out


def _check_table_line(line: str, number_to_id: dict[int, str], stats: CitationStats) -> str:
    def repair(match: re.Match) -> str:
        stats.total += 1
        source_id = number_to_id.get(int(match.group(1)))
        if source_id is None:
            stats.phantom += 1
            stats.removed += 1
            return ""
        stats.valid += 1
        return f"[@{source_id}]"

    return _MARK.sub(repair, line)


def _renumber(text: str) -> tuple[str, list[str]]:
    """Turn the internal `[@id]` marks into [1], [2], … by first appearance."""
    order: list[str] = []

    def number(match: re.Match) -> str:
        source_id = match.group(1)
        if source_id not in order:
            order.append(source_id)
        return f"[{order.index(source_id) + 1}]"

    return re.sub(r"\[@([^\]]+)\]", number, text), order


def _split(markdown: str, phrases: ReportPhrases = ENGLISH) -> tuple[str, dict[int, str]]:
    """The report before its source list, and the list's numbers and uris. The list's heading is the
    report's language's, or any language's (a person may have edited the report in another)."""
    headings = dict.fromkeys([phrases.sources, *(table.sources for table in TABLES.values())])
    head, sep, tail = markdown, "", ""
    for heading in headings:
        head, sep, tail = markdown.partition(f"\n## {heading}\n")
        if sep:
            break
    listed: dict[int, str] = {}
    if sep:
        for line in tail.splitlines():
            match = _SOURCE_LINE.match(line.strip())
            if match:
                listed[int(match.group(1))] = match.group(3)
    return head, listed


def _claim_text(covered: str) -> str:
    text = _MARK.sub("", covered).strip(" \t-—–:;,：；，")
    if ": " in text:
        text = text.rsplit(": ", 1)[1]
    # A Chinese stretch: the sentences before the last full-width stop, and a label up to a full-width colon.
    for stop in (*_WIDE_STOPS, "："):
        head, sep, tail = text.rpartition(stop)
        if sep and tail.strip():
            text = tail
    return text.strip()
