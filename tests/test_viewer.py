"""The run viewer's data, page, folder reading, server and graph pictures, on runs of the FAKE ScriptedPolicy
(graph logic only). `tests/browser/` drives the page of a real embedded run in Chromium."""

from __future__ import annotations

import json
import os
import re
import struct
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
from conftest import QUESTION, scripted_replies
from fakes import ScriptedPolicy

from stepresearch import run_research
from stepresearch.app.viewer import read_run, render_page, run_view
from stepresearch.app.viewer.serve import address, serve_in_thread
from stepresearch.app.viewer.view import timeline
from stepresearch.core.errors import UsageError
from stepresearch.core.text import content_tokens
from stepresearch.graphs import build_graph
from stepresearch.graphs.drawing import NodeFigures, graph_png, graph_svg, layout
from stepresearch.judge.anchors import analyse
from stepresearch.state import CallUsage, NodeExecution


@pytest.fixture
def finished_run(tmp_path, docs_tool) -> Path:
    policy = ScriptedPolicy(replies=scripted_replies())
    run_research(QUESTION, tmp_path / "run", policy=policy, tools=[docs_tool], budgets={"max_rounds": 2})
    return tmp_path / "run"


def embedded_data(page: str) -> dict:
    match = re.search(r'<script id="run-data" type="application/json">(.*?)</script>', page, flags=re.S)
    assert match, "the page inlines its data"
    return json.loads(match.group(1))


def test_every_run_writes_a_self_contained_page_with_its_executions_plan_report_and_claims(finished_run):
    page = (finished_run / "run.html").read_text(encoding="utf-8")
    record = json.loads((finished_run / "run.json").read_text(encoding="utf-8"))
    # Self-contained: nothing is fetched from anywhere (no src/href to another place, a CSP that allows none).
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert "default-src 'none'" in page
    data = embedded_data(page)
    assert data["status"] == "finished"
    # One bar per node execution the record lists, each on a lane.
    assert len(data["executions"]) == len(record["executions"]) >= 6
    assert {e["node"] for e in data["executions"]} >= {"clarify", "plan", "search", "verify", "write", "validate"}
    assert data["lanes"] == max(e["lane"] for e in data["executions"]) + 1
    # The plan tree holds every sub-question, and every retrieved source is either under a branch or unused.
    planned = []
    stack = list(data["plan"])
    while stack:
        node = stack.pop()
        planned.append(node["id"])
        stack += node["children"]
    assert sorted(planned) == sorted(sq["id"] for sq in record["sub_questions"])
    assert len(data["claims"]) == len(record["claims"])
    # The graph picture carries every node with how often it ran.
    for node in ("clarify", "plan", "search", "write"):
        runs = sum(1 for e in record["executions"] if e["node"] == node)
        assert f'data-node="{node}" data-runs="{runs}"' in data["graph_svg"]


def test_each_citation_points_at_the_passage_that_supports_its_sentence(finished_run):
    data = embedded_data((finished_run / "run.html").read_text(encoding="utf-8"))
    pairs = []  # (the statement, a citation of it): prose sentences, and the claims of the verification table
    for block in data["report"]:
        if block["kind"] == "source":  # the source list: its marks open a whole source, they cite nothing
            assert block["sentences"][0]["cites"][0]["source_id"] is not None
            continue
        for sentence in block["sentences"]:
            pairs += [(sentence["text"], c) for c in sentence["cites"]]
        if block["kind"] == "row" and not block["header"]:
            claim = " ".join(s["text"] for s in block["cells"][0])
            pairs += [(claim, c) for cell in block["cells"][1:] for s in cell for c in s["cites"]]
    checked = 0
    for text, cite in pairs:
        assert cite["source_id"] is not None
        assert cite["spans"], (text, cite)
        passage = " ".join(cite["excerpt"][a:b] for a, b in cite["spans"])
        statement = re.sub(r"\[\d+\]", "", text)
        assert cite["verdict"], (text, cite)  # recorded by the run's judge: the viewer judged nothing
        if cite["verdict"] == "entails":
            numbers = [q.value for q in analyse(statement).quantities]
            assert all(str(int(n)) in passage for n in numbers if float(n).is_integer()), (statement, passage)
            shared = set(content_tokens(statement)) & set(content_tokens(passage))
            assert len(shared) >= len(set(content_tokens(statement))) / 2, (statement, passage)
        elif cite["verdict"] == "corroborates":  # it tells the claim's event in its own words, a value in common
            values = {q.value for q in analyse(statement).quantities} & {q.value for q in analyse(passage).quantities}
            assert values, (statement, passage)
        else:  # a witness against: the same event, told otherwise
            assert set(content_tokens(statement)) & set(content_tokens(passage)), (statement, passage)
        checked += 1
    assert checked >= 3


