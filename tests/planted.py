"""The planted corpus (tests/data/planted) and what a correct run over it must show."""

from __future__ import annotations

import re
from pathlib import Path

PLANTED = Path(__file__).parent / "data" / "planted"
QUESTION = "When did the Great Fire of Kelmar destroy the old town, where did it start, and how long did it burn?"
CHRONICLE = str(PLANTED / "kelmar_chronicle.md")
MIRROR = str(PLANTED / "kelmar_chronicle_mirror.md")  # a copy of the chronicle: not an independent witness
ANNALS = str(PLANTED / "harbour_annals.txt")  # gives 1667 where the chronicle gives 1666
OFF_TOPIC = str(PLANTED / "lentil_soup.html")


def check_planted_run(report: str, record: dict) -> None:
    uri_of = {s["id"]: s["uri"] for s in record["retrieved_sources"]}
    numbers = {s["n"]: s["uri"] for s in record["sources"]}

    # The contradiction is found...
    disputed = [c for c in record["claims"] if c["verdict"] == "contradicted"]
    sides = [({uri_of[s] for s in c["supporting"]}, {uri_of[s] for s in c["contradicting"]}) for c in disputed]
    assert any((ANNALS in pro and CHRONICLE in con) or (CHRONICLE in pro and ANNALS in con) for pro, con in sides), (
        record["claims"]
    )
    # ...and stated in the text with both sides cited.
    assert "## Where sources disagree" in report
    section = report.split("## Where sources disagree")[1].split("\n## ")[0]
    lines = [line for line in section.splitlines() if line.startswith("- ")]
    assert any("1666" in line and "1667" in line for line in lines), section
    for line in lines:
        cited = {numbers[int(n)] for n in re.findall(r"\[(\d+)\]", line)}
        assert ANNALS in cited and cited & {CHRONICLE, MIRROR}, line

    # The mirrored copy never counts as a second witness.
    for claim in record["claims"]:
        witnesses = {uri_of[s] for s in claim["supporting"]}
        if witnesses and witnesses <= {CHRONICLE, MIRROR}:
            assert claim["verdict"] != "supported", claim

    # The off-topic document is never cited, and no citation is a phantom.
    assert OFF_TOPIC not in numbers.values()
    assert "Lentil" not in report
    assert record["citations"]["phantom"] == 0
    body = report.split("\n## Sources\n")[0]
    assert {int(n) for n in re.findall(r"\[(\d+)\]", body)} == set(numbers)
