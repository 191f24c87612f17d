"""Compaction of the research log, with the FAKE ScriptedPolicy (graph logic only): nothing is lost, digests
are fixed once written, the prompt prefix changes only at a compaction, and a digested passage can still be
cited. `tests/integration/test_long_horizon_real.py` runs it on the real model."""

from __future__ import annotations

import json
import re

import pytest
from conftest import QUESTION, scripted_replies
from fakes import ScriptedPolicy, list_tool
from langgraph.checkpoint.memory import InMemorySaver

from stepresearch import build_graph, research_context
from stepresearch.nodes.context_window import (
    CHARS_PER_TOKEN_ESTIMATE,
    FRAME_RESERVE_TOKENS,
    MIN_WINDOW_TOKENS,
    REPLY_RESERVE_TOKENS,
    log_budget,
)
from stepresearch.nodes.layout import log_accounting
from stepresearch.state import Budgets

CITIES = ["Kelmar", "Dovrin", "Astel", "Brenn", "Corvath", "Elsin", "Farrow", "Gildan", "Hestra", "Ivel"]
# A corpus large enough that its evidence outgrows a small window: one article per city, each with dates and
# numbers, all about the Byzantine Empire's end so that search keeps them.
CORPUS = [
    {
        "title": f"Siege of {city}",
        "uri": f"doc:{city.lower()}",
        "text": f"The Byzantine Empire lost {city} to the Ottoman Empire in {1400 + i * 5}. The siege of {city} "
        f"lasted {20 + i} days and ended the Byzantine hold on the {city} valley. Sultan Mehmed II sent "
        f"{1000 * (i + 2)} soldiers to {city}, and the Ottoman Empire conquered its capital.",
    }
    for i, city in enumerate(CITIES)
]
SMALL_WINDOW = 1700  # tokens: leaves 420 for the log, less than two rounds of this corpus's evidence


def run(policy: ScriptedPolicy, window: int | None = SMALL_WINDOW, rounds: int = 2) -> dict:
    graph = build_graph(checkpointer=InMemorySaver())
    config = {"configurable": {"thread_id": "t"}}
    budgets = {"max_rounds": rounds, "max_context_tokens": window, "hits_per_query": 6}
    graph.invoke({"question": QUESTION}, config, context=research_context(policy, [list_tool(CORPUS)], budgets=budgets))
    return graph.get_state(config).values


def log_section(prompt: str) -> str | None:
    if "## Research log" not in prompt:
        return None
    return prompt.split("## Research log", 1)[1].split("## Task", 1)[0]


def test_a_log_that_outgrows_its_window_is_compacted_and_nothing_is_dropped():
    policy = ScriptedPolicy(replies=scripted_replies())
    state = run(policy)
    assert state["compactions"], "the small window should have made the log compact"
    accounting = log_accounting(state["sources"], state["evidence"], state["digests"])
    assert accounting["evidence_dropped"] == 0
    assert accounting["evidence_in_prompt"] + accounting["evidence_digested"] == len(state["evidence"])
    assert accounting["evidence_digested"] >= 1
    budget = SMALL_WINDOW - REPLY_RESERVE_TOKENS - FRAME_RESERVE_TOKENS
    logs = [log for log in map(log_section, policy.prompts) if log is not None]
    assert max(len(log) / CHARS_PER_TOKEN_ESTIMATE for log in logs) <= budget + 1  # every prompt's log fits


def test_digests_are_fixed_and_the_prefix_changes_only_when_a_compaction_happens():
    policy = ScriptedPolicy(replies=scripted_replies())
    state = run(policy, rounds=3)
    logs = [log for log in map(log_section, policy.prompts) if log is not None]
    digests = [d.text for d in state["digests"]]
    for text in digests:  # from its first appearance on, a digest is in every prompt, byte for byte
        first = next(i for i, log in enumerate(logs) if text in log)
        assert all(text in log for log in logs[first:])
    changes = [
        i for i, (before, after) in enumerate(zip(logs, logs[1:])) if not after.startswith(before.rstrip())
    ]  # a prompt whose log does not extend the previous one
    assert len(changes) <= len(state["compactions"]), (changes, len(state["compactions"]))
    for i in changes:
        assert "### Digest" in logs[i + 1]


