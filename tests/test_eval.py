"""`stepresearch eval`: the formulas against values computed by hand, the scorer with a FAKE judge, the
report reader, and the CLI's verbs, resume and bad input.

The judge here is a SCRIPTED FAKE: `tests/sglang_fake.py`'s OpenAI-compatible server on 127.0.0.1, whose
replies `FakeJudge` writes from tables keyed by the criterion, the rubric item or the reports' marker words.
It stands in for a judge model so that the arithmetic can be checked exactly; the real judge path (the
llama-cpp server) is tests/integration/test_eval_real.py.
"""

from __future__ import annotations

import json
import math
import os
import re
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from sglang_fake import FakeSGLang

from stepresearch.app.cli import main
from stepresearch.eval import formulas
from stepresearch.eval.articles import Article, Page, citations, split_references, strip_citations
from stepresearch.eval.compare import judge_pair
from stepresearch.eval.journal import Journal
from stepresearch.eval.judging import JUDGE_ATTEMPTS, judge_from_url
from stepresearch.eval.scoring import check_citations, score_task
from stepresearch.eval.tasks import EvalTask, load_tasks, parse_ids

# --- the formulas, by hand ----------------------------------------------------------------------------------


def test_criteria_score_weights_criteria_then_dimensions_and_drops_unscored():
    scores = {"comprehensiveness": [(0.5, 8.0), (0.3, 6.0), (0.2, None)], "readability": [(1.0, 5.0)]}
    dims, total = formulas.criteria_score(scores, {"comprehensiveness": 0.6, "readability": 0.4})
    # (0.5·8 + 0.3·6) / (0.5 + 0.3) = 5.8 / 0.8 = 7.25; the unscored criterion is out, not a 0 (that gives 5.8).
    assert dims == {"comprehensiveness": pytest.approx(7.25), "readability": pytest.approx(5.0)}
    assert total == pytest.approx(0.6 * 7.25 + 0.4 * 5.0)  # 6.35


def test_criteria_total_renormalises_over_scored_dimensions():
    dims, total = formulas.criteria_score({"insight": [(1.0, 4.0)], "readability": [(1.0, None)]},
                                          {"insight": 0.25, "readability": 0.75})  # fmt: skip
    assert dims == {"insight": 4.0} and total == pytest.approx(4.0)


def test_relative_score_is_target_over_target_plus_reference():
    dims, total = formulas.relative_scores(({"c": 7.25, "r": 5.0}, 6.35), ({"c": 4.0, "r": 5.0}, 4.4))
    assert dims == {"c": pytest.approx(7.25 / 11.25), "r": pytest.approx(0.5)}
    assert total == pytest.approx(6.35 / 10.75)
    assert formulas.relative(0.0, 0.0) == 0.0


def test_rubric_compliance_binary_and_ternary_with_a_negative_item():
    binary = [(3.0, "satisfied"), (2.0, "not satisfied"), (-2.0, "satisfied"), (1.0, "not satisfied")]
    assert formulas.rubric_compliance(binary, "binary") == pytest.approx((3 - 2) / 6)
    ternary = [(3.0, "satisfied"), (2.0, "partially satisfied"), (-2.0, "satisfied"), (1.0, "not satisfied")]
    assert formulas.rubric_compliance(ternary, "ternary") == pytest.approx((3 + 1 - 2) / 6)
    # A report that does only the forbidden thing scores below zero.
    assert formulas.rubric_compliance([(1.0, "not satisfied"), (-3.0, "satisfied")], "binary") == pytest.approx(-3.0)
    assert formulas.rubric_compliance([(1.0, None)], "binary") is None


def test_citation_accuracy_and_win_rate():
    assert formulas.citation_accuracy(3, 1) == 0.75
    assert formulas.citation_accuracy(0, 0) is None
    assert formulas.win_rate(["win", "tie", "loss", "win"]) == pytest.approx(2.5 / 4)


def test_elo_of_a_three_to_one_record_is_400_log10_3_apart():
    games = [("A", "B", "win")] * 3 + [("A", "B", "loss")]
    ratings = formulas.elo_ratings(games, prior=0.0)
    assert ratings["A"] - ratings["B"] == pytest.approx(400 * math.log10(3), abs=0.2)  # 190.8
    assert (ratings["A"] + ratings["B"]) / 2 == pytest.approx(formulas.ELO_CENTRE, abs=0.1)
    unbeaten = formulas.elo_ratings([("A", "B", "win")] * 4 + [("B", "C", "tie")])
    assert math.isfinite(unbeaten["A"]) and unbeaten["A"] == max(unbeaten.values())  # finite, and on top


