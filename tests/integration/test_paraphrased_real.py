"""A folder corpus whose sources disagree in their own words, with the real SmolLM2 policy, through the CLI.

`tests/data/paraphrased` holds three accounts of one bridge collapse: a gazette and a parish register
that put it in 1894, in different words, and an engineers' journal that puts it in 1897 and calls the
bridge "the iron span". A fourth note shares only the place name (a bakery in Vellmar). The report must
surface the disagreement with both sides cited and counted, state neither year as plain fact, and never
cite the bakery.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration

CORPUS = Path(__file__).parents[1] / "data" / "paraphrased"
QUESTION = "When did the Vellmar Bridge collapse, how many workers died, and what caused it?"
GAZETTE, JOURNAL, REGISTER, BAKERY = (
    str(CORPUS / name)
    for name in ("county_gazette.md", "engineers_journal.txt", "parish_register.md", "vellmar_bakery.md")
)


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("paraphrased")
    env = {**os.environ}
    env.pop("TAVILY_API_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "stepresearch", "run", QUESTION, "--corpus", str(CORPUS), "--out", str(root / "run")],
        capture_output=True, text=True, timeout=900, env=env, cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "run"


def test_the_disagreement_in_other_words_is_found_and_counted(run_dir):
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    uri_of = {s["id"]: s["uri"] for s in record["retrieved_sources"]}
    disputed = [c for c in record["claims"] if c["verdict"] == "contradicted"]
    assert disputed, record["claims"]
    sides = [({uri_of[s] for s in c["supporting"]}, {uri_of[s] for s in c["contradicting"]}) for c in disputed]
    assert any(JOURNAL in con and pro & {GAZETTE, REGISTER} for pro, con in sides) or any(
        JOURNAL in pro and con & {GAZETTE, REGISTER} for pro, con in sides
    ), sides
    assert record["judge"] == "semantic"


def test_the_report_states_the_disagreement_never_both_years_as_fact(run_dir):
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    numbers = {s["n"]: s["uri"] for s in record["sources"]}
    section = report.split("## Where sources disagree")[1].split("\n## ")[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert any("1894" in line and "1897" in line for line in lines), section
    for line in lines:
        cited = {numbers[int(n)] for n in re.findall(r"\[(\d+)\]", line)}
        assert JOURNAL in cited and cited & {GAZETTE, REGISTER}, line
        assert "independent source" in line  # which side has more witnesses
    plain_years = set()
    for heading, body in re.findall(r"^## (.+?)\n(.*?)(?=^## |\Z)", report, flags=re.M | re.S):
        if heading in ("Where sources disagree", "Verification", "Sources", "Scope and method"):
            continue
        for line in body.splitlines():
            if "disagree" in line:
                continue  # a disagreement stated as one: both sides cited, neither as fact
            plain_years |= {y for y in ("1894", "1897") if y in line}
    assert plain_years != {"1894", "1897"}, report


def test_the_note_that_only_shares_a_name_is_never_cited(run_dir):
    report = (run_dir / "report.md").read_text(encoding="utf-8")
    record = json.loads((run_dir / "run.json").read_text(encoding="utf-8"))
    assert BAKERY not in {s["uri"] for s in record["sources"]}
    assert "bakery" not in report.lower()
    assert record["citations"]["phantom"] == 0
