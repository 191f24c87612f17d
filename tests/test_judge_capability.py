"""`--judge auto` lets the policy judge only when it is known capable (FAKE policies: `ScriptedPolicy`).

The oracle below is a FAKE that answers the probe's known labels; the constant one always says the same word,
as a weak model does. The real served SmolLM2 is probed in tests/integration/test_http_policy.py.
"""

from __future__ import annotations

import json

from fakes import ScriptedPolicy

from stepresearch.judge import choose_judge
from stepresearch.judge.capability import DISAGREEMENT_PAIRS, ENTAILMENT_PAIRS, probe_capability


def oracle() -> ScriptedPolicy:
    """A FAKE policy that knows the probe's answers (and says "entails" to anything else)."""

    def entailment(prompt: str) -> str:
        probed = (expected for _, statement, expected in ENTAILMENT_PAIRS if f"Statement: {statement}" in prompt)
        label = next(probed, "entails")  # past the probe: the run's own statements
        return json.dumps({"verdict": label})

    def disagreement(prompt: str) -> str:
        answer = next(d for a, b, d in DISAGREEMENT_PAIRS if f"First statement: {a}" in prompt and b in prompt)
        return json.dumps({"disagree": answer})

    return ScriptedPolicy(replies={"entailment": entailment, "disagreement": disagreement})


def always_agreeing() -> ScriptedPolicy:
    """A FAKE policy that says "entails" and "they disagree" to everything."""
    return ScriptedPolicy(
        replies={"entailment": json.dumps({"verdict": "entails"}), "disagreement": json.dumps({"disagree": True})}
    )


def test_the_probe_mixes_its_answers_so_no_constant_reply_passes():
    labels = [expected for _, _, expected in ENTAILMENT_PAIRS]
    assert set(labels) == {"entails", "contradicts", "neutral"}
    assert {d for *_, d in DISAGREEMENT_PAIRS} == {True, False}
    probe = probe_capability(always_agreeing())
    assert not probe.passed
    assert probe.correct == labels.count("entails") + 1


def test_a_policy_that_answers_the_probe_right_judges_under_auto_from_its_first_judging():
    policy = oracle()
    judge, decision = choose_judge("auto", policy)
    assert judge.name == "auto" and policy.calls == []  # nothing asked until something is judged
    assert decision.settled(judge).judge == "undecided"
    judge.judge_many([("The mill burned in 1820.", "The mill burned down in 1820.", "Mill")])
    assert judge.name == "policy"
    settled = decision.settled(judge)
    assert settled.judge == "policy" and settled.probe.passed
    assert "passed the probe (8 of 8" in settled.reason
    asked = len(policy.calls)
    judge.bound().judge_many([("The mill burned in 1820.", "The mill burned down in 1820.", "Mill")])
    assert len(policy.calls) == asked + 1  # a bound copy shares the decision: no second probe


def test_a_policy_that_fails_the_probe_leaves_the_judge_deterministic_and_says_why():
    judge, decision = choose_judge("auto", always_agreeing())
    judge.confirm([("The mill burned in 1820.", "The mill burned in 1821.")])
    assert judge.name == "semantic"
    settled = decision.settled(judge)
    assert "failed the probe" in settled.reason and "declare it capable" in settled.reason
    assert [a.answered for a in settled.probe.answers if a.task == "entailment"] == ["entails"] * 6
    recorded = settled.model_dump(mode="json")  # what run.json gets
    assert recorded["judge"] == "semantic" and len(recorded["probe"]["answers"]) == 8


def test_an_embedded_policy_is_never_probed():
    from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel

    embedded = LlamaCppChatModel.model_construct()  # no model loaded: the judge must not call it
    judge, decision = choose_judge("auto", embedded)
    assert judge.name == "semantic" and "weak tier" in decision.reason


def test_a_policy_declared_capable_judges_without_being_asked_anything():
    policy = always_agreeing()
    judge, decision = choose_judge("auto", policy, capable=True)
    assert judge.name == "policy" and decision.probe is None
    assert policy.calls == []


def test_an_unparsable_reply_is_a_wrong_answer_not_a_pass():
    probe = probe_capability(ScriptedPolicy(replies={"entailment": "yes!", "disagreement": "no"}))
    assert probe.correct == 0 and all(a.answered == "" for a in probe.answers)


def test_explicit_kinds_are_taken_as_asked_and_never_probed():
    policy = always_agreeing()
    assert choose_judge("lexical", policy)[0].name == "lexical"
    assert choose_judge("policy", policy)[0].name == "policy"
    assert policy.calls == []
