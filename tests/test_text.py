from stepresearch.core.text import clip, content_tokens, split_sentences, statements


def test_split_sentences_keeps_initials_and_abbreviations_together():
    text = "Mehmed II took the city in 1453 A.D. after a siege. It fell e.g. by cannon. St. Sophia was converted!"
    assert split_sentences(text) == [
        "Mehmed II took the city in 1453 A.D. after a siege.",
        "It fell e.g. by cannon.",
        "St. Sophia was converted!",
    ]


def test_headings_are_not_statements():
    assert statements("# The harbour\n\nShips moved downstream in 1667.") == ["Ships moved downstream in 1667."]


def test_tokens_are_stemmed_and_stopwords_removed():
    assert content_tokens("The empires were conquered") == ["empir", "conquer"]
    assert clip("one two three four", 9) == "one two …"
