"""The report's fixed phrases, one table per language.

Everything the engine itself writes into report.md (headings, the short answer's framing, verdict labels,
the validator's marks, the run's notes and stop reasons) is looked up here by the report's language, the
question's (`ResearchBrief.language`), never written inline. A phrase that embeds values is a format string
with named placeholders ("{n} independent sources"), filled by the method that knows its grammar
(`witnesses` for the English plural), so the renderer holds no per-language if-statements.

A new language is one more table: a `ReportPhrases` with every field written in it, registered in `TABLES`
under its ISO 639-1 code (and its name in `LANGUAGE_NAMES`, for the prompts' "Write in ..." line). A
language without a table gets the English one.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict

DEFAULT_LANGUAGE = "en"

# The language's name as the policy's prompt gives it: "Write in Chinese (中文)."
LANGUAGE_NAMES = {"en": "English", "zh": "Chinese (中文)"}


class ReportPhrases(BaseModel):
    """Every fixed phrase of a report in one language. Heading fields hold the heading's text (the renderer
    adds the `## `); the rest are format strings, their placeholders named in the English table."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    language: str

    # Headings, and the line under the title.
    question_line: str
    short_answer: str
    disagreements: str
    method: str
    verification: str
    sources: str
    searched: str
    run_notes: str

    # The title when the policy's is unusable.
    default_title: str

    # The short answer's framing.
    unanswered: str
    list_separator: str
    quoted: str
    disputed_answer: str
    tally: str
    independent_source: str
    independent_sources: str

    # "Where sources disagree".
    disagreement_item: str

    # "Scope and method".
    assumption: str
    assumed: str  # the brief's note that no one was there to clarify the question, in this language
    method_summary: str
    research_stopped: str
    note: str

    # "Verification": the table's columns and the verdicts as a reader sees them.
    claim_column: str
    verdict_column: str
    for_column: str
    against_column: str
    verdict_supported: str
    verdict_single_source: str
    verdict_contradicted: str
    verdict_unsupported: str

    # "Sources", and the report that found none.
    no_sources: str
    no_relevant_sources: str
    tool_separator: str
    default_tools: str

    # The citation validator's mark, its note, and the warning under the title.
    unverified: str
    validator_note: str
    warning_line: str
    degraded_warning: str

    # Notes and stop reasons the nodes record (the report's "Scope and method" shows them).
    dropped_note: str
    gaps_left_open: str
    stop_no_gaps: str
    stop_max_rounds: str
    stop_tool_calls: str
    stop_prompt_tokens: str
    stop_wall_time: str
    log_over_budget: str

    def witnesses(self, n: int) -> str:
        """'1 independent source', '2 independent sources': the table's singular for exactly one."""
        return (self.independent_source if n == 1 else self.independent_sources).format(n=n)

    def tally_of(self, one: int, other: int) -> str:
        """The two sides' independent witnesses: '(2 independent sources against 1 independent source.)'."""
        return self.tally.format(one=self.witnesses(one), other=self.witnesses(other))

    def verdict_label(self, verdict: str) -> str:
        """A claim's verdict as the Verification table shows it."""
        return getattr(self, f"verdict_{verdict}")

    def quote_list(self, parts: Iterable[str]) -> str:
        """Asked parts, each quoted, joined: '“who ...”; “when ...”'."""
        return self.list_separator.join(self.quoted.format(text=part) for part in parts)

    def warning(self, text: str) -> str:
        """The warning quote under the title, its first letter capitalised."""
        return self.warning_line.format(warning=f"{text[0].upper()}{text[1:]}")

    def headings(self) -> tuple[str, ...]:
        """Every fixed heading of a report in this language."""
        return (
            self.short_answer,
            self.disagreements,
            self.method,
            self.verification,
            self.sources,
            self.searched,
            self.run_notes,
        )