def test_a_log_too_big_even_as_a_digest_is_folded_to_content_words_then_to_titles():
    # 100 tokens over the smallest window: the digest's sentences do not fit, their content words do.
    words = run(ScriptedPolicy(replies=scripted_replies()), window=MIN_WINDOW_TOKENS + 100, rounds=3)
    (digest,) = words["digests"]
    kelmar = next(line for line in digest.text.split("\n") if "Siege of Kelmar" in line)
    assert "1400" in kelmar and "2000" in kelmar and len(kelmar) < 160  # content words, the numbers kept
    # The smallest window: only the sources' handles and titles fit, and still say where every passage is.
    titles = run(ScriptedPolicy(replies=scripted_replies()), window=MIN_WINDOW_TOKENS, rounds=3)
    (digest,) = titles["digests"]
    assert all(f"[{h}] Siege of" in digest.text for h in ("S1", "S2", "S3", "S4", "S5", "S6"))
    for state in (words, titles):
        assert len(state["compactions"]) == 1  # nothing new came in later: no compaction again
        compaction = state["compactions"][0]
        assert compaction.log_tokens_after <= compaction.budget_tokens
        accounting = log_accounting(state["sources"], state["evidence"], state["digests"])
        assert accounting["evidence_dropped"] == 0 and accounting["evidence_digested"] >= 1
        assert accounting["evidence_in_prompt"] + accounting["evidence_digested"] == len(state["evidence"])


def test_a_passage_that_went_into_a_digest_can_still_be_cited():
    policy = ScriptedPolicy(replies=scripted_replies(write="The siege of Kelmar lasted 20 days [S1]."))
    state = run(policy)
    digested = {i for d in state["digests"] for i in d.evidence_ids}
    kelmar = next(s for s in state["sources"].values() if s.title == "Siege of Kelmar")
    assert {e.id for e in state["evidence"] if e.source_id == kelmar.id} <= digested  # not verbatim any more
    report = state["report"]
    assert kelmar.id in report.cited_source_ids
    assert re.search(r"Kelmar lasted 20 days[^\n]*\[\d+\]", report.markdown)


def test_a_capable_policy_writes_the_digest_when_it_names_every_source():
    def digest(prompt: str) -> str:
        notes = prompt.split("Notes:", 1)[1].split("Reply in JSON", 1)[0]
        handles = re.findall(r"^\[(S\d+)\]", notes, flags=re.M)
        return json.dumps({"lines": [f"[{h}] Byzantine siege fact." for h in handles]})

    policy = ScriptedPolicy(replies=scripted_replies(digest=digest))
    state = run(policy)
    assert {d.written_by for d in state["digests"]} == {"policy"}
    assert all("Byzantine siege fact." in d.text for d in state["digests"])


def test_a_policy_digest_that_leaves_a_source_out_is_replaced_by_the_deterministic_one():
    policy = ScriptedPolicy(replies=scripted_replies(digest=json.dumps({"lines": ["[S1] Only one source."]})))
    state = run(policy)
    assert state["compactions"] and {d.written_by for d in state["digests"]} == {"deterministic"}
    assert all("Only one source." not in d.text for d in state["digests"])


def test_a_log_within_its_window_is_left_alone():
    state = run(ScriptedPolicy(replies=scripted_replies()), window=None)
    assert not state.get("compactions") and not state.get("digests")
    accounting = log_accounting(state["sources"], state["evidence"], None)
    assert accounting["evidence_in_prompt"] == len(state["evidence"])


