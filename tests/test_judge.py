"""Every rule of the judge, on invented passages unlike the benchmark's sentences.

The benchmark (`benchmarks/attribution.py`, `benchmarks/contradictions.py`) measures the judge on the
default corpus; these tests pin each rule down on its own, so a change that breaks one rule fails here
by name.
"""

from __future__ import annotations

import pytest

from stepresearch.judge import disagreement, judge, make_judge, read_question
from stepresearch.judge.overlap import is_repeat, word_share
from stepresearch.judge.relevance import answers, carries, names_subject, source_relevance

BREWERY = (
    "The Harrow Brewery was founded in 1742 by Thomas Vane in the market town of Lisle. "
    "It brewed a dark porter that won a silver medal at the Ghent fair in 1851 and a gold medal in 1867. "
    "In 1903 the brewery moved to a larger site on the river Tamm because the old cellars flooded each spring. "
    "Fewer than 40 people worked there before 1900, but about 310 did by 1925. "
    "Although ale was already brewed in Lisle, Vane introduced bottled porter to the region."
)
LIGHTHOUSE = (
    "The Corran lighthouse stands on the northern tip of Skell island. "
    "Its keepers were unable to reach the mainland during the storm of 1881. "
    "The tower is the only stone lighthouse in the county, and the tallest on the coast."
)


def verdict(statement: str, passage: str = BREWERY, title: str = "Harrow Brewery"):
    return judge(statement, passage, title)


# entailment with paraphrase -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "statement",
    [
        "Thomas Vane established the Harrow Brewery in 1742.",  # synonym for the verb
        "The brewery began in the 1740s, founded by Thomas Vane.",  # a decade for a year
        "Its porter took a silver medal at the Ghent fair in 1851.",  # pronoun, "took" for "won"
        "The Harrow Brewery was founded in the 18th century.",  # a century for a year
    ],
)
def test_faithful_paraphrases_are_entailed(statement):
    result = verdict(statement)
    assert result.entails, result.reasons


def test_a_hedged_round_number_is_entailed():
    passage = "The Orm mill employed 1,210 weavers in 1880."
    assert judge("In 1880 the Orm mill employed roughly 1,200 weavers.", passage, "Orm mill").entails
    assert not judge("In 1880 the Orm mill employed roughly 2,000 weavers.", passage, "Orm mill").entails


def test_a_fraction_matches_a_percentage():
    passage = "Half of the village's 800 houses were lost in the flood of 1702."
    assert judge("The 1702 flood destroyed 50% of the village's houses.", passage, "Village of Orm").entails


def test_a_compound_statement_is_entailed_clause_by_clause():
    result = verdict("The brewery was founded in 1742, and in 1903 it moved to a larger site on the river Tamm.")
    assert result.entails and "clause by clause" in result.reasons[0]


def test_an_apposition_is_checked_as_its_own_clause():
    passage = "Ida Marr was a Welsh chemist. She isolated the element marrium in 1912."
    assert judge("Ida Marr, a Welsh chemist, isolated marrium in 1912.", passage, "Ida Marr").entails
    assert not judge("Ida Marr, a Scottish chemist, isolated marrium in 1912.", passage, "Ida Marr").entails


# numbers and dates --------------------------------------------------------------------------------


def test_a_wrong_year_for_the_same_fact_is_a_contradiction():
    result = verdict("The Harrow Brewery was founded in 1724 by Thomas Vane.")
    assert result.contradicts and "1724" in result.reasons[0]


def test_a_number_the_source_lacks_is_not_entailed():
    assert not verdict("The porter won a bronze medal at the Ghent fair in 1851 and 1852.").entails


def test_a_hedged_number_still_has_to_be_close():
    assert not verdict("By 1925 about 600 people worked at the brewery.").entails


# names --------------------------------------------------------------------------------------------


def test_a_name_the_source_lacks_is_not_entailed():
    result = verdict("The Harrow Brewery was founded in 1742 by Thomas Vane and Edward Crane.")
    assert not result.entails
    assert any("Edward" in r or "Crane" in r for r in result.reasons)


def test_a_name_must_be_a_name_in_the_source():
    passage = "The wreck lies south of Port Ellis, on the coast of North Devon."
    assert not judge("The wreck lies near Port Ellis, in South Devon.", passage, "Wreck").entails