# --- a scripted FAKE judge ---------------------------------------------------------------------------------

CRITERIA = {
    "dimension_weight": {"comprehensiveness": 0.6, "readability": 0.4},
    "criterions": {
        "comprehensiveness": [
            {"criterion": "Covers the causes", "explanation": "all of them", "weight": 0.5},
            {"criterion": "Gives the dates", "explanation": "", "weight": 0.3},
            {"criterion": "UNPARSABLE", "explanation": "", "weight": 0.2},
        ],
        "readability": [{"criterion": "Clear structure", "explanation": "", "weight": 1.0}],
    },
}
RUBRICS = [
    {"rubric": "Names the year", "weight": 3},
    {"rubric": "Explains the siege", "weight": 2},
    {"rubric": "Invents a date", "weight": -2},
    {"rubric": "Cites a primary source", "weight": 1},
]
TARGET_SCORES = {"Covers the causes": 8, "Gives the dates": 6, "Clear structure": 5}
REFERENCE_SCORES = {"Covers the causes": 4, "Gives the dates": 4, "Clear structure": 5}
GRADES = {"Names the year": "satisfied", "Explains the siege": "partially satisfied", "Invents a date": "satisfied",
          "Cites a primary source": "not satisfied"}  # fmt: skip


class FakeJudge:
    """A SCRIPTED FAKE judge's replies: scores from the tables above, by criterion and by whether the article
    is the reference (it contains REFERENCE-TEXT); pairwise, the report containing `better` wins, or with
    `first_wins` the judge always picks A (a position-biased judge). It counts every request per item."""

    def __init__(self, better: str = "thorough", first_wins: bool = False) -> None:
        self.better, self.first_wins = better, first_wins
        self.asked: Counter[tuple[str, str]] = Counter()

    def __call__(self, task: str, request: dict) -> str:
        text = request["messages"][-1]["content"]
        article = text.split("<<<", 1)[-1]
        if "Report A:" in text:
            a, b = re.findall(r"<<<\n(.*?)\n>>>", text, flags=re.DOTALL)
            self.asked[("pair", a[:40] + "|" + b[:40])] += 1
            choice = "A" if self.first_wins or self.better in a else "B" if self.better in b else "tie"
            return json.dumps({"reason": f"{choice} is better", **dict.fromkeys(
                ["completeness", "depth", "fit", "readability", "overall"], choice)})  # fmt: skip
        criterion = re.search(r"^Criterion \([^)]*\): (.+)$", text, flags=re.MULTILINE)
        if criterion:
            name = criterion.group(1)
            self.asked[(name, article[:60])] += 1
            if name == "UNPARSABLE":
                return "I would rather not say."
            table = REFERENCE_SCORES if "REFERENCE-TEXT" in article else TARGET_SCORES
            return json.dumps({"reason": f"the report earns {table[name]} on {name}", "score": table[name]})
        rubric = re.search(r"^Rubric item: (.+)$", text, flags=re.MULTILINE)
        if rubric:
            name = rubric.group(1)
            self.asked[(name, article[:60])] += 1
            grade = GRADES[name]
            if "partially" not in text and grade == "partially satisfied":  # binary grading offers no middle
                grade = "not satisfied"
            return json.dumps({"reason": f"{name}: {grade}", "grade": grade})
        return "{}"


REPORT = """# The fall

*Question:* When did it fall?

## Short answer

The city fell to the Ottoman Empire in 1453 [1]. The walls were built in the fifth century [2].

## Sources

[1] Fall of Constantinople — wiki:Fall_of_Constantinople
[2] Theodosian Walls — wiki:Theodosian_Walls
"""
PAGES = {
    "wiki:Fall_of_Constantinople": Page(
        ref="wiki:Fall_of_Constantinople", title="Fall of Constantinople",
        text="The Fall of Constantinople was the capture of the Byzantine capital by the Ottoman Empire in 1453.",
    ),
    "wiki:Theodosian_Walls": Page(
        ref="wiki:Theodosian_Walls", title="Theodosian Walls",
        text="The Theodosian Walls were completed in the 19th century by a railway company.",
    ),
}  # fmt: skip


