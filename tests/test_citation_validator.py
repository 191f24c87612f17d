"""The citation validator on hand-written reports: each bad citation has its expected repair."""

from __future__ import annotations

from stepresearch.nodes.citation_check import UNVERIFIED, validate_markdown
from stepresearch.state import Source, stable_source_id


def src(uri: str, title: str, text: str) -> Source:
    return Source(id=stable_source_id(uri), title=title, uri=uri, text=text, tool="t", origin=uri)


FALL = src("wiki:Fall_of_Constantinople", "Fall of Constantinople",
           "Constantinople was captured by the Ottoman Empire on 29 May 1453 after a siege of 53 days.")  # fmt: skip
TEA = src("wiki:Tea", "Tea", "Green tea is made from unoxidised leaves of the tea plant.")
SOURCES = [FALL, TEA]
LIST = f"## Sources\n\n[1] {FALL.title} — {FALL.uri}\n[2] {TEA.title} — {TEA.uri}\n"


def report(body: str) -> str:
    return f"# Report\n\n## Short answer\n\n{body}\n\n{LIST}"


def body_of(markdown: str) -> str:
    return markdown.split("## Short answer")[1].split("## Sources")[0].strip()


def test_a_correct_citation_is_kept():
    result = validate_markdown(report("Constantinople was captured by the Ottoman Empire in 1453 [1]."), SOURCES)
    assert result.stats.model_dump() == {
        "total": 1, "valid": 1, "reattributed": 0, "removed": 0, "phantom": 0, "unsupported_sentences": 0,
    }  # fmt: skip
    assert body_of(result.markdown) == "Constantinople was captured by the Ottoman Empire in 1453 [1]."
    assert result.cited_source_ids == [FALL.id]
    assert "[2] Tea" not in result.markdown, "uncited sources leave the list"


def test_a_phantom_citation_is_reattributed_to_the_source_that_supports_the_sentence():
    result = validate_markdown(report("Constantinople was captured by the Ottoman Empire in 1453 [9]."), SOURCES)
    assert result.stats.phantom == 1 and result.stats.reattributed == 1 and result.stats.valid == 0
    assert body_of(result.markdown) == "Constantinople was captured by the Ottoman Empire in 1453 [1]."
    assert "[1] Fall of Constantinople — wiki:Fall_of_Constantinople" in result.markdown


def test_a_phantom_citation_nothing_supports_is_removed_and_the_sentence_marked():
    result = validate_markdown(report("Byzantium was founded by Martians [9]."), SOURCES)
    assert result.stats.phantom == 1 and result.stats.removed == 1 and result.stats.unsupported_sentences == 1
    assert body_of(result.markdown) == f"Byzantium was founded by Martians {UNVERIFIED}."
    assert "[9]" not in result.markdown and result.cited_source_ids == []


def test_a_citation_to_a_source_that_says_something_else_moves_to_the_right_source():
    result = validate_markdown(report("Constantinople was captured by the Ottoman Empire in 1453 [2]."), SOURCES)
    assert result.stats.reattributed == 1 and result.stats.phantom == 0
    assert body_of(result.markdown) == "Constantinople was captured by the Ottoman Empire in 1453 [1]."
    assert result.cited_source_ids == [FALL.id]


def test_a_wrong_number_in_a_sentence_loses_its_citation():
    result = validate_markdown(report("Constantinople was captured by the Ottoman Empire in 1454 [1]."), SOURCES)
    assert result.stats.removed == 1 and result.stats.unsupported_sentences == 1
    assert UNVERIFIED in body_of(result.markdown)


def test_each_side_of_a_disagreement_is_checked_against_its_own_source():
    other = src(
        "doc:other", "Other chronicle", "Constantinople was captured by the Ottoman Empire in 1454 after a siege."
    )
    text = (
        "# R\n\n## Where sources disagree\n\n- Constantinople was captured by the Ottoman Empire in 1453 [1]. "
        "Another source disagrees: Constantinople was captured by the Ottoman Empire in 1454 after a siege [2].\n\n"
        f"## Sources\n\n[1] {FALL.title} — {FALL.uri}\n[2] {other.title} — {other.uri}\n"
    )
    result = validate_markdown(text, [FALL, other])
    assert result.stats.valid == 2 and result.stats.removed == 0
    assert result.cited_source_ids == [FALL.id, other.id]


def test_table_rows_are_checked_for_phantoms_only_and_the_validator_is_idempotent():
    text = report("Constantinople was captured by the Ottoman Empire in 1453 [1].").replace(
        "\n\n## Sources",
        "\n\n## Verification\n\n| Key claim | Verdict | For | Against |\n| --- | --- | --- | --- |\n"
        "| Constantinople fell in 1453. | contradicted | [1] | [2][7] |\n\n## Sources",
    )
    first = validate_markdown(text, SOURCES)
    assert first.stats.phantom == 1 and first.stats.valid == 3
    assert "| [1] | [2] |" in first.markdown
    second = validate_markdown(first.markdown, SOURCES)
    assert second.markdown == first.markdown
    assert second.stats.phantom == second.stats.removed == second.stats.reattributed == 0