def test_the_window_comes_from_the_policy_or_the_override():
    policy = ScriptedPolicy()
    assert log_budget(policy, None).window_from == "assumed"
    assert log_budget(policy, 4096).model_dump() == {
        "budget_tokens": 4096 - REPLY_RESERVE_TOKENS - FRAME_RESERVE_TOKENS,
        "window_tokens": 4096,
        "window_from": "max_context",
        "counted_by": "estimate",
    }
    with pytest.raises(ValueError, match="max_context_tokens"):
        research_context(policy, [list_tool(CORPUS)], budgets={"max_context_tokens": MIN_WINDOW_TOKENS - 1})
    assert Budgets.model_fields["max_context_tokens"].metadata[0].ge == MIN_WINDOW_TOKENS  # one bound, two places
    with pytest.raises(ValueError, match="a context window of 1000 tokens leaves -280 for the research log"):
        log_budget(policy, 1000)


def simulate_rounds(rounds: int, per_round: int, budget_tokens: int) -> tuple[list[list], list[str]]:
    """Rounds of new evidence through `plan_compaction` (no policy: the deterministic digests, the character
    estimate of tokens); the digests after each round, and the log each round's prompts would carry."""
    from stepresearch.nodes.compact import plan_compaction
    from stepresearch.nodes.context_window import LogBudget
    from stepresearch.nodes.layout import render_log
    from stepresearch.state import Evidence, Source

    budget = LogBudget(
        budget_tokens=budget_tokens,
        window_tokens=budget_tokens + 1280,
        window_from="max_context",
        counted_by="estimate",
    )
    sources: dict = {}
    evidence: list = []
    digests: list = []
    history, logs = [], []
    for r in range(1, rounds + 1):
        for k in range(per_round):
            name = f"{CITIES[k % len(CITIES)]}{r}"
            source = Source(id=f"s{r}-{k}", title=f"Siege of {name}", uri=f"doc:{name}", text="", tool="t", origin=name)
            sources[source.id] = source
            text = (
                f"The Byzantine Empire lost {name} to the Ottoman Empire in {1300 + r * 10 + k}. The siege of {name} "
                f"lasted {20 + k} days and {1000 * (k + 2)} soldiers fought there."
            )
            evidence.append(
                Evidence(id=f"e{r}-{k}", source_id=source.id, sub_question_ids=["q"], text=text, score=1.0,
                         order=f"{r:02d}.01.{k:02d}.00")
            )  # fmt: skip
        state = {"evidence": evidence, "sources": sources, "digests": digests, "round": r}
        if len(render_log(sources, evidence, digests)) / CHARS_PER_TOKEN_ESTIMATE > budget_tokens:
            plan = plan_compaction(state, None, budget)
            digests = [*plan.kept_digests, plan.digest]
        history.append(list(digests))
        logs.append(render_log(sources, evidence, digests))
    return history, logs


def test_over_many_rounds_compactions_are_rarer_than_rounds_and_folds_keep_the_earlier_folds():
    history, logs = simulate_rounds(rounds=12, per_round=4, budget_tokens=900)
    compactions = sum(1 for before, after in zip([[]] + history, history) if before != after)
    assert 2 <= compactions < 12 * 0.6, compactions  # the low-water mark leaves room for the next rounds
    kept_folds = 0
    for before, after in zip(history, history[1:]):
        if after != before:  # a compaction keeps a prefix of the digests and appends one new digest after it
            assert after[:-1] == before[: len(after) - 1]
            kept_folds += any(d.level != "sentences" for d in after[:-1])
    assert {"words", "titles"} <= {d.level for digests in history for d in digests}  # the digests were folded
    assert kept_folds >= 1  # and a later fold kept an earlier one in place instead of rewriting the whole log
    for log in logs:
        assert len(log) / CHARS_PER_TOKEN_ESTIMATE <= 900 + 1
    covered = {i for d in history[-1] for i in d.evidence_ids}
    verbatim = {f"e{r}-{k}" for r in range(1, 13) for k in range(4)} - covered
    assert all(f"{1300 + int(i[1:].split('-')[0]) * 10 + int(i.split('-')[1])}" in logs[-1] for i in verbatim)