def task(**extra) -> EvalTask:
    return EvalTask(id="t1", prompt="When did Constantinople fall?", **extra)


@pytest.fixture
def fake_judge():
    script = FakeJudge()
    with FakeSGLang(reply=script) as server:
        yield script, judge_from_url(server.base_url, capable=True, wait_s=5)


def test_scorer_computes_the_criteria_score_by_hand_and_retries_then_leaves_unparsed_unscored(tmp_path, fake_judge):
    script, judge = fake_judge
    article = Article(task_id="t1", system="s", markdown=REPORT, origin="test", pages=PAGES)
    scores = score_task(task(criteria=CRITERIA), article, judge=judge, journal=Journal(tmp_path))
    criteria = scores.criteria
    assert criteria.kind == "absolute"
    assert criteria.dimensions == {"comprehensiveness": pytest.approx(7.25), "readability": pytest.approx(5.0)}
    assert criteria.total == pytest.approx(6.35)
    unparsed = [j for j in criteria.judgements if j.criterion == "UNPARSABLE"]
    assert unparsed[0].score is None and unparsed[0].attempts == JUDGE_ATTEMPTS and criteria.unscored == 1
    assert sum(n for (name, _), n in script.asked.items() if name == "UNPARSABLE") == JUDGE_ATTEMPTS
    assert [j.reason for j in criteria.judgements][0] == "the report earns 8 on Covers the causes"
    assert scores.tokens.calls == 3 + JUDGE_ATTEMPTS and scores.tokens.prompt_tokens > 0


def test_scorer_with_a_reference_is_relative_per_dimension_and_overall(tmp_path, fake_judge):
    _, judge = fake_judge
    reference = "# Reference\n\nREFERENCE-TEXT: a reference report on the fall of the city.\n"
    article = Article(task_id="t1", system="s", markdown=REPORT, origin="test", pages=PAGES)
    criteria = score_task(task(criteria=CRITERIA, reference=reference), article, judge=judge,
                          journal=Journal(tmp_path)).criteria  # fmt: skip
    assert criteria.kind == "relative to the reference"
    assert criteria.absolute_total == pytest.approx(6.35) and criteria.reference_total == pytest.approx(4.4)
    assert criteria.dimensions["comprehensiveness"] == pytest.approx(7.25 / (7.25 + 4.0))
    assert criteria.dimensions["readability"] == pytest.approx(0.5)
    assert criteria.total == pytest.approx(6.35 / (6.35 + 4.4))
    assert criteria.unscored == 2  # the unparsable criterion, for the report and for the reference


@pytest.mark.parametrize(("grading", "expected"), [("binary", 1 / 6), ("ternary", 2 / 6)])
def test_scorer_rubric_binary_and_ternary_with_a_negative_weight(tmp_path, fake_judge, grading, expected):
    _, judge = fake_judge
    article = Article(task_id="t1", system="s", markdown=REPORT, origin="test", pages=PAGES)
    rubric = score_task(task(rubrics=RUBRICS), article, judge=judge, journal=Journal(tmp_path), grading=grading).rubric
    assert rubric.grading == grading
    assert rubric.score == pytest.approx(expected)


def test_a_journalled_judgement_is_read_back_not_asked_again(tmp_path, fake_judge):
    script, judge = fake_judge
    article = Article(task_id="t1", system="s", markdown=REPORT, origin="test", pages=PAGES)
    first = score_task(task(criteria=CRITERIA), article, judge=judge, journal=Journal(tmp_path))
    asked = sum(script.asked.values())
    again = score_task(task(criteria=CRITERIA), article, judge=judge, journal=Journal(tmp_path))
    assert sum(script.asked.values()) == asked  # nothing new was asked
    assert again.criteria.total == first.criteria.total and again.tokens.calls == 0


