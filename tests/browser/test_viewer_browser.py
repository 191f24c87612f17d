"""The run viewer in a real headless Chromium, on real embedded runs (SmolLM2 through llama.cpp, the shipped
Wikipedia corpus, the SQLite checkpointer): run.html opened from disk, and `stepresearch show` following a
run while it goes.

Chromium is Debian's `chromium` package driven by Playwright for Python (`executable_path`): Playwright's
own browser download cannot reach its host from here. Without either the tests are skipped and say why;
CI installs both (`.ci/run`). Screenshots go to `$STEPRESEARCH_SCREENSHOTS` (else the test's tmp folder).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from stepresearch.app.viewer.folder import read_state
from stepresearch.app.viewer.serve import address, serve_in_thread
from stepresearch.core.text import content_tokens
from stepresearch.graphs import build_graph
from stepresearch.judge import SemanticJudge

pytestmark = [pytest.mark.integration, pytest.mark.browser]

QUESTION = "When and how did the Byzantine Empire end, and which state conquered its capital?"
LIVE_QUESTION = "Who was Marie Curie and what did she discover?"
CHROMIUM_ENV = "STEPRESEARCH_CHROMIUM"  # a browser binary other than the system's `chromium`
REQUIRE_ENV = "STEPRESEARCH_REQUIRE_BROWSER"  # set by .ci/run: a missing browser fails instead of skipping
SCREENSHOT_ENV = "STEPRESEARCH_SCREENSHOTS"  # keep the screenshots in this folder
RUN_TIMEOUT_S = 900


def chromium_path() -> str | None:
    return os.environ.get(CHROMIUM_ENV) or shutil.which("chromium") or shutil.which("chromium-browser")


def unavailable(reason: str) -> None:
    if os.environ.get(REQUIRE_ENV):
        pytest.fail(f"{reason} ({REQUIRE_ENV} is set: CI must run the browser tests)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser() -> Iterator:
    try:
        from playwright import sync_api as playwright_api
    except ImportError:
        unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    path = chromium_path()
    if path is None:
        unavailable(f"no Chromium: install Debian's chromium (apt-get install -y chromium) or set {CHROMIUM_ENV}")
    with playwright_api.sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        chromium = playwright.chromium.launch(executable_path=path, args=["--no-sandbox"])
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def screenshots(tmp_path) -> Path:
    folder = Path(os.environ.get(SCREENSHOT_ENV) or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cli_env(root: Path) -> dict[str, str]:
    env = {**os.environ}
    env.pop("TAVILY_API_KEY", None)
    return env


@pytest.fixture(scope="module")
def embedded_run(default_research_run) -> Path:
    """The README's run command's folder, run once per session (tests/conftest.py) and shared with the
    end-to-end tests; the page is only read here."""
    return default_research_run[0]


class Requests:
    """Every request the page makes; anything but the page itself (or the viewer's server) is refused."""

    def __init__(self, allowed: tuple[str, ...]) -> None:
        self.allowed = allowed
        self.seen: list[str] = []
        self.refused: list[str] = []

    def __call__(self, route) -> None:
        url = route.request.url
        self.seen.append(url)
        if url.startswith(self.allowed):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()


def test_run_html_from_disk_shows_graph_timeline_plan_claims_and_cited_passages(browser, embedded_run, screenshots):
    record = json.loads((embedded_run / "run.json").read_text(encoding="utf-8"))
    page_url = (embedded_run / "run.html").as_uri()
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    requests = Requests((page_url,))
    page.route("**/*", requests)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(page_url)

    # The graph: every node of the compiled graph, each with how often it ran.
    graph_nodes = page.locator("#graph svg g[data-node]")
    assert graph_nodes.count() == len(build_graph().get_graph().nodes)  # every node, start and end included
    ran = {e["node"] for e in record["executions"]}
    for node in ("clarify", "plan", "search", "verify", "reflect", "draft_section", "write", "validate"):
        runs = int(page.locator(f'#graph g[data-node="{node}"]').get_attribute("data-runs"))
        assert runs == sum(1 for e in record["executions"] if e["node"] == node) and (runs > 0) == (node in ran)

    # The timeline: one lane per branch running at once, every execution drawn once.
    lanes = page.locator("#timeline g.lane")
    overlap = max_overlap(record["executions"])
    assert lanes.count() == overlap >= 2, "the search branches ran side by side"
    assert page.locator("#timeline g.bar").count() == len(record["executions"])
    assert page.locator('#timeline g.bar[data-node="search"]').count() == sum(
        1 for e in record["executions"] if e["node"] == "search"
    )

    # The plan tree: every sub-question, follow-ups under their parent.
    assert page.locator("#plan li.sq").count() == len(record["sub_questions"])
    for sq in record["sub_questions"]:
        if sq["parent"]:
            assert page.locator(f'#plan li.sq[data-id="{sq["parent"]}"] li.sq[data-id="{sq["id"]}"]').count() == 1

    # Claims, each with its verdict.
    assert page.locator("#claims .claim").count() == len(record["claims"]) > 0

    # Every citation in the report's prose: a click shows a highlighted passage holding the sentence's anchors.
    cites = page.locator("#report p:not(.source) a.cite, #report li a.cite")
    assert cites.count() >= 2
    for i in range(cites.count()):
        link = cites.nth(i)
        sentence = link.evaluate("a => a.parentElement.firstChild.textContent")
        link.click()
        marked = " ".join(page.locator("#passage mark").all_inner_texts())
        assert marked, f"no passage highlighted for {sentence!r}"
        title = " ".join(page.locator("#passage .source-title").all_inner_texts()).split("] ", 1)[-1]
        assert_anchored(sentence, marked, title)
    page.screenshot(path=str(screenshots / "viewer.png"), full_page=False)
    print(f"screenshot: {screenshots / 'viewer.png'}")

    assert requests.seen == [page_url] and not requests.refused, requests.seen
    assert not errors, errors
    page.close()


def test_show_follows_a_run_in_progress_and_the_page_gains_nodes(browser, tmp_path, screenshots):
    out = tmp_path / "curie"
    run = subprocess.Popen(
        [sys.executable, "-m", "stepresearch", "run", LIVE_QUESTION, "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=cli_env(tmp_path), cwd=tmp_path,
    )  # fmt: skip
    server = None
    try:
        deadline = time.monotonic() + RUN_TIMEOUT_S
        while read_state_or_none(out) is None:  # the first checkpoint: clarify has finished
            assert run.poll() is None, run.stderr.read()[-3000:]
            assert time.monotonic() < deadline
            time.sleep(0.2)
        server, _ = serve_in_thread(out)
        url = address(server)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        requests = Requests((url,))
        page.route("**/*", requests)
        page.goto(url)
        first_status = page.inner_text("#status")
        bars = [page.locator("#timeline g.bar").count()]
        while "running" in page.inner_text("#status") and time.monotonic() < deadline:
            time.sleep(0.5)
            bars.append(page.locator("#timeline g.bar").count())
        assert run.wait(timeout=max(1, deadline - time.monotonic())) == 0, run.stderr.read()[-3000:]
        page.wait_for_function("document.getElementById('status').textContent.startsWith('finished')", timeout=30_000)
        bars.append(page.locator("#timeline g.bar").count())
        assert first_status.startswith("running")
        assert bars == sorted(bars) and bars[-1] > bars[0], bars  # nodes were added as the run went on
        assert len(set(bars)) >= 3, f"the page changed only {len(set(bars)) - 1} time(s) while the run went: {bars}"
        assert int(page.locator('#graph g[data-node="write"]').get_attribute("data-runs")) == 1
        assert page.locator("#report a.cite").count() >= 1
        page.screenshot(path=str(screenshots / "viewer-live.png"))
        assert not requests.refused and all(u.startswith(url) for u in requests.seen), requests.seen
        page.close()
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
        if run.poll() is None:
            run.kill()
            run.wait()


def read_state_or_none(out: Path):
    try:
        return read_state(out)
    except Exception:  # the database is being created: not readable yet
        return None


def max_overlap(executions: list[dict]) -> int:
    """The most executions running at one moment, computed independently of the viewer's lane packing."""
    points = sorted(
        [(e["started_at"], 1) for e in executions] + [(e["started_at"] + e["seconds"], -1) for e in executions],
        key=lambda p: (p[0], p[1]),  # an end before a start at the same moment
    )
    running = best = 0
    for _, step in points:
        running += step
        best = max(best, running)
    return best


def assert_anchored(sentence: str, passage: str, title: str = "") -> None:
    """The highlighted passage holds the sentence's numbers, and at least half of its content words or, for a
    paraphrase, entails it on its own ("lasted until 1453" from "endured until ... 1453")."""
    statement = re.sub(r"\s+", " ", sentence).strip()
    digits = set(re.findall(r"\d+", statement.replace(",", "")))
    assert digits <= set(re.findall(r"\d+", passage.replace(",", ""))), (statement, passage)
    words = set(content_tokens(statement))
    shared = words & set(content_tokens(passage))
    paraphrase = SemanticJudge().judge(statement.rstrip(". "), passage, title).entails
    assert len(shared) >= len(words) / 2 or paraphrase, (statement, passage)
