"""The `docx` export: the report's blocks as a Word document, written with python-docx.

Headings are Word headings, the Verification table a Word table, and each citation mark an internal
hyperlink to a bookmark on its Sources entry. East Asian text is given a CJK font (`CJK_FONT`), which
Word and LibreOffice substitute with an installed CJK font when that one is missing. python-docx is the
maintained library for writing .docx from Python (no Word or LibreOffice needed); it is the `export`
extra, and an export without it says what to install.
"""

from __future__ import annotations

import os
from pathlib import Path

from stepresearch.core.errors import UsageError
from stepresearch.core.phrases import phrases_for
from stepresearch.state import Report, report_blocks, source_numbers
from stepresearch.state.report import Inline, inline, plain_text

from .document import source_anchor

CJK_FONT = "Noto Sans CJK SC"
INSTALL_HINT = "Word export needs python-docx: pip install 'stepresearch[export]' (or pip install python-docx)"


def write_docx(report: Report, out: Path) -> Path:
    """`report` as a .docx file at `out`, written whole or not at all."""
    try:
        import docx
        from docx.oxml.ns import qn
    except ImportError:
        raise UsageError(INSTALL_HINT) from None
    document = docx.Document()
    normal = document.styles["Normal"]
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), CJK_FONT)
    numbers = source_numbers(report)
    unverified = phrases_for(report.language).unverified
    table = None
    for block in report_blocks(report):
        if block.kind not in ("row", "header_row"):
            table = None
        if block.kind == "title":
            _runs(document.add_heading(level=0), inline(block.pieces, numbers, unverified))
        elif block.kind == "heading":
            _runs(document.add_heading(level=1), inline(block.pieces, numbers, unverified))
        elif block.kind == "item":
            _runs(document.add_paragraph(style="List Bullet"), inline(block.pieces, numbers, unverified))
        elif block.kind == "quote":
            _runs(document.add_paragraph(style="Intense Quote"), inline(block.pieces, numbers, unverified))
        elif block.kind in ("header_row", "row"):
            if table is None:
                table = document.add_table(rows=0, cols=len(block.cells))
                table.style = "Table Grid"
            cells = table.add_row().cells
            for cell, pieces in zip(cells, block.cells):
                runs = inline(pieces, numbers, unverified)
                _runs(cell.paragraphs[0], runs or [Inline(text="—")], bold=block.kind == "header_row")
        elif block.kind == "source" and block.reference is not None:
            n = numbers[block.reference.id]
            paragraph = document.add_paragraph()
            _bookmark(paragraph, source_anchor(n), n)
            paragraph.add_run(f"[{n}] {block.reference.title} — {block.reference.uri}")
        else:
            _runs(document.add_paragraph(), inline(block.pieces, numbers, unverified))
    partial = out.with_name(out.name + ".partial")
    document.save(str(partial))
    os.replace(partial, out)
    return out


def _runs(paragraph, runs: list[Inline], bold: bool = False) -> None:
    for run in runs:
        if run.cites is not None:
            _link(paragraph, f"[{run.cites}]", source_anchor(run.cites))
        elif run.text:
            added = paragraph.add_run(plain_text(run.text))
            added.bold = bold or None
            added.italic = run.unverified or None


def _bookmark(paragraph, name: str, n: int) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(n))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(n))
    paragraph._p.append(start)
    paragraph._p.append(end)


def _link(paragraph, text: str, anchor: str) -> None:
    """An internal hyperlink (to a bookmark), which python-docx has no call for: built from its XML."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), anchor)
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    style = OxmlElement("w:vertAlign")
    style.set(qn("w:val"), "superscript")
    properties.append(style)
    run.append(properties)
    content = OxmlElement("w:t")
    content.text = text
    run.append(content)
    link.append(run)
    paragraph._p.append(link)
