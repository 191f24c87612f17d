"""The citation validator: every `[n]` must resolve to a retrieved source that supports its text.

It works on the report's Markdown, so it can re-check a report after a person
edits it (`stepresearch verify RUN_DIR`). For each group of marks (`[1]` or
`[1][3]`) the text it covers is the stretch since the previous group, or the
sentence start; a leading label ending in a colon ("Another source disagrees:")
is not part of the claim. Each mark is:

- valid, when the judge finds that its source entails the covered text;
- re-attributed, when it does not but another retrieved source does;
- removed, when no retrieved source does; a sentence left with no mark is then
  marked *(unverified)*.

Marks placed after the full stop ("Some fact. [1]"), the commonest hand-edited
style, belong to the sentence before them.

A mark whose number is not in the `## Sources` list, or whose source was never
retrieved, is a phantom: it is always re-attributed or removed. Table rows (the
Verification table) are only checked for phantoms, since their "against"
column cites sources that by design do not support the claim. At the end the
marks are renumbered by first appearance and the `## Sources` list rebuilt.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, Field

from stepresearch.judge import Judge, SemanticJudge
from stepresearch.state import CitationStats, Source
from stepresearch.steps import Steps, run_steps
from stepresearch.text import split_sentences

UNVERIFIED = "*(unverified)*"
_GROUP = re.compile(r"(?:\s*\[\d+\])+")
_MARK = re.compile(r"\[(\d+)\]")
_SOURCE_LINE = re.compile(r"^\[(\d+)\]\s+(.*?)\s+—\s+(\S+)\s*$")
_MARKS_AFTER_STOP = re.compile(r"([.!?])((?:\s*\[\d+\])+)(?=\s|$)")


class ValidationResult(BaseModel):
    markdown: str
    stats: CitationStats
    cited_source_ids: list[str]
    unverified: list[str] = Field(default_factory=list)


class _Support:
    """Whether a source entails a text, by the judge, memoised."""

    def __init__(self, sources: list[Source], judge: Judge) -> None:
        self.sources = sources
        self.by_id = {s.id: s for s in sources}
        self.judge = judge
        self._memo: dict[tuple[str, str], bool] = {}

    def entails(self, text: str, source_id: str) -> Steps[bool]:
        key = (text, source_id)
        if key not in self._memo:
            source = self.by_id.get(source_id)
            verdicts = (yield from self.judge.judge_steps([(text, source.text, source.title)])) if source else []
            self._memo[key] = bool(verdicts) and verdicts[0].entails
        return self._memo[key]

    def best(self, text: str) -> Steps[str | None]:
        """The retrieved source that entails the text best, or None."""
        if not text.strip():
            return None
        verdicts = yield from self.judge.judge_steps([(text, s.text, s.title) for s in self.sources])
        entailing = [(v.coverage, -i, s.id) for i, (v, s) in enumerate(zip(verdicts, self.sources)) if v.entails]
        for _, _, source_id in entailing:
            self._memo[(text, source_id)] = True
        return max(entailing)[2] if entailing else None


def validate_markdown(markdown: str, sources: list[Source], judge: Judge | None = None) -> ValidationResult:
    """Check every citation of the report against the retrieved sources; repair what does not hold."""
    return run_steps(validate_steps(markdown, sources, judge))


def validate_steps(markdown: str, sources: list[Source], judge: Judge | None = None) -> Steps[ValidationResult]:
    """`validate_markdown` as steps, for a node that drives a policy judge's calls sync or async."""
    body, listed = _split(markdown)
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
            out_lines.append((yield from _check_prose_line(line, number_to_id, support, stats, unverified)))
    text, order = _renumber("\n".join(out_lines))
    cited = [sid for sid in order if sid in by_id]
    sources_block = "\n".join(f"[{i}] {by_id[sid].title} — {by_id[sid].uri}" for i, sid in enumerate(cited, start=1))
    markdown_out = text.rstrip() + "\n\n## Sources\n\n" + (sources_block or "No sources are cited.") + "\n"
    return ValidationResult(markdown=markdown_out, stats=stats, cited_source_ids=cited, unverified=unverified)


def _check_prose_line(
    line: str, number_to_id: dict[int, str], support: _Support, stats: CitationStats, unverified: list[str]
) -> Steps[str]:
    prefix = re.match(r"^\s*(?:[-*]\s+)?", line).group(0)
    sentences = split_sentences(_MARKS_AFTER_STOP.sub(r"\2\1", line[len(prefix) :]))
    rebuilt = []
    for sentence in sentences:
        if not _MARK.search(sentence):
            rebuilt.append(sentence)
            continue
        pieces, kept_any, last = [], False, 0
        for group in _GROUP.finditer(sentence):
            covered = sentence[last : group.start()]
            claim = _claim_text(covered)
            ids: list[str] = []
            for n in (int(m) for m in _MARK.findall(group.group(0))):
                stats.total += 1
                source_id = number_to_id.get(n)
                if source_id is None:
                    stats.phantom += 1
                if source_id is not None and (yield from support.entails(claim, source_id)):
                    stats.valid += 1
                    chosen = source_id
                else:
                    chosen = yield from support.best(claim)
                    if chosen is None:
                        stats.removed += 1
                        continue
                    stats.reattributed += 1
                if chosen not in ids:
                    ids.append(chosen)
            kept_any = kept_any or bool(ids)
            pieces.append(covered + (" " + "".join(f"[@{sid}]" for sid in ids) if ids else ""))
            last = group.end()
        tail = sentence[last:]
        fixed = "".join(pieces) + tail
        if not kept_any:
            stats.unsupported_sentences += 1
            unverified.append(_claim_text(fixed))
            fixed = _mark_unverified(fixed)
        rebuilt.append(fixed)
    return prefix + " ".join(rebuilt)


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


def _split(markdown: str) -> tuple[str, dict[int, str]]:
    head, sep, tail = markdown.partition("\n## Sources\n")
    listed: dict[int, str] = {}
    if sep:
        for line in tail.splitlines():
            match = _SOURCE_LINE.match(line.strip())
            if match:
                listed[int(match.group(1))] = match.group(3)
    return head, listed


def _claim_text(covered: str) -> str:
    text = _MARK.sub("", covered).strip(" \t-—–:;,")
    if ": " in text:
        text = text.rsplit(": ", 1)[1]
    return text.strip()


def _mark_unverified(sentence: str) -> str:
    sentence = re.sub(r"\s+([.!?])", r"\1", sentence.rstrip())
    if not sentence or UNVERIFIED in sentence:
        return sentence
    if sentence[-1:] in ".!?":
        return f"{sentence[:-1]} {UNVERIFIED}{sentence[-1]}"
    return f"{sentence} {UNVERIFIED}"
