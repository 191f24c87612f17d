"""`stepresearch export`: a run's report as HTML, Word and PDF, each read back from the file written.

The run is made with the FAKE `ScriptedPolicy` (the export reads only the finished run's folder, so the
policy that wrote it does not matter here); the Chinese report is the phrase tables' test report,
validated. The PDF is printed by Debian's `chromium` and read back with poppler's `pdftotext` and
`pdffonts` (Debian's `poppler-utils`); the Chinese text needs a CJK font (`fonts-wqy-zenhei` or
`fonts-noto-cjk`). Without them these tests are skipped and say why, and CI installs them (`.ci/run`).
The .docx is read back with python-docx.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from cli_in_process import run_cli_here
from conftest import QUESTION, scripted_replies
from fakes import ScriptedPolicy

from stepresearch.app.cli import EXPORT_FORMATS
from stepresearch.app.export import FORMATS, export_report
from stepresearch.app.runner import run_research
from stepresearch.nodes.citation_check import validate_report

sys.path.insert(0, str(Path(__file__).parents[1]))
from test_phrases import chinese_report, chinese_state  # noqa: E402

pytestmark = pytest.mark.browser

REQUIRE_ENV = "STEPRESEARCH_REQUIRE_BROWSER"  # set by .ci/run: a missing tool fails instead of skipping


def need(tool: str, package: str) -> str:
    found = shutil.which(tool)
    if found is None:
        reason = f"`{tool}` is not installed (Debian's `{package}`)"
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"{reason}; {REQUIRE_ENV} is set: CI must run the export tests")
        pytest.skip(reason)
    return found


def cjk_font_installed() -> bool:
    listed = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True)
    return bool(listed.stdout.strip())


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, request) -> Path:
    from conftest import DOCS
    from fakes import list_tool

    out = tmp_path_factory.mktemp("export") / "run"
    run_research(QUESTION, out, policy=ScriptedPolicy(replies=scripted_replies()), tools=[list_tool(DOCS)])
    return out


def run_cli(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return run_cli_here(*args, cwd=Path.cwd(), env=env)


def pdf_text(path: Path) -> str:
    need("pdftotext", "poppler-utils")
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_the_cli_and_the_module_offer_the_same_formats():
    assert EXPORT_FORMATS == FORMATS


def test_html_export_links_every_mark_to_its_source_and_draws_a_real_table(finished_run, tmp_path):
    done = run_cli(["export", str(finished_run), "--format", "html", "--out", str(tmp_path / "r.html")])
    assert done.returncode == 0, done.stderr
    page = (tmp_path / "r.html").read_text(encoding="utf-8")
    marks = set(re.findall(r'<a class="cite" href="#source-(\d+)">\[\1\]</a>', page))
    entries = set(re.findall(r'<p class="source" id="source-(\d+)">\[\1\]', page))
    assert marks and marks == entries
    assert "<table><thead><tr><th>Key claim</th>" in page and page.count("<tr>") >= 2
    assert "default-src 'none'" in page and not re.search(r'(src|href)="(https?:)?//', page)
    assert "*Question:*" not in page and "Question:" in page  # Markdown emphasis is not printed


def test_word_export_has_headings_a_table_and_links_to_bookmarked_sources(finished_run):
    import docx

    done = run_cli(["export", str(finished_run), "--format", "docx"])
    assert done.returncode == 0, done.stderr
    document = docx.Document(str(finished_run / "report.docx"))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Short answer" in headings and "Verification" in headings and "Sources" in headings
    (table,) = document.tables
    assert [c.text for c in table.rows[0].cells] == ["Key claim", "Verdict", "Sources for", "Sources against"]
    assert len(table.rows) >= 2 and re.fullmatch(r"(\[\d+\])+", table.rows[1].cells[2].text)
    xml = document.element.xml
    anchors = set(re.findall(r'w:anchor="(source-\d+)"', xml))
    bookmarks = set(re.findall(r'w:name="(source-\d+)"', xml))
    assert anchors and anchors <= bookmarks
    entries = [p.text for p in document.paragraphs if re.match(r"\[\d+\] ", p.text)]
    assert len(entries) == len(bookmarks) and all(" — doc:" in e for e in entries)


def test_pdf_export_prints_the_reports_text_and_links(finished_run, tmp_path):
    need("chromium", "chromium")
    out = tmp_path / "report.pdf"
    done = run_cli(["export", str(finished_run), "--format", "pdf", "--out", str(out)])
    assert done.returncode == 0, done.stderr
    assert out.read_bytes()[:5] == b"%PDF-"
    text = pdf_text(out)
    markdown = (finished_run / "report.md").read_text(encoding="utf-8")
    title = markdown.splitlines()[0].removeprefix("# ")
    assert title in text and "Short answer" in text and "Key claim" in text and "Sources" in text
    assert re.search(r"\[1\] \S", text)  # the first entry of the source list
    raw = out.read_bytes()
    assert b"/Link" in raw and b"source-1" in raw  # the marks are links to the entries, kept by Chromium


def test_a_chinese_report_prints_in_a_cjk_font(tmp_path):
    need("chromium", "chromium")
    if not cjk_font_installed():
        reason = "no CJK font is installed (Debian's `fonts-wqy-zenhei` or `fonts-noto-cjk`)"
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(reason)
        pytest.skip(reason)
    from stepresearch.nodes.report_parts import complete_report

    state = chinese_state()
    report = validate_report(complete_report(chinese_report(), state), list(state["sources"].values())).report
    out = export_report(report, "pdf", tmp_path / "zh.pdf")
    text = pdf_text(out)
    for phrase in ["拜占庭帝国的灭亡", "简短回答", "来源", "核查"]:
        assert phrase in text, (phrase, text[:500])
    fonts = subprocess.run([need("pdffonts", "poppler-utils"), str(out)], capture_output=True, text=True).stdout
    assert re.search(r"WenQuanYi|Noto\S* ?Sans\S* ?CJK|NotoSansCJK|Droid", fonts), fonts
    if os.environ.get("STEPRESEARCH_SCREENSHOTS"):  # a page to look at: the closing note shows one
        folder = Path(os.environ["STEPRESEARCH_SCREENSHOTS"])
        folder.mkdir(parents=True, exist_ok=True)
        subprocess.run(["pdftoppm", "-png", "-r", "80", "-f", "1", "-l", "1", str(out), str(folder / "export-zh")])


def test_bad_exports_are_one_line_and_exit_2(finished_run, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    nothing = run_cli(["export", str(empty), "--format", "html"])
    assert nothing.returncode == 2 and nothing.stderr.count("\n") <= 1 and "Traceback" not in nothing.stderr
    unknown = run_cli(["export", str(finished_run), "--format", "odt"])
    assert unknown.returncode == 2 and "invalid choice" in unknown.stderr
    folder = run_cli(["export", str(finished_run), "--format", "html", "--out", str(tmp_path)])
    assert folder.returncode == 2 and "is a folder" in folder.stderr
    no_browser = run_cli(
        ["export", str(finished_run), "--format", "pdf"], env={"PATH": str(tmp_path), "STEPRESEARCH_CHROMIUM": ""}
    )
    assert no_browser.returncode == 2 and "apt install chromium" in no_browser.stderr
    assert not (finished_run / "report.pdf").exists()