def test_citations_supported_unsupported_and_unknown_are_counted_apart():
    markdown = REPORT.replace("fifth century [2].", "fifth century [2]. A third claim [7].")
    result = check_citations(Article(task_id="t1", system="s", markdown=markdown, origin="test", pages=PAGES))
    by_statement = {j.statement: j.status for j in result.judgements}
    assert by_statement["The city fell to the Ottoman Empire in 1453"] == "supported"
    assert by_statement["The walls were built in the fifth century"] == "unsupported"
    assert by_statement["A third claim"] == "unknown"  # [7] is not in the list: never counted as supported
    assert (result.supported, result.unsupported, result.unknown) == (1, 1, 1)
    assert result.accuracy == 0.5 and result.effective == 1


def test_reading_another_systems_citation_styles():
    article = (
        "# Report\n\nSolar output rose by 30% in 2023 [1, 2]. Wind grew too [3-4]. "
        "Storage is cheap now ([a study](http://127.0.0.1:8001/storage)).\n\n| claim | [5] |\n\n"
        "## References\n\n1. IEA report. http://127.0.0.1:8002/solar-2023\n[2]: http://127.0.0.1:8003/page/\n"
        "- [3] Wind Atlas (http://127.0.0.1:8004/atlas)\n4. A fourth source http://127.0.0.1:8005\n"
    )
    pairs = citations(article)
    refs = [(c.statement, c.ref) for c in pairs]
    assert ("Solar output rose by 30% in 2023", "http://127.0.0.1:8002/solar-2023") in refs
    assert ("Solar output rose by 30% in 2023", "http://127.0.0.1:8003/page/") in refs
    assert ("Wind grew too", "http://127.0.0.1:8004/atlas") in refs and (
        "Wind grew too",
        "http://127.0.0.1:8005",
    ) in refs
    assert any(ref == "http://127.0.0.1:8001/storage" for _, ref in refs)
    assert all(c.number != 5 for c in pairs)  # a table's marks are not read
    assert "[1" not in strip_citations(article) and "References" not in strip_citations(article)
    assert split_references(article)[1][1][1] == "IEA report"


def test_pair_verdicts_are_asked_in_both_orders_and_a_position_bias_is_a_tie(tmp_path):
    good = Article(task_id="t1", system="a", markdown="A thorough report on the fall.", origin="x")
    thin = Article(task_id="t1", system="b", markdown="A thin note.", origin="y")
    with FakeSGLang(reply=FakeJudge()) as server:
        judge = judge_from_url(server.base_url, capable=True, wait_s=5)
        fair = judge_pair(task(), "a", good, "b", thin, judge, Journal(tmp_path / "1"))
    assert set(fair.outcomes.values()) == {"win"} and len(fair.reasons) == 2
    with FakeSGLang(reply=FakeJudge(first_wins=True)) as server:
        judge = judge_from_url(server.base_url, capable=True, wait_s=5)
        biased = judge_pair(task(), "a", good, "b", thin, judge, Journal(tmp_path / "2"))
    assert set(biased.outcomes.values()) == {"tie"}


# --- tasks ----------------------------------------------------------------------------------------------------


def test_drb_tasks_ship_with_the_package_and_the_ids_filter():
    tasks = load_tasks("drb")
    assert len(tasks) == 100 and sum(t.language == "zh" for t in tasks) == 50
    assert all(t.criteria is not None and len(t.criteria.items()) >= 20 for t in tasks)
    assert [t.id for t in load_tasks("drb", ids=parse_ids("51,1-2"))] == ["51", "1", "2"]
    assert len(load_tasks("drb", limit=3)) == 3


# --- the CLI ---------------------------------------------------------------------------------------------------