ENGLISH = ReportPhrases(
    language="en",
    question_line="*Question:* {question}",
    short_answer="Short answer",
    disagreements="Where sources disagree",
    method="Scope and method",
    verification="Verification",
    sources="Sources",
    searched="What was searched",
    run_notes="Notes on this run",
    default_title="Research report: {question}",
    unanswered="No retrieved source answers {parts}.",
    list_separator="; ",
    quoted="“{text}”",
    disputed_answer="On “{part}” the sources disagree. {one} Other sources say otherwise: {other} {tally}",
    tally="({one} against {other}.)",
    independent_source="{n} independent source",
    independent_sources="{n} independent sources",
    disagreement_item="{one} Another source disagrees: {other} {tally}",
    assumption="Assumption: {text}",
    assumed="No one was available to clarify the question, so it is researched as written.",
    method_summary="Searched {sub_questions} sub-question(s) in {rounds} round(s) and read {sources} source(s). "
    "Every citation was computed by matching the sentence against the retrieved text; sentences no source "
    "supports were left out.",
    research_stopped="Research stopped: {reason}.",
    note="Note: {note}",
    claim_column="Key claim",
    verdict_column="Verdict",
    for_column="Sources for",
    against_column="Sources against",
    verdict_supported="supported (2+ independent sources)",
    verdict_single_source="single source",
    verdict_contradicted="contradicted",
    verdict_unsupported="unsupported",
    no_sources="No sources are cited.",
    no_relevant_sources="No relevant sources were found ({tools}), so this report makes no claims and cites nothing.",
    tool_separator=", ",
    default_tools="the configured search tools",
    unverified="*(unverified)*",
    validator_note="the citation validator re-attributed {reattributed} and removed {removed} citation(s); "
    "{unverified} sentence(s) marked unverified",
    warning_line="> **Warning:** {warning}.",
    degraded_warning="the policy returned no usable text in {unusable} of {calls} calls; this report was "
    "assembled from sentences of the retrieved sources alone",
    dropped_note="{n} sentence(s) the policy wrote were dropped: no on-topic source entails them, or they did not "
    "answer their section",
    gaps_left_open="{n} gap(s) left open: {reason}",
    stop_no_gaps="no new gaps to search",
    stop_max_rounds="max rounds reached ({rounds})",
    stop_tool_calls="tool-call budget spent ({calls})",
    stop_prompt_tokens="prompt-token budget spent ({tokens})",
    stop_wall_time="wall-time budget spent ({seconds:g} s)",
    log_over_budget="the research log is {tokens} tokens after compaction, over its budget of {budget}: the run "
    "has more evidence than the policy's context can hold even as digests",
)

CHINESE = ReportPhrases(
    language="zh",
    question_line="*问题*：{question}",
    short_answer="简短回答",
    disagreements="来源之间的分歧",
    method="范围与方法",
    verification="核查",
    sources="来源",
    searched="检索内容",
    run_notes="本次运行说明",
    default_title="研究报告：{question}",
    unanswered="检索到的来源均未回答{parts}。",
    list_separator="；",
    quoted="“{text}”",
    disputed_answer="关于“{part}”，各来源说法不一。{one}其他来源则称：{other}{tally}",
    tally="（双方分别有{one}和{other}。）",
    independent_source="{n}个独立来源",
    independent_sources="{n}个独立来源",
    disagreement_item="{one}另有来源持不同说法：{other}{tally}",
    assumption="假设：{text}",
    assumed="无人可以澄清问题的含义，因此按问题原文进行研究。",
    method_summary="共检索了{sub_questions}个子问题，历时{rounds}轮，阅读了{sources}个来源。每条引用都是将句子与"
    "检索到的原文比对后得出的；没有来源支持的句子均已略去。",
    research_stopped="研究停止：{reason}。",
    note="备注：{note}",
    claim_column="关键论断",
    verdict_column="结论",
    for_column="支持的来源",
    against_column="反对的来源",
    verdict_supported="有据可依（2个以上独立来源）",
    verdict_single_source="仅有单一来源",
    verdict_contradicted="存在矛盾",
    verdict_unsupported="缺乏依据",
    no_sources="未引用任何来源。",
    no_relevant_sources="未找到相关来源（{tools}），因此本报告不作任何论断，也不引用任何来源。",
    tool_separator="、",
    default_tools="已配置的搜索工具",
    unverified="*（未核实）*",
    validator_note="引用核验器重新归属了{reattributed}条引用，删除了{removed}条引用；{unverified}个句子被标为未核实",
    warning_line="> **警告**：{warning}。",
    degraded_warning="策略模型在{calls}次调用中有{unusable}次未返回可用文本；本报告完全由检索到的来源中的句子拼合而成",
    dropped_note="策略模型所写的{n}个句子已被删去：没有切题的来源能支持它们，或它们没有回答所在章节的问题",
    gaps_left_open="尚有{n}处缺口未填补：{reason}",
    stop_no_gaps="没有新的缺口需要检索",
    stop_max_rounds="已达到最大轮数（{rounds}）",
    stop_tool_calls="工具调用预算已用完（{calls}）",
    stop_prompt_tokens="提示词元预算已用完（{tokens}）",
    stop_wall_time="运行时间预算已用完（{seconds:g}秒）",
    log_over_budget="压缩后研究日志仍有{tokens}个词元，超出其{budget}个词元的预算：本次运行的证据太多，即使压缩成摘要，"
    "策略模型的上下文也容纳不下",
)

