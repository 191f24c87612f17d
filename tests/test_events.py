"""The typed event stream and the prose filter, with the FAKE ScriptedPolicy for graph runs."""

from __future__ import annotations

import json

from conftest import QUESTION, scripted_replies
from fakes import ScriptedPolicy

from stepresearch.app.events import (
    EVENT_ADAPTER,
    BriefMade,
    ClaimJudged,
    NodeFinished,
    NodeStarted,
    ReportWritten,
    SourcesFound,
    SubQuestionPlanned,
)
from stepresearch.app.runner import run_research
from stepresearch.core.prose import ProseFilter


def test_a_run_tells_its_progress_as_typed_events_that_serialise(tmp_path, docs_tool):
    events = []
    run_research(QUESTION, tmp_path / "run", policy=ScriptedPolicy(replies=scripted_replies()), tools=[docs_tool],
                 on_event=events.append, budgets=None)  # fmt: skip
    kinds = [type(e) for e in events]
    assert kinds[0] is NodeStarted and events[0].node == "clarify"
    assert BriefMade in kinds and ReportWritten in kinds and ClaimJudged in kinds
    planned = [e for e in events if isinstance(e, SubQuestionPlanned)]
    found = [e for e in events if isinstance(e, SourcesFound)]
    assert len(planned) >= 3 and {f.sub_question_id for f in found} >= {p.id for p in planned if p.round == 1}
    branches = [e for e in events if isinstance(e, NodeStarted) and e.node == "search"]
    assert all(b.sub_question for b in branches) and len(branches) == len(found)
    finished = {e.node for e in events if isinstance(e, NodeFinished)}
    assert finished == {
        "clarify", "plan", "search", "compact", "verify", "reflect", "draft_section", "write", "validate"
    }  # fmt: skip
    for event in events:  # every event round-trips through JSON, for server-sent events
        assert EVENT_ADAPTER.validate_json(event.model_dump_json()) == event


def test_the_prose_filter_keeps_string_values_however_the_tokens_split():
    reply = json.dumps({"summary": 'The city fell in 1453.\nIt was "the end".', "sources": ["s1"], "n": 2})
    for size in (1, 2, 3, 7, 50):
        prose = ProseFilter()
        text = "".join(prose.feed(reply[i : i + size]) for i in range(0, len(reply), size))
        assert text == 'The city fell in 1453.\nIt was "the end".\n\ns1\n\n'
    assert ProseFilter().feed("Plain prose, no JSON {at all}.") == "Plain prose, no JSON {at all}."
    assert ProseFilter().feed('{"a": "caf\\u00e9"}') == "café\n\n"


def test_an_inserted_node_emits_its_own_events_and_gets_start_and_end_events(tmp_path, docs_tool):
    from stepresearch.app.events import RoundDecided, emit
    from stepresearch.graphs import NodeInsert

    def audit(state, runtime):
        emit(runtime, RoundDecided(another_round=False, gaps=0, stop_reason="audited by my node"))
        return {}

    events = []
    inserted = NodeInsert(name="audit", fn=audit, after="write", before="validate")
    run_research(QUESTION, tmp_path / "run", policy=ScriptedPolicy(replies=scripted_replies()), tools=[docs_tool],
                 on_event=events.append, graph_options={"insert": [inserted]})  # fmt: skip
    mine = [e for e in events if isinstance(e, RoundDecided) and e.stop_reason == "audited by my node"]
    assert len(mine) == 1
    started = [i for i, e in enumerate(events) if isinstance(e, NodeStarted) and e.node == "audit"]
    ended = [i for i, e in enumerate(events) if isinstance(e, NodeFinished) and e.node == "audit"]
    assert len(started) == len(ended) == 1 and started[0] < events.index(mine[0]) < ended[0]