def test_timeline_puts_overlapping_executions_on_their_own_lanes():
    def ex(node: str, start: float, seconds: float) -> NodeExecution:
        return NodeExecution(node=node, started_at=1000 + start, seconds=seconds, usage=CallUsage())

    bars, lanes = timeline(
        [ex("plan", 0, 1), ex("search", 1, 2), ex("search", 1.1, 1), ex("search", 1.2, 3), ex("verify", 4.5, 1)]
    )
    assert lanes == 3
    assert [b.lane for b in bars] == [0, 0, 1, 2, 0]
    assert bars[0].start_s == 0 and bars[-1].end_s == pytest.approx(5.5)


def test_a_run_folder_that_cannot_be_shown_is_one_clear_error(tmp_path, finished_run):
    with pytest.raises(UsageError, match="no run folder"):
        read_run(tmp_path / "missing")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(UsageError, match="no checkpoints.sqlite"):
        read_run(empty)
    record = finished_run / "run.json"
    good = record.read_text(encoding="utf-8")
    record.write_text(good[:200], encoding="utf-8")
    with pytest.raises(UsageError, match="not valid JSON"):
        read_run(finished_run)
    old = json.loads(good)
    del old["executions"]
    record.write_text(json.dumps(old), encoding="utf-8")
    with pytest.raises(UsageError, match="older stepresearch: it has no executions"):
        read_run(finished_run)
    record.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(UsageError, match="not a run record"):
        read_run(finished_run)


def test_show_exits_2_with_one_line_for_a_folder_it_cannot_show(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "stepresearch", "show", str(tmp_path / "nowhere"), "--port", "0"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.strip() == f"error: no run folder at {tmp_path / 'nowhere'}"


def test_the_server_serves_the_live_page_and_its_view_on_loopback_only(finished_run):
    server, thread = serve_in_thread(finished_run)
    try:
        url = address(server)
        assert url.startswith("http://127.0.0.1:")
        page = urllib.request.urlopen(url, timeout=30).read().decode()
        assert 'data-live="1"' in page and embedded_data(page)["status"] == "finished"
        view = json.loads(urllib.request.urlopen(url + "view.json", timeout=30).read())
        assert view["executions"] and view["question"] == QUESTION
        with pytest.raises(urllib.error.HTTPError) as missing:
            urllib.request.urlopen(url + "etc/passwd", timeout=30)
        assert missing.value.code == 404
    finally:
        server.shutdown()
        server.server_close()
    thread.join(timeout=10)
    assert not thread.is_alive()


def test_a_killed_run_is_shown_up_to_its_last_checkpoint(tmp_path, docs_tool):
    out = tmp_path / "killed"
    script = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r});"
        "from conftest import QUESTION, scripted_replies, DOCS; from fakes import ScriptedPolicy, list_tool;"
        "from stepresearch import run_research;"
        f"run_research(QUESTION, {str(out)!r}, policy=ScriptedPolicy(replies=scripted_replies()), "
        "tools=[list_tool(DOCS)])"
    )
    env = {**os.environ, "STEPRESEARCH_FAULT_AT": "after:compact"}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode != 0  # killed at the fault point
    snapshot = read_run(out)
    assert snapshot.status == "stopped"
    view = run_view(snapshot.state, build_graph(), status=snapshot.status)
    ran = {e.node for e in view.executions}
    assert {"clarify", "plan", "search"} <= ran and "write" not in ran
    assert 'data-node="write" data-runs="0" class="idle"' in view.graph_svg  # greyed: it never ran
    assert view.report == []
    assert "No report yet." in render_page(view)