TABLES: dict[str, ReportPhrases] = {"en": ENGLISH, "zh": CHINESE}


def phrases_for(language: str | None) -> ReportPhrases:
    """The table for an ISO 639-1 code ("en", "zh"; "zh-Hans" and "ZH" read as "zh").

    A language with no table falls back to English. A new language is added by writing one `ReportPhrases`
    table and registering it in `TABLES` (and its name in `LANGUAGE_NAMES`)."""
    return TABLES.get(_code(language), ENGLISH)


def language_of(state: Mapping[str, Any] | None) -> str:
    """The language of the report a run's state makes: its brief's, English before there is a brief."""
    brief = state.get("brief") if state else None
    return getattr(brief, "language", None) or DEFAULT_LANGUAGE


def phrases_of(state: Mapping[str, Any] | None) -> ReportPhrases:
    """The table of the run's language (`language_of`)."""
    return phrases_for(language_of(state))


def language_instruction(language: str | None) -> str:
    """The prompt's line asking the policy to write in the question's language; '' for English (English
    prompts stay byte-identical) and for a language without a name here."""
    code = _code(language)
    if code == DEFAULT_LANGUAGE or code not in LANGUAGE_NAMES:
        return ""
    return f"Write in {LANGUAGE_NAMES[code]}."


def report_language(markdown: str, default: str = DEFAULT_LANGUAGE) -> str:
    """The language of a report, read from its headings: the table with the most of its headings there
    (a hand-edited report may have lost some); `default` when none is (English wins a tie)."""
    present = {line[3:].strip() for line in markdown.splitlines() if line.startswith("## ")}
    best, score = default, 0
    for code in sorted(TABLES, key=lambda c: c != DEFAULT_LANGUAGE):
        found = len(present.intersection(TABLES[code].headings()))
        if found > score:
            best, score = code, found
    return best


def is_phrase(text: str, field: str) -> bool:
    """Whether `text` contains the phrase `field` of any table, its placeholders standing for anything:
    how a reader of notes or reports recognises, say, the degraded-policy warning in either language."""
    return any(_pattern(getattr(table, field)).search(text) for table in TABLES.values())


def _code(language: str | None) -> str:
    """The bare ISO 639-1 code: "zh-Hans", "zh_CN" and "ZH" are "zh"; none is English."""
    return (language or DEFAULT_LANGUAGE).strip().lower().replace("_", "-").split("-", 1)[0] or DEFAULT_LANGUAGE


def _pattern(template: str) -> re.Pattern[str]:
    parts = []
    for literal, name, _spec, _conversion in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(".+?")
    return re.compile("".join(parts), re.S)
