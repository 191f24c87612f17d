"""The report's fixed phrases: one table per language, and a Chinese question's report written with its own."""

from __future__ import annotations

import dataclasses
import re
import string

import pytest
from conftest import DOCS, QUESTION, scripted_replies
from fakes import ScriptedPolicy, list_tool
from fakes import searched_state as fake_searched_state
from langgraph.runtime import Runtime

from stepresearch.core.phrases import (
    CHINESE,
    ENGLISH,
    LANGUAGE_NAMES,
    TABLES,
    ReportPhrases,
    is_phrase,
    language_instruction,
    phrases_for,
    report_language,
)
from stepresearch.judge import JudgeDecision
from stepresearch.nodes import ResearchContext, draft_section, write
from stepresearch.nodes.citation_check import validate_markdown
from stepresearch.nodes.layout import in_language
from stepresearch.nodes.reflect import budget_stop_reason
from stepresearch.nodes.report_parts import complete_report
from stepresearch.nodes.sections import dispatch_sections
from stepresearch.state import (
    Budgets,
    CitedSentence,
    Claim,
    DisputedAnswer,
    Report,
    ReportSection,
    ResearchBrief,
    Source,
    SubQuestion,
)
from stepresearch.tools import as_search_tool

FIELDS = [name for name in ReportPhrases.model_fields if name != "language"]


def render_report(report: Report, state: dict) -> tuple[str, list[str]]:
    """The writer's report completed with the run's parts, as Markdown, and its cited sources in order."""
    done = complete_report(report, state)
    return done.markdown, done.cited_source_ids


HEADING_FIELDS = ["short_answer", "disagreements", "method", "verification", "sources", "searched", "run_notes"]
ENGLISH_HEADINGS = [getattr(ENGLISH, name) for name in HEADING_FIELDS]
CHINESE_HEADINGS = [getattr(CHINESE, name) for name in HEADING_FIELDS]