def write_tasks(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_eval_score_another_systems_jsonl_with_pages(tmp_path, capsys):
    tasks = write_tasks(tmp_path / "tasks.jsonl", [
        {"id": "t1", "prompt": "When did Constantinople fall?", "criteria": CRITERIA, "rubrics": RUBRICS,
         "facts": [["1453"]]},
        {"id": "t2", "prompt": "Who built the walls?", "criteria": CRITERIA},
    ])  # fmt: skip
    peer = tmp_path / "peer.jsonl"
    peer.write_text(json.dumps({"id": "t1", "prompt": "When did Constantinople fall?", "article":
        "## Short answer\n\nThe city fell to the Ottomans in 1453 [1].\n\n## References\n\n[1] http://127.0.0.1:8006/1453\n"})
        + "\n", encoding="utf-8")  # fmt: skip
    pages = tmp_path / "pages.jsonl"
    pages.write_text(json.dumps({"url": "http://127.0.0.1:8006/1453", "title": "The fall",
                                 "text": "In 1453 the city fell to the Ottomans after a siege."}) + "\n")  # fmt: skip
    out = tmp_path / "out"
    with FakeSGLang(reply=FakeJudge()) as server:
        code = main(["eval", "score", str(peer), "--tasks", str(tasks), "--out", str(out), "--pages", str(pages),
                     "--judge-url", server.base_url, "--judge-capable", "yes", "--grading", "ternary"])  # fmt: skip
    assert code == 0
    summary = json.loads((out / "summary.json").read_text())
    assert summary["system"] == "peer" and summary["scored"] == 1 and summary["missing"] == ["t2"]
    assert summary["criteria"] == pytest.approx(6.35, abs=1e-3) and summary["rubric"] == pytest.approx(2 / 6, abs=1e-3)
    assert (summary["supported"], summary["unsupported"], summary["unknown_citations"]) == (1, 0, 0)
    assert summary["facts_found"] == 1 and summary["judge"]["capable"] is True
    assert summary["judge_one_call"] > 0 and summary["judge_replay_computed"] <= summary["judge_prompt_units"]
    page = (out / "eval.html").read_text()
    assert "the report earns 8 on Covers the causes" in page and "<script" not in page
    assert "| t1 | 6.350 | 0.333 | 1.000 |" in capsys.readouterr().out


def test_eval_compare_two_folders(tmp_path, capsys):
    tasks = write_tasks(tmp_path / "tasks.jsonl", [{"id": str(i), "prompt": f"Question {i}?"} for i in (1, 2)])
    for name, words in (("good", "A thorough report"), ("thin", "A thin note")):
        for i in (1, 2):
            folder = tmp_path / name / str(i)
            folder.mkdir(parents=True)
            (folder / "report.md").write_text(f"# Report {i}\n\n{words} on question {i}.\n", encoding="utf-8")
    out = tmp_path / "cmp"
    with FakeSGLang(reply=FakeJudge()) as server:
        code = main(["eval", "compare", str(tmp_path / "good"), str(tmp_path / "thin"), "--tasks", str(tasks),
                     "--out", str(out), "--judge-url", server.base_url, "--judge-capable", "yes"])  # fmt: skip
    assert code == 0
    comparison = json.loads((out / "compare.json").read_text())
    pair = comparison["pairs"][0]
    assert (pair["first"], pair["second"], pair["tasks"], pair["wins"]) == ("good", "thin", 2, 2)
    assert pair["win_rate"]["overall"] == 1.0
    assert comparison["elo"]["good"] > comparison["elo"]["thin"]
    assert "Elo" in capsys.readouterr().out and (out / "eval.html").is_file()


def test_a_killed_eval_resumes_and_scores_no_task_twice(tmp_path):
    rows = [{"id": f"k{i}", "prompt": f"Question {i}?", "criteria": {
        "dimension_weight": {"insight": 1.0},
        "criterions": {"insight": [{"criterion": f"Criterion {c}", "weight": 1.0} for c in range(4)]}}}
        for i in range(3)]  # fmt: skip
    tasks = write_tasks(tmp_path / "tasks.jsonl", rows)
    reports = tmp_path / "reports"
    for row in rows:
        (reports / row["id"]).mkdir(parents=True)
        (reports / row["id"] / "report.md").write_text(f"# {row['id']}\n\nA report for {row['id']}.\n")
    asked: Counter[str] = Counter()

    def reply(_task: str, request: dict) -> str:
        text = request["messages"][-1]["content"]
        asked[re.search(r"A report for (k\d)", text).group(1) + re.search(r"Criterion (\d)", text).group(1)] += 1
        return json.dumps({"reason": "fine", "score": 5})

    out = tmp_path / "out"
    with FakeSGLang(reply=reply) as server:
        server.reply_delay_s = 0.25
        command = [sys.executable, "-m", "stepresearch", "eval", "score", str(reports), "--tasks", str(tasks),
                   "--out", str(out), "--judge-url", server.base_url, "--judge-capable", "yes"]  # fmt: skip
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        first_scores = out / "tasks" / "k0" / "scores.json"
        deadline = time.monotonic() + 60
        while not first_scores.is_file() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.05)
        time.sleep(0.4)  # into the second task
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        assert first_scores.is_file(), "the first task was not scored before the kill"
        before = first_scores.read_text()
        assert not (out / "tasks" / "k2" / "scores.json").exists(), "the kill came too late to test a resume"
        server.reply_delay_s = 0.0
        assert subprocess.run(command, capture_output=True).returncode == 0
    assert first_scores.read_text() == before  # the finished task was skipped, not scored again
    assert all(asked[f"k0{c}"] == 1 for c in range(4))
    assert set(asked) == {f"k{i}{c}" for i in range(3) for c in range(4)}
    assert sum(n - 1 for n in asked.values()) <= 1  # at most the one judgement in flight at the kill
    summary = json.loads((out / "summary.json").read_text())
    assert summary["scored"] == 3 and summary["criteria"] == 5.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "score", "{reports}", "--tasks", "{missing}", "--out", "{out}"], "does not exist"),
        (["eval", "score", "{reports}", "--tasks", "{malformed}", "--out", "{out}"], "malformed.jsonl:2: not JSON"),
        (["eval", "score", "{reports}", "--tasks", "{badfield}", "--out", "{out}"], "badfield.jsonl:1: rubrics.0.weight"),
        (["eval", "score", "{reports}", "--tasks", "drb", "--ids", "7,999", "--out", "{out}"], "unknown task id(s) in drb: 999"),
        (["eval", "score", "{reports}", "--tasks", "{good}", "--out", "{out}", "--judge-url", "http://127.0.0.1:{port}/v1",
          "--judge-wait", "0.5"], "the judge at http://127.0.0.1:"),
        (["eval", "score", "{unfinished}", "--tasks", "{good}", "--out", "{out}", "--no-llm-judge"], "holds no report.md"),
        (["eval", "run", "{good}", "--out", "{out}", "--ids", "nope"], "unknown task id(s)"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, args, message):
    from conftest import free_port

    (tmp_path / "malformed.jsonl").write_text('{"prompt": "ok"}\n{"prompt": \n')
    (tmp_path / "badfield.jsonl").write_text('{"prompt": "ok", "rubrics": [{"rubric": "r", "weight": 0}]}\n')
    write_tasks(tmp_path / "good.jsonl", [{"id": "g", "prompt": "A question?"}])
    (tmp_path / "reports" / "g").mkdir(parents=True)
    (tmp_path / "reports" / "g" / "report.md").write_text("# R\n\nText.\n")
    (tmp_path / "unfinished" / "g").mkdir(parents=True)
    (tmp_path / "unfinished" / "g" / "run_config.json").write_text("{}")
    values = {"reports": tmp_path / "reports", "missing": tmp_path / "nope.jsonl", "malformed": tmp_path / "malformed.jsonl",
              "badfield": tmp_path / "badfield.jsonl", "good": tmp_path / "good.jsonl", "out": tmp_path / "out",
              "unfinished": tmp_path / "unfinished", "port": free_port()}  # fmt: skip
    assert main([a.format(**values) for a in args]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err and len([line for line in err.splitlines() if line.strip()]) == 1


def test_a_chat_model_from_python_is_judged_capable_only_by_the_probe(tmp_path):
    from fakes import ScriptedPolicy

    from stepresearch.eval.judging import EvalJudge

    silent = EvalJudge.from_model(ScriptedPolicy(), name="a fake that answers nothing")
    assert silent.info.capable is False and "failed the capability probe" in silent.info.capable_reason
    assert "carry no meaning" in silent.info.note
    declared = EvalJudge.from_model(ScriptedPolicy(), name="declared", capable=True)
    assert declared.info.capable is True and declared.info.note is None


def test_eval_score_runs_tasks_concurrently(tmp_path):
    rows = [{"id": f"c{i}", "prompt": f"Question {i}?", "criteria": {
        "dimension_weight": {"insight": 1.0}, "criterions": {"insight": [{"criterion": "Depth", "weight": 1.0}]}}}
        for i in range(3)]  # fmt: skip
    tasks = write_tasks(tmp_path / "tasks.jsonl", rows)
    for row in rows:
        (tmp_path / "reports" / row["id"]).mkdir(parents=True)
        (tmp_path / "reports" / row["id"] / "report.md").write_text(f"# {row['id']}\n\nA report.\n")
    with FakeSGLang(reply=lambda _t, _r: json.dumps({"reason": "ok", "score": 7})) as server:
        server.reply_delay_s = 0.3
        code = main(["eval", "score", str(tmp_path / "reports"), "--tasks", str(tasks), "--out", str(tmp_path / "o"),
                     "--judge-url", server.base_url, "--judge-capable", "yes", "--concurrency", "3"])  # fmt: skip
        assert code == 0 and server.max_in_flight >= 2
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["criteria"] == 7.0


def test_references_make_the_criteria_relative_and_compare_shows_each_scored_system(tmp_path, capsys):
    tasks = write_tasks(tmp_path / "tasks.jsonl", [{"id": "t1", "prompt": "When did Constantinople fall?",
                                                    "criteria": CRITERIA}])  # fmt: skip
    references = tmp_path / "reference.jsonl"
    references.write_text(json.dumps({"prompt": "When did Constantinople fall?",
                                      "article": "# Ref\n\nREFERENCE-TEXT: the city fell in 1453.\n"}) + "\n")  # fmt: skip
    with FakeSGLang(reply=FakeJudge()) as server:
        for name, words in (("good", "A thorough report"), ("thin", "A thin note")):
            (tmp_path / name / "t1").mkdir(parents=True)
            (tmp_path / name / "t1" / "report.md").write_text(f"# R\n\n{words} on the fall in 1453.\n")
            code = main(["eval", "score", str(tmp_path / name), "--tasks", str(tasks), "--out", str(tmp_path / f"e-{name}"),
                         "--references", str(references), "--judge-url", server.base_url, "--judge-capable", "yes"])  # fmt: skip
            assert code == 0
        summary = json.loads((tmp_path / "e-good" / "summary.json").read_text())
        assert summary["criteria_kind"] == "relative to the reference"
        assert summary["criteria"] == pytest.approx(6.35 / (6.35 + 4.4), abs=1e-3)
        code = main(["eval", "compare", str(tmp_path / "e-good"), str(tmp_path / "e-thin"), "--tasks", str(tasks),
                     "--out", str(tmp_path / "cmp"), "--judge-url", server.base_url, "--judge-capable", "yes"])  # fmt: skip
    assert code == 0
    page = (tmp_path / "cmp" / "eval.html").read_text()
    assert page.count("Criteria by dimension") == 2 and "thorough report" in page and "Pairwise" in page
    assert json.loads((tmp_path / "cmp" / "compare.json").read_text())["pairs"][0]["wins"] == 1


def test_a_judge_that_stops_answering_fails_the_task_and_a_rerun_asks_only_what_is_missing(tmp_path, capsys):
    criteria = {"dimension_weight": {"insight": 1.0},
                "criterions": {"insight": [{"criterion": f"Criterion {c}", "weight": 1.0} for c in range(3)]}}  # fmt: skip
    tasks = write_tasks(tmp_path / "tasks.jsonl", [{"id": "d1", "prompt": "Question?", "criteria": criteria}])
    (tmp_path / "reports" / "d1").mkdir(parents=True)
    (tmp_path / "reports" / "d1" / "report.md").write_text("# R\n\nA report.\n")
    asked: Counter[str] = Counter()

    def reply(_task: str, request: dict) -> str:
        asked[re.search(r"Criterion (\d)", request["messages"][-1]["content"]).group(1)] += 1
        return json.dumps({"reason": "fine", "score": 6})

    command = ["eval", "score", str(tmp_path / "reports"), "--tasks", str(tasks), "--out", str(tmp_path / "o"),
               "--judge-capable", "yes"]  # fmt: skip
    with FakeSGLang(reply=reply) as server:
        server.script = [{}, {"status": 500, "message": "the judge fell over"}] * 1 + [{"status": 500}] * 20
        assert main([*command, "--judge-url", server.base_url]) == 1
        assert not (tmp_path / "o" / "tasks" / "d1" / "scores.json").exists()  # failed, not "scored" as unscored
        assert "failed: d1: the judge" in capsys.readouterr().out
        server.script = []
        assert main([*command, "--judge-url", server.base_url]) == 0
    assert asked == {"0": 1, "1": 1, "2": 1}  # the one judged before the failure was not asked again
    assert json.loads((tmp_path / "o" / "summary.json").read_text())["criteria"] == 6.0