# polarity -----------------------------------------------------------------------------------------


def test_a_negation_the_source_lacks_is_a_contradiction():
    assert verdict("The Harrow Brewery was not founded by Thomas Vane.").contradicts


def test_a_negative_word_counts_as_a_negation():
    assert judge("Its keepers could not reach the mainland during the storm of 1881.", LIGHTHOUSE, "Corran").entails
    assert not judge("Its keepers were able to reach the mainland during the storm of 1881.", LIGHTHOUSE).entails


def test_an_antonym_is_a_contradiction():
    result = judge("The Corran lighthouse stands on the southern tip of Skell island.", LIGHTHOUSE, "Corran")
    assert result.contradicts


def test_a_negating_prefix_is_a_contradiction():
    passage = "The 1890 expedition to Mount Orel was successful."
    assert not judge("The 1890 expedition to Mount Orel was unsuccessful.", passage, "Orel").entails


# scope, rank and cause ----------------------------------------------------------------------------


def test_a_wider_scope_is_not_entailed():
    assert not judge("It is the only stone lighthouse in the whole country.", LIGHTHOUSE, "Corran").entails


def test_dropping_a_restriction_after_only_is_not_entailed():
    assert not judge("It is the only lighthouse in the county.", LIGHTHOUSE, "Corran").entails


def test_dropping_a_rank_is_not_entailed():
    passage = "Lake Orm is the second-largest lake in the province."
    assert not judge("Lake Orm is the largest lake in the province.", passage, "Lake Orm").entails
    assert judge("Lake Orm is the second-largest lake in the province.", passage, "Lake Orm").entails


def test_a_cause_the_source_does_not_give_is_not_entailed():
    assert not verdict("The brewery moved to the river Tamm because its porter won a gold medal.").entails
    assert verdict("The brewery moved in 1903 because the old cellars flooded each spring.").entails


# binding ------------------------------------------------------------------------------------------


def test_a_year_bound_to_another_fact_of_the_same_sentence_is_a_contradiction():
    result = verdict("The porter won a gold medal at the Ghent fair in 1851.")  # gold went with 1867
    assert not result.entails


def test_a_word_borrowed_from_another_sentence_is_rejected():
    assert not verdict("The brewery moved to a larger site in 1742.").entails


def test_two_true_sentences_recombined_into_a_false_one_are_rejected():
    assert not verdict("Thomas Vane introduced bottled porter at the Ghent fair in 1851.").entails


def test_a_place_from_a_subordinate_clause_does_not_bind_to_the_main_clause():
    assert not verdict("Vane introduced bottled porter to Lisle before anyone brewed ale there.").entails


def test_the_order_around_before_is_kept():
    passage = "Aldric reached the pass two days before Brann."
    assert judge("Aldric reached the pass before Brann.", passage, "The pass").entails
    assert not judge("Brann reached the pass before Aldric.", passage, "The pass").entails


def test_a_swapped_member_of_a_list_is_rejected():
    passage = "The valley grows barley and rye on its terraces."
    assert not judge("The valley grows wheat and rye on its terraces.", passage, "Valley").entails


# cross-wording disagreement -----------------------------------------------------------------------


def test_a_different_year_in_other_words_is_a_disagreement():
    found = disagreement(
        "The east wing of Dunmore Castle burned down in 1788.",
        "A fire gutted the east wing of Dunmore in 1791, the estate papers say.",
    )
    assert found is not None and found.kind == "date" and {found.first_value, found.second_value} == {"1788", "1791"}


def test_the_same_year_in_other_words_is_no_disagreement():
    assert (
        disagreement(
            "The east wing of Dunmore Castle burned down in 1788.", "In 1788 a fire gutted Dunmore's east wing."
        )
        is None
    )


@pytest.mark.parametrize(
    "second",
    [
        "Dunmore Castle was sold to the Crane family in 1820.",  # another event of the same place
        "The west wing of Dunmore Castle was added in 1850, with 40 new rooms.",  # another date and count
        "A second fire struck Dunmore Castle in 1802.",  # another instance
        "Ravel Castle burned down in 1791.",  # another subject
    ],
)
def test_different_facts_are_no_disagreement(second):
    assert disagreement("The east wing of Dunmore Castle burned down in 1788.", second) is None