def placeholders(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


# The tables ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(TABLES))
def test_every_table_has_every_phrase(code):
    table = TABLES[code]
    assert table.language == code
    for name in FIELDS:
        assert getattr(table, name).strip(), f"{code}: {name} is empty"


@pytest.mark.parametrize("code", sorted(TABLES))
def test_every_table_fills_the_same_placeholders_as_english(code):
    for name in FIELDS:
        assert placeholders(getattr(TABLES[code], name)) == placeholders(getattr(ENGLISH, name)), name


def test_chinese_headings_have_no_ascii_letters_and_use_chinese_punctuation():
    columns = [CHINESE.claim_column, CHINESE.verdict_column, CHINESE.for_column, CHINESE.against_column]
    verdicts = [CHINESE.verdict_label(v) for v in ("supported", "single_source", "contradicted", "unsupported")]
    for text in CHINESE_HEADINGS + columns + verdicts:
        assert not re.search(r"[A-Za-z]", text), text
    for name in FIELDS:
        text = re.sub(r"\{[^}]*\}", "", getattr(CHINESE, name))
        if name not in ("list_separator", "tool_separator", "quoted", "question_line", "warning_line", "unverified"):
            assert not re.search(r"[,;:!?]|\.(?!\d)", text), f"{name}: ASCII punctuation in a Chinese phrase"
    assert CHINESE.list_separator == "；" and CHINESE.tool_separator == "、"


def test_a_language_without_a_table_falls_back_to_english():
    assert phrases_for("xx") is ENGLISH
    assert phrases_for("") is ENGLISH and phrases_for(None) is ENGLISH
    assert phrases_for("zh") is CHINESE and phrases_for("zh-Hans") is CHINESE and phrases_for("ZH_cn") is CHINESE


def test_the_plural_is_the_tables_own():
    assert ENGLISH.witnesses(1) == "1 independent source"
    assert ENGLISH.witnesses(2) == "2 independent sources"
    assert ENGLISH.witnesses(0) == "0 independent sources"
    assert ENGLISH.tally_of(1, 3) == "(1 independent source against 3 independent sources.)"
    assert CHINESE.witnesses(1) == "1个独立来源" and CHINESE.witnesses(2) == "2个独立来源"
    assert CHINESE.tally_of(1, 3) == "（双方分别有1个独立来源和3个独立来源。）"


def test_the_prompt_asks_for_the_language_only_when_it_is_not_english():
    task = "TASK: summarize\nReply in JSON."
    assert in_language(task, "en") == task and in_language(task, "xx") == task and in_language(task, None) == task
    assert language_instruction("zh") == "Write in Chinese (中文)."
    assert in_language(task, "zh") == task + "\nWrite in Chinese (中文)."
    assert set(LANGUAGE_NAMES) >= set(TABLES)


def test_a_reports_language_is_read_from_its_headings():
    assert report_language("# R\n\n## 简短回答\n\n文字。\n\n## 来源\n\n") == "zh"
    assert report_language("# R\n\n## Short answer\n\nText.\n\n## Sources\n\n") == "en"
    assert report_language("# R\n\nno headings at all\n") == "en"
    assert report_language("# R\n\nno headings at all\n", default="zh") == "zh"


def test_a_phrase_is_recognised_in_either_language():
    english = ENGLISH.degraded_warning.format(unusable=5, calls=6)
    chinese = CHINESE.degraded_warning.format(unusable=5, calls=6)
    assert is_phrase(english, "degraded_warning") and is_phrase(chinese, "degraded_warning")
    assert not is_phrase("the research log is over its budget", "degraded_warning")


def test_stop_reasons_are_in_the_questions_language():
    zh = {"round": 2, "brief": ResearchBrief(question="q", objective="o", language="zh")}
    assert budget_stop_reason(zh, Budgets()) == "已达到最大轮数（2）"
    assert budget_stop_reason({"round": 2}, Budgets()) == "max rounds reached (2)"


# A Chinese report ------------------------------------------------------------------------------------


def chinese_state() -> dict:
    fall = Source(
        id="a", title="君士坦丁堡陷落", uri="doc:a", text="君士坦丁堡于1453年被奥斯曼帝国攻陷。", tool="folder",
        origin="a",
    )  # fmt: skip
    other = Source(id="b", title="另一记载", uri="doc:b", text="君士坦丁堡于1454年被攻陷。", tool="folder", origin="b")
    return {
        "question": "拜占庭帝国何时灭亡？",
        "brief": ResearchBrief(
            question="拜占庭帝国何时灭亡？",
            objective="拜占庭帝国何时灭亡",
            assumptions=["首都指君士坦丁堡"],
            language="zh",
        ),
        "sources": {"a": fall, "b": other},
        "sub_questions": [SubQuestion(id="r1q1", text="拜占庭帝国何时灭亡？", round=1, index=0)],
        "claims": [
            Claim(
                text="君士坦丁堡于1453年被攻陷。",
                verdict="contradicted",
                supporting=["a"],
                contradicting=["b"],
                counter_evidence=["君士坦丁堡于1454年被攻陷。"],
                supporting_witnesses=1,
                contradicting_witnesses=1,
            ),
            Claim(text="君士坦丁堡被奥斯曼帝国攻陷。", verdict="single_source", supporting=["a"]),
        ],  # fmt: skip
        "stop_reason": CHINESE.stop_no_gaps,
        "notes": ["一条备注"],
    }


def chinese_report() -> Report:
    return Report(
        title="拜占庭帝国的灭亡",
        short_answer=[CitedSentence(text="君士坦丁堡于1453年被奥斯曼帝国攻陷。", source_ids=["a"])],
        disputed=[
            DisputedAnswer(
                part="何时灭亡",
                one_side=CitedSentence(text="君士坦丁堡于1453年被攻陷。", source_ids=["a"]),
                other_side=CitedSentence(text="君士坦丁堡于1454年被攻陷。", source_ids=["b"]),
            )
        ],
        unanswered=["谁攻陷了它"],
        sections=[
            ReportSection(heading="何时灭亡", sentences=[CitedSentence(text="帝国就此灭亡。", source_ids=["a"])])
        ],
    )


def test_a_chinese_questions_report_has_chinese_headings_and_phrases():
    markdown, cited = render_report(chinese_report(), chinese_state())
    for heading in ["简短回答", "来源之间的分歧", "范围与方法", "核查", "来源"]:
        assert f"\n## {heading}\n" in markdown
    for heading in ENGLISH_HEADINGS:
        assert f"## {heading}" not in markdown
    for english in ["independent source", "Question:", "No retrieved source", "sources disagree", "Assumption:",
                    "Research stopped", "Note:", "Key claim", "contradicted", "single source"]:  # fmt: skip
        assert english not in markdown
    assert "*问题*：拜占庭帝国何时灭亡？" in markdown
    assert "君士坦丁堡于1453年被奥斯曼帝国攻陷 [1]。" in markdown  # the mark goes before the full-width stop
    assert "（双方分别有1个独立来源和1个独立来源。）" in markdown
    assert "检索到的来源均未回答“谁攻陷了它”。" in markdown
    assert "| 君士坦丁堡于1453年被攻陷。 | 存在矛盾 | [1] | [2] |" in markdown
    assert "- 研究停止：没有新的缺口需要检索。" in markdown and "- 假设：首都指君士坦丁堡" in markdown
    assert cited == ["a", "b"]
    assert report_language(markdown) == "zh"


def test_an_empty_chinese_report_says_so_in_chinese():
    state = {**chinese_state(), "sources": {}}
    markdown, cited = render_report(Report(title="空", empty=True), state)
    assert "## 简短回答" in markdown and "## 检索内容" in markdown and "## 本次运行说明" in markdown
    assert "未找到相关来源（已配置的搜索工具）" in markdown and "未引用任何来源。" in markdown
    assert not re.search(r"^## [A-Za-z]", markdown, flags=re.M) and cited == []


def test_the_validator_keeps_a_chinese_reports_headings_and_marks_in_chinese():
    state = chinese_state()
    markdown, _ = render_report(chinese_report(), state)
    phantom = markdown.replace("帝国就此灭亡 [1]。", "帝国就此灭亡 [9]。")
    result = validate_markdown(phantom, list(state["sources"].values()), language="zh")
    assert "\n## 来源\n" in result.markdown and "## Sources" not in result.markdown
    assert result.stats.phantom == 1
    assert "*(unverified)*" not in result.markdown
    assert "关于“何时灭亡”，各来源说法不一。君士坦丁堡" in result.markdown  # no space put between Chinese sentences
    # Read from its own headings when no language is given.
    again = validate_markdown(phantom, list(state["sources"].values()))
    assert again.markdown == result.markdown


# Through the nodes -----------------------------------------------------------------------------------


def runtime_for(policy, capable: bool = False) -> Runtime[ResearchContext]:
    context = ResearchContext(policy=policy, tools=(as_search_tool(list_tool(DOCS)),), tool_timeout_s=1.0)
    if capable:
        decision = JudgeDecision(asked="policy", judge="policy", reason="asked for")
        context = dataclasses.replace(context, judge_decision=decision)
    return Runtime(context=context)


def searched_state(policy, language: str) -> dict:
    brief = ResearchBrief(question=QUESTION, objective=QUESTION, key_terms=["Byzantine Empire"], language=language)
    state = {"question": QUESTION, "brief": brief, "round": 1, "tool_calls": 0}
    return {**fake_searched_state(state, runtime_for(policy)), "claims": []}


def summary_prompts(policy: ScriptedPolicy) -> list[str]:
    return [p for p, c in zip(policy.prompts, policy.calls) if c["task"] == "summarize"]


def test_the_writer_asks_for_chinese_and_renders_chinese_headings():
    policy = ScriptedPolicy(replies=scripted_replies())
    state = searched_state(policy, "zh")
    report = write(state, runtime_for(policy))["report"]
    assert summary_prompts(policy) and all(p.endswith("\nWrite in Chinese (中文).") for p in summary_prompts(policy))
    assert "## 简短回答" in report.markdown and "\n## 来源\n" in report.markdown
    assert "## Short answer" not in report.markdown and "## Sources" not in report.markdown


def test_an_english_question_gets_no_language_line():
    policy = ScriptedPolicy(replies=scripted_replies())
    write(searched_state(policy, "en"), runtime_for(policy))
    assert summary_prompts(policy) and not any("Write in" in p for p in summary_prompts(policy))


def test_a_section_branch_is_asked_for_the_questions_language():
    policy = ScriptedPolicy(replies=scripted_replies())
    state = searched_state(policy, "zh")
    runtime = runtime_for(policy, capable=True)
    sends = dispatch_sections(state, runtime)
    assert sends and all(send.arg["language"] == "zh" for send in sends)
    draft_section(sends[0].arg, runtime)
    assert policy.prompts[-1].endswith("like [S2].\nWrite in Chinese (中文).")