def test_graph_pictures_draw_every_node_and_edge_offline(tmp_path):
    graph = build_graph()
    drawable = graph.get_graph()
    svg = graph_svg(graph)
    for name in drawable.nodes:
        assert f'data-node="{name}"' in svg
    for edge in drawable.edges:
        assert f'data-edge="{edge.source}-{edge.target}"' in svg
    placed = layout(graph)
    kinds = {(e.source, e.target): e.kind for e in placed.edges}
    assert kinds[("reflect", "plan")] == "back"  # the reflection loop is drawn as a loop, not a layer
    assert kinds[("plan", "search")] == "next"
    out = tmp_path / "graph.png"
    graph_png(graph, out, {"plan": NodeFigures(runs=2, seconds=1.5)})
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", header[16:24])
    assert (width, height) == (int(placed.width * 2), int(placed.height * 2))


def test_graph_command_writes_each_format_and_refuses_png_on_stdout(tmp_path):
    from cli_in_process import run_cli_here

    def cli(*args: str) -> subprocess.CompletedProcess:
        return run_cli_here("graph", *args, cwd=tmp_path)

    mermaid = cli()
    assert mermaid.returncode == 0 and "reflect" in mermaid.stdout and "-->" in mermaid.stdout
    assert cli("--format", "svg", "--out", str(tmp_path / "g.svg")).returncode == 0
    assert (tmp_path / "g.svg").read_text().startswith("<svg")
    assert cli("--format", "png", "--out", str(tmp_path / "g.png")).returncode == 0
    assert (tmp_path / "g.png").read_bytes()[:4] == b"\x89PNG"
    refused = cli("--format", "png")
    assert refused.returncode == 2 and "--out" in refused.stderr


def test_the_validator_records_the_passage_in_its_source_whatever_spaces_the_source_uses():
    """The alignment the viewer highlights is located in the source's own text by the validator."""
    from stepresearch.nodes.citation_check import validate_report
    from stepresearch.state import CitedSentence, Report, Source

    text = "Rome fought Parthia from 54\u00a0BC.  The wars ended\nin 628 AD, after the Sasanian defeat. Later history."
    source = Source(id="s1", title="Roman–Persian wars", uri="doc:rp", text=text, tool="t", origin="rp")
    sentence = CitedSentence(text="The wars ended in 628 AD, after the Sasanian defeat.", source_ids=["s1"])
    checked = validate_report(Report(title="Wars", short_answer=[sentence]), [source]).report
    (alignment,) = checked.short_answer[0].alignments
    assert [text[a:b] for a, b in alignment.spans] == ["The wars ended\nin 628 AD, after the Sasanian defeat."]
    assert alignment.label == "entails" and checked.references["s1"].uri == "doc:rp"
    assert "defeat [1]." in checked.markdown and checked.cited_source_ids == ["s1"]


def test_the_run_record_schema_in_docs_is_the_models(tmp_path):
    """docs/run.schema.json, which the README links to, is RunRecord's schema as the code defines it."""
    from stepresearch.app.run_record import RunRecord

    committed = json.loads((Path(__file__).parent.parent / "docs" / "run.schema.json").read_text(encoding="utf-8"))
    assert committed == RunRecord.model_json_schema(), "regenerate docs/run.schema.json from RunRecord"
