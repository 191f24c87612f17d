"""The example app (examples/research_app.py) over loopback: two researches side by side on its one event
loop, progress and tokens as server-sent events, and a clarifying question answered by a person. The policy
is the real SmolLM2 in the app's process, the corpus the shipped Wikipedia summaries."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from conftest import free_port

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
ADDED = "What did Alexander Fleming observe in 1928?"
QUESTIONS = [
    "When and how did the Byzantine Empire end, and which state conquered its capital?",
    "Who discovered penicillin and when?",
]


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    port = free_port()
    home = tmp_path_factory.mktemp("app")
    env = {**os.environ, "STEPRESEARCH_MAX_ROUNDS": "1",
           "STEPRESEARCH_JUDGE": "lexical"}  # fmt: skip
    env.pop("TAVILY_API_KEY", None)
    errors = (home / "app.err").open("w", encoding="utf-8")  # a file, not a pipe: a full pipe would block the app
    process = subprocess.Popen(
        [sys.executable, str(ROOT / "examples" / "research_app.py"), "--port", str(port)],
        cwd=home, env=env, stdout=subprocess.DEVNULL, stderr=errors, text=True,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise AssertionError((home / "app.err").read_text(encoding="utf-8")[-3000:])
        try:
            httpx.get(f"{url}/research/none/events", timeout=2)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline:
                process.kill()
                raise AssertionError("the example app did not come up in 120 s") from None
            time.sleep(0.5)
    yield url
    process.terminate()
    process.wait(timeout=30)
    errors.close()


def event_stream(url: str, research: str) -> Iterator[dict]:
    """One research's server-sent events, decoded, to the end of the stream."""
    with httpx.stream("GET", f"{url}/research/{research}/events", timeout=600) as response:
        for line in response.iter_lines():
            if line.startswith("data:"):
                yield json.loads(line[5:].strip())


def events_of(url: str, research: str, answer: str | None, seen: list[dict]) -> None:
    """Read one research's events to the end, answering its clarifying question."""
    for event in event_stream(url, research):
        seen.append(event)
        if event["kind"] == "clarification_asked" and answer is not None:
            httpx.post(f"{url}/research/{research}/answer", json={"answer": answer}, timeout=10)


def test_two_researches_stream_side_by_side_and_a_person_answers(app):
    asked = httpx.post(f"{app}/research", json={"question": QUESTIONS[0], "interactive": True}, timeout=10).json()
    plain = httpx.post(f"{app}/research", json={"question": QUESTIONS[1]}, timeout=10).json()
    seen: dict[str, list[dict]] = {asked["id"]: [], plain["id"]: []}
    readers = [
        threading.Thread(target=events_of, args=(app, asked["id"], "Only the fall of Constantinople in 1453",
                                                 seen[asked["id"]])),
        threading.Thread(target=events_of, args=(app, plain["id"], None, seen[plain["id"]])),
    ]  # fmt: skip
    for reader in readers:
        reader.start()
    for reader in readers:
        reader.join(timeout=900)
    for research, events in seen.items():
        kinds = [e["kind"] for e in events]
        assert kinds[-1] == "done", kinds[-5:]
        assert "node_started" in kinds and "sources_found" in kinds and "token" in kinds
        cited = {int(n) for n in re.findall(r"\[(\d+)\]", events[-1]["report"].split("## Sources")[0])}
        assert len(cited) >= 1, research
    interactive = [e["kind"] for e in seen[asked["id"]]]
    assert "clarification_asked" in interactive and "clarification_asked" not in [e["kind"] for e in seen[plain["id"]]]
    assert (
        "Only the fall of Constantinople in 1453"
        in next(e for e in seen[asked["id"]] if e["kind"] == "brief")["objective"]
    )


def test_a_person_reviews_the_plan_and_the_sources_through_the_app(app):
    started = httpx.post(f"{app}/research", json={"question": QUESTIONS[1], "review": ["plan", "sources"]}, timeout=10)
    research = started.json()["id"]
    seen: list[dict] = []
    for event in event_stream(app, research):
        seen.append(event)
        if event["kind"] == "review_asked" and event["review"] == "plan_review":
            assert event["request"]["error"] == "", event["request"]["error"]
            early = httpx.post(f"{app}/research/{research}/answer", json={"answer": "x"}, timeout=10)
            assert early.status_code == 409  # it waits for a review, not an answer
            httpx.post(f"{app}/research/{research}/review", json={"add": [ADDED]}, timeout=10)
        elif event["kind"] == "review_asked" and event["review"] == "sources_review":
            struck = event["request"]["sources"][0]
            httpx.post(f"{app}/research/{research}/review", json={"strike": [struck["id"]]}, timeout=10)
    asked = [e["review"] for e in seen if e["kind"] == "review_asked"]
    assert asked == ["plan_review", "sources_review"] and seen[-1]["kind"] == "done", [e["kind"] for e in seen][-5:]
    shown = next(e for e in seen if e["kind"] == "review_asked")["request"]["sub_questions"]
    planned = [e["text"] for e in seen if e["kind"] == "sub_question"]
    assert planned == [sq["text"] for sq in shown] + [ADDED]  # the plan node says what it searches, as reviewed
    report = seen[-1]["report"]
    assert f"— {struck['uri']}" not in report.split("## Sources")[1]
    assert "a person struck 1 source(s) before the report was written" in report


def test_bad_requests_get_clear_errors(app):
    empty = httpx.post(f"{app}/research", json={"question": "  "}, timeout=10)
    assert empty.status_code == 400 and "empty" in empty.json()["error"]
    assert httpx.get(f"{app}/research/nope/events", timeout=10).status_code == 404
    assert httpx.post(f"{app}/research/nope/answer", json={"answer": "x"}, timeout=10).status_code == 404
    unknown = httpx.post(f"{app}/research", json={"question": "Why?", "review": ["everything"]}, timeout=10)
    assert unknown.status_code == 400 and "unknown review everything" in unknown.json()["error"]
