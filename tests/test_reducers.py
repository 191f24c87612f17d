from stepresearch.state import CallUsage, Evidence, Source, SubQuestion, Usage, stable_source_id
from stepresearch.state.reducers import merge_evidence, merge_sources, merge_sub_questions, merge_timings, merge_usage


def _source(uri: str, order: str, found_by: str) -> Source:
    return Source(
        id=stable_source_id(uri), title=uri, uri=uri, text="t", tool="x", origin=uri, found_by=[found_by], order=order
    )


def test_stable_ids_do_not_depend_on_the_run():
    assert stable_source_id("wiki:Byzantine_Empire") == stable_source_id("wiki:Byzantine_Empire")
    assert stable_source_id("wiki:A") != stable_source_id("wiki:B")


def test_sources_from_parallel_branches_merge_once_with_every_finder():
    a = _source("doc:a", "01.01.00", "r1q2")
    b = _source("doc:b", "01.00.01", "r1q1")
    a_again = _source("doc:a", "01.00.00", "r1q1")
    merged = merge_sources(merge_sources({}, {a.id: a}), {b.id: b, a_again.id: a_again})
    assert list(merged) == [a.id, b.id]  # ordered by first-seen key, not arrival
    assert merged[a.id].found_by == ["r1q2", "r1q1"]
    assert merged[a.id].order == "01.00.00"


def test_evidence_kept_by_two_branches_is_stored_once_for_both():
    e1 = Evidence(id="s#0", source_id="s", sub_question_ids=["r1q1"], text="x", score=0.5, order="01.00.00.00")
    e2 = Evidence(id="s#0", source_id="s", sub_question_ids=["r1q2"], text="x", score=0.9, order="01.01.00.00")
    merged = merge_evidence([e2], [e1])
    assert len(merged) == 1
    assert merged[0].order == "01.00.00.00"
    assert merged[0].sub_question_ids == ["r1q1", "r1q2"]
    assert merged[0].score == 0.9


def test_sub_questions_are_append_only():
    first = SubQuestion(id="r1q1", text="a?", round=1, index=0)
    rewrite = SubQuestion(id="r1q1", text="changed?", round=1, index=0)
    later = SubQuestion(id="r2q1", text="b?", round=2, index=0)
    merged = merge_sub_questions([first], [rewrite, later])
    assert [sq.text for sq in merged] == ["a?", "b?"]


def test_usage_and_timings_add_up_per_node():
    one = Usage.for_node("write", CallUsage(calls=1, prompt_tokens=10, completion_tokens=2, cached_tokens=4))
    two = Usage.for_node("write", CallUsage(calls=1, prompt_tokens=5, completion_tokens=1, cached_tokens=5))
    merged = merge_usage(one, two)
    assert merged.by_node["write"] == CallUsage(calls=2, prompt_tokens=15, completion_tokens=3, cached_tokens=9)
    assert merged.total.prompt_tokens == 15
    assert merge_timings({"search": 1.0}, {"search": 0.5, "plan": 2.0}) == {"search": 1.5, "plan": 2.0}
