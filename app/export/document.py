"""A finished run's report as one self-contained HTML document: the `html` export, and what the PDF prints.

It is drawn from the report's own blocks (`stepresearch.state.report_blocks`), the ones its Markdown is
rendered from: each citation mark is a link to its entry in the Sources list, and the Verification table
is a real table. Nothing is fetched from anywhere (inline CSS, a Content-Security-Policy that allows no
load), and the fonts are named by family: the page asks for a CJK family installed on the machine for
Chinese text (`CJK_FONTS`; on Debian `fonts-noto-cjk` or `fonts-wqy-zenhei`).
"""

from __future__ import annotations

import html

from stepresearch.core.phrases import phrases_for
from stepresearch.state import Report, ReportBlock, report_blocks, source_numbers
from stepresearch.state.report import Inline, inline, plain_text

# Latin text first, then the CJK families Debian ships, so a Chinese report is never drawn in boxes.
CJK_FONTS = ("Noto Sans CJK SC", "Noto Sans SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei", "Droid Sans Fallback")
FONT_STACK = ", ".join(['"DejaVu Sans"', '"Liberation Sans"', *(f'"{f}"' for f in CJK_FONTS), "sans-serif"])

STYLE = f"""
body {{ font-family: {FONT_STACK}; max-width: 46em; margin: 2em auto; padding: 0 1em; line-height: 1.5;
  color: #1a1a1a; }}
h1 {{ font-size: 1.6em; }} h2 {{ font-size: 1.2em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }}
blockquote {{ margin: 1em 0; padding: .5em 1em; border-left: 4px solid #c60; background: #fff4e5; }}
table {{ border-collapse: collapse; width: 100%; font-size: .9em; }}
th, td {{ border: 1px solid #999; padding: .3em .5em; text-align: left; vertical-align: top; }}
th {{ background: #eee; }}
a.cite {{ text-decoration: none; font-size: .85em; vertical-align: super; }}
.unverified {{ color: #a00; font-style: italic; }}
p.source {{ margin: .2em 0; }}
"""


def source_anchor(n: int) -> str:
    """The id of source n's entry in the Sources list, which its citation marks link to."""
    return f"source-{n}"


def report_html(report: Report) -> str:
    """The report as a complete HTML document."""
    numbers = source_numbers(report)
    unverified = phrases_for(report.language).unverified
    body: list[str] = []
    open_list = open_table = False
    for block in report_blocks(report):
        if open_list and block.kind != "item":
            body.append("</ul>")
            open_list = False
        if open_table and block.kind != "row":
            body.append("</tbody></table>")
            open_table = False
        if block.kind == "item" and not open_list:
            body.append("<ul>")
            open_list = True
        if block.kind == "header_row":
            body.append("<table><thead>" + _row(block, numbers, unverified, "th") + "</thead><tbody>")
            open_table = True
            continue
        body.append(_block(block, numbers, unverified))
    body += ["</ul>"] if open_list else []
    body += ["</tbody></table>"] if open_table else []
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(report.language)}"><head><meta charset="utf-8">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{html.escape(report.title)}</title><style>{STYLE}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def _block(block: ReportBlock, numbers: dict[str, int], unverified: str) -> str:
    text = _inline(inline(block.pieces, numbers, unverified))
    if block.kind == "title":
        return f"<h1>{text}</h1>"
    if block.kind == "heading":
        return f"<h2>{text}</h2>"
    if block.kind == "item":
        return f"<li>{text}</li>"
    if block.kind == "quote":
        return f"<blockquote>{text}</blockquote>"
    if block.kind == "row":
        return _row(block, numbers, unverified, "td")
    if block.kind == "source" and block.reference is not None:
        ref, n = block.reference, numbers[block.reference.id]
        uri = html.escape(ref.uri)
        link = f'<a href="{uri}">{uri}</a>' if ref.uri.startswith(("http://", "https://")) else uri
        return f'<p class="source" id="{source_anchor(n)}">[{n}] {html.escape(ref.title)} — {link}</p>'
    return f"<p>{text}</p>"


def _row(block: ReportBlock, numbers: dict[str, int], unverified: str, cell: str) -> str:
    cells = [_inline(inline(pieces, numbers, unverified)) or "—" for pieces in block.cells]
    return "<tr>" + "".join(f"<{cell}>{c}</{cell}>" for c in cells) + "</tr>"


def _inline(runs: list[Inline]) -> str:
    out = []
    for run in runs:
        if run.cites is not None:
            out.append(f'<a class="cite" href="#{source_anchor(run.cites)}">[{run.cites}]</a>')
        elif run.unverified:
            out.append(f'<span class="unverified">{html.escape(plain_text(run.text))}</span>')
        else:
            out.append(html.escape(plain_text(run.text)))
    return "".join(out)
