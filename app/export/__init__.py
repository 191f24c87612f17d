"""`stepresearch export RUN_DIR --format pdf|docx|html`: a finished run's report as a file to share.

Every format is drawn from the run's validated, structured report (the final checkpoint's `Report`), not
from report.md: citations are links to the Sources list and the Verification table is a real table in
each. A report.md a person has since edited is not what is exported, and the export says so (the
structure is what the validator checked; `stepresearch verify --fix` re-checks the edited Markdown).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal, get_args

from pydantic import BaseModel

from stepresearch.app.run_folder import REPORT_FILE
from stepresearch.app.viewer.folder import read_run
from stepresearch.core.errors import UsageError
from stepresearch.state import Report

from .document import report_html
from .pdf import chromium_binary, write_pdf
from .word import INSTALL_HINT, write_docx

ExportFormat = Literal["pdf", "docx", "html"]
FORMATS: tuple[str, ...] = get_args(ExportFormat)


class Exported(BaseModel):
    path: Path
    format: ExportFormat
    edited_markdown: bool = False  # report.md differs from the validated report the export was drawn from


def check_export_tools(formats: list[str]) -> None:
    """Say before a research starts that an asked export cannot be written here, not after it ends."""
    if "pdf" in formats:
        chromium_binary()
    if "docx" in formats:
        try:
            import docx  # noqa: F401
        except ImportError:
            raise UsageError(INSTALL_HINT) from None


def export_report(report: Report, fmt: ExportFormat, out: Path) -> Path:
    """Write `report` as `fmt` to `out`."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "docx":
        return write_docx(report, out)
    document = report_html(report)
    if fmt == "pdf":
        return write_pdf(document, out)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(document, encoding="utf-8")
    partial.replace(out)
    return out


def export_run(run_dir: Path, fmt: ExportFormat, out: Path | None = None) -> Exported:
    """Export the report of the finished run in `run_dir`; by default to `RUN_DIR/report.<fmt>`."""
    if fmt not in FORMATS:
        raise UsageError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    run_dir = Path(run_dir)
    snapshot = read_run(run_dir)
    report = snapshot.state.get("report")
    if not isinstance(report, Report) or snapshot.state.get("citations") is None:
        raise UsageError(f"the run in {run_dir} has no validated report yet, so there is nothing to export")
    markdown = run_dir / REPORT_FILE
    edited = markdown.is_file() and markdown.read_text(encoding="utf-8") != report.markdown
    target = Path(out) if out is not None else run_dir / f"report.{fmt}"
    if target.is_dir():
        raise UsageError(f"{target} is a folder; give the file to write, e.g. {target / f'report.{fmt}'}")
    return Exported(path=export_report(report, fmt, target), format=fmt, edited_markdown=edited)
