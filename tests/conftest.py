"""Shared fixtures. Unit tests use the FAKE `ScriptedPolicy` (tests/fakes.py); tests marked
`integration` use the real SmolLM2 model, corpus and SQLite checkpointer."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fakes import ScriptedPolicy, list_tool  # noqa: E402

QUESTION = "When and how did the Byzantine Empire end, and which state conquered its capital?"

DOCS = [
    {
        "title": "Fall of Constantinople",
        "uri": "doc:fall",
        "text": "The Fall of Constantinople was the capture of the capital of the Byzantine Empire by the Ottoman "
        "Empire. The city fell on 29 May 1453 after a siege of 53 days. Sultan Mehmed II led the Ottoman army.",
    },
    {
        "title": "Byzantine Empire",
        "uri": "doc:byz",
        "text": "The Byzantine Empire was the continuation of the Roman Empire in the east. The Byzantine Empire "
        "ended in 1453 when the Ottoman Empire conquered Constantinople. Its capital was Constantinople.",
    },
    {
        "title": "Ottoman Empire",
        "uri": "doc:ott",
        "text": "The Ottoman Empire was a state that controlled much of southeastern Europe. The Ottoman Empire "
        "conquered Constantinople in 1453 and made the city its capital.",
    },
]


def free_port() -> int:
    """A loopback port nothing listens on now, for a server a test starts."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def scripted_replies(**overrides: str) -> dict[str, str]:
    replies = {
        "clarify": json.dumps(
            {
                "objective": "Explain when and how the Byzantine Empire ended and which state conquered its capital",
                "assumptions": ["The capital of the Byzantine Empire is Constantinople"],
                "key_terms": ["Byzantine Empire", "capital"],
            }
        ),
        "plan": json.dumps(
            {
                "sub_questions": [
                    "When did the Byzantine Empire end?",
                    "Which state conquered Constantinople?",
                    "How did the siege of Constantinople end?",
                ]
            }
        ),
        "reflect": json.dumps({"follow_ups": []}),
        "summarize": json.dumps(
            {
                "title": "The end of the Byzantine Empire",
                "answer": "The Byzantine Empire ended in 1453 when the Ottoman Empire conquered Constantinople.",
            }
        ),
        "write": "The city fell on 29 May 1453 after a siege of 53 days [S1]. Purple elephants ruled Byzantium [S9].",
    }
    replies.update(overrides)
    return replies


@pytest.fixture
def policy() -> ScriptedPolicy:
    return ScriptedPolicy(replies=scripted_replies())


@pytest.fixture
def docs_tool():
    return list_tool(DOCS)


@pytest.fixture(scope="session", autouse=True)
def _session_cache(tmp_path_factory):
    """One cache folder for the session (the search indexes and sentence vectors it builds), set before any
    module's fixtures run, so the real runs share it instead of each building its own; never the user's."""
    saved = os.environ.get("STEPRESEARCH_CACHE_DIR")
    os.environ["STEPRESEARCH_CACHE_DIR"] = str(tmp_path_factory.getbasetemp() / "index-cache")
    yield
    if saved is None:
        os.environ.pop("STEPRESEARCH_CACHE_DIR", None)
    else:
        os.environ["STEPRESEARCH_CACHE_DIR"] = saved


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path_factory, monkeypatch):
    """Each test session indexes into its own cache folder: no test depends on a warm cache from outside."""
    cache = tmp_path_factory.getbasetemp() / "index-cache"
    monkeypatch.setenv("STEPRESEARCH_CACHE_DIR", str(cache))
    monkeypatch.delenv("TAVILY_API_KEY", raising=False)


DEFAULT_QUESTION = "When and how did the Byzantine Empire end, and which state conquered its capital?"


@pytest.fixture(scope="session")
def default_research_run(tmp_path_factory):
    """The README's run command, run once for the session (the real model, the offline Wikipedia corpus):
    its folder and its finished process, shared by the tests that only read them (the end-to-end checks of
    the report and the record, and the browser's run.html checks), so the suite runs it once, not twice."""
    import subprocess
    import sys

    root = tmp_path_factory.mktemp("default-run")
    env = dict(os.environ)  # the session's cache folder (`_session_cache`)
    env.pop("TAVILY_API_KEY", None)
    result = subprocess.run(
        [sys.executable, "-m", "stepresearch", "run", DEFAULT_QUESTION, "--out", str(root / "byzantium"), "--log-json"],
        capture_output=True, text=True, timeout=900, env=env, cwd=root,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    return root / "byzantium", result
