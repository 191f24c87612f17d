from stepresearch.text import (
    SUPPORT_THRESHOLD,
    clip,
    content_tokens,
    is_repeat,
    numbers,
    split_sentences,
    support_score,
)


def test_split_sentences_keeps_initials_and_abbreviations_together():
    text = "Mehmed II took the city in 1453 A.D. after a siege. It fell e.g. by cannon. St. Sophia was converted!"
    assert split_sentences(text) == [
        "Mehmed II took the city in 1453 A.D. after a siege.",
        "It fell e.g. by cannon.",
        "St. Sophia was converted!",
    ]


def test_support_score_requires_the_numbers_to_match():
    passage = "The Fall of Constantinople was the capture of the capital by the Ottoman Empire on 29 May 1453."
    right = support_score("Constantinople was captured by the Ottoman Empire in 1453.", passage)
    wrong = support_score("Constantinople was captured by the Ottoman Empire in 1454.", passage)
    assert right >= 0.8
    assert right == 1.0
    assert wrong < SUPPORT_THRESHOLD  # one wrong year is enough to lose support


def test_support_score_of_unrelated_sentence_is_low():
    assert (
        support_score("Bananas are yellow fruit grown in Ecuador.", "The Ottoman Empire conquered Constantinople.") == 0
    )


def test_repeats_are_detected_by_content_not_punctuation():
    assert is_repeat("The empire ended in 1453!", ["the Empire ended in 1453."])
    assert not is_repeat("The empire began in 330.", ["The empire ended in 1453."])


def test_tokens_are_stemmed_and_stopwords_removed():
    assert content_tokens("The empires were conquered") == ["empir", "conquer"]
    assert numbers("In 1,453 and 29 May") == {"1453", "29"}
    assert clip("one two three four", 9) == "one two …"