def test_a_count_of_the_same_thing_that_differs_is_a_disagreement():
    found = disagreement("The Dunmore garrison numbered 300 men.", "Only 120 men defended Dunmore.")
    assert found is not None and found.kind == "number"


def test_a_denial_is_a_disagreement():
    found = disagreement(
        "The Dunmore garrison surrendered to the rebels.", "The Dunmore garrison never surrendered to the rebels."
    )
    assert found is not None and found.kind == "polarity"


# relevance and the question -----------------------------------------------------------------------


def test_the_subject_of_a_question_without_capitals_is_its_non_framing_words():
    parts = read_question("Who discovered insulin and when?")
    assert parts.subject == ["insulin"]
    assert [p.kind for p in parts.parts] == ["person", "date"]


def test_named_subjects_and_pronoun_parts():
    parts = read_question("Where was Ida Marr born, and why did she leave Wales?")
    assert parts.subject == ["Ida Marr"]  # Wales is what the second part asks about, not the subject
    assert [p.kind for p in parts.parts] == ["place", "cause"]
    assert "Ida" in parts.parts[1].words  # "she" stands for the subject


def test_a_source_is_about_the_subject_only_when_its_title_or_opening_names_it():
    subject = ["insulin"]
    assert source_relevance("Insulin", "A hormone made in the pancreas.", subject).aboutness == "about"
    lead = "Frederick Banting was a physician. He shared the discovery of insulin in 1921."
    assert source_relevance("Frederick Banting", lead, subject).aboutness == "about"
    late = "Labour economics studies wages. " * 4 + "One study looked at insulin prices."
    assert source_relevance("Labour economics", late, subject).aboutness == "mentions"
    assert source_relevance("Tea", "Tea is a drink.", subject).aboutness == "unrelated"


def test_a_subject_phrase_needs_most_of_its_words():
    assert names_subject("The flu pandemic of 1918 spread fast.", ["flu pandemic"])
    assert not names_subject("A pandemic is an epidemic over a wide area.", ["flu pandemic"])


def test_a_sentence_answers_when_it_has_the_asked_words_and_the_asked_kind():
    words = ["discovered", "insulin"]
    assert answers("Banting found insulin in 1921.", words, ["insulin"], "date")
    assert not answers("Insulin is a hormone made in the pancreas.", words, ["insulin"], "date")
    assert carries("Banting and Best isolated it.", "person", "who discovered insulin")


# the two judges behind one interface --------------------------------------------------------------


def test_make_judge_picks_the_deterministic_judge_without_a_capable_policy():
    assert make_judge("auto").name == "semantic"
    assert make_judge("semantic").name == "semantic"
    assert make_judge("lexical").name == "lexical"
    with pytest.raises(ValueError):
        make_judge("policy")


def test_wording_helpers_fold_synonyms_and_keep_numbers_apart():
    assert word_share("the blaze destroyed the town", "a fire ruined the town") == 1.0
    assert is_repeat("The brewery was founded in 1742!", ["the Brewery was founded in 1742."])
    assert not is_repeat("The brewery was founded in 1742.", ["The brewery was founded in 1743."])


def test_a_negation_about_something_else_is_no_disagreement():
    assert (
        disagreement(
            "By 1920 about 500 million people had been infected.", "Most people who are infected have no symptoms."
        )
        is None
    )


def test_a_statement_opening_with_a_pronoun_is_about_its_sources_subject():
    first = "She won the 1911 prize for chemistry at the Orm academy."
    second = "Hollis won the prize for chemistry at the Orm academy in 1954."
    assert disagreement(first, second) is not None  # no subject to tell them apart
    assert disagreement(first, second, first_title="Ida Marr", second_title="Tom Hollis") is None


def test_a_negation_that_denies_something_else_is_no_contradiction():
    passage = "Most people who catch the Orm fever have no symptoms. It spread to 40,000 people in 1870."
    result = judge("The Orm fever infected about 40,000 people in 1870.", passage, "Orm fever")
    assert not result.contradicts
