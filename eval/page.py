"""`eval.html`: one self-contained page (no script, no fetch) to read an evaluation in a browser.

Per system: the headline scores, a bar per criteria dimension, and the distribution of per-task scores;
then each task, which opens to its report and every judgement with the judge's own words. A comparison
adds its pairwise table and Elo ratings. A judge that is not capable is said at the top, in plain words.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from .scoring import TaskScores
from .summary import EvalSummary

HISTOGRAM_BINS = 10  # per-task scores in tenths of their scale
STYLE = """
body{font:15px/1.5 system-ui,-apple-system,"Noto Sans CJK SC","Noto Sans",sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem}table{border-collapse:collapse;margin:.5rem 0;width:100%}
td,th{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}th{background:#f5f5f7}
.warn{background:#fff4e5;border:1px solid #f0a020;padding:.5rem 1rem;border-radius:6px}
.bar{display:flex;align-items:center;gap:.5rem;margin:.15rem 0}.bar span.l{width:12rem}
.bar div{background:#2f6fdf;height:.9rem;border-radius:3px}.hist{display:flex;align-items:flex-end;gap:3px;height:6rem}
.hist div{background:#7a9be0;width:2.2rem;text-align:center;font-size:.7rem;color:#fff}
.axis{display:flex;gap:3px}.axis span{width:2.2rem;text-align:center;font-size:.7rem;color:#666}
details{border:1px solid #ddd;border-radius:6px;margin:.4rem 0;padding:.3rem .6rem}summary{cursor:pointer}
pre{white-space:pre-wrap;background:#fafafa;padding:.6rem;border-radius:4px;max-height:30rem;overflow:auto}
.supported{color:#17813a}.unsupported{color:#b3261e}.unknown{color:#8a6d00}
"""


def render_page(
    summaries: list[EvalSummary], scores: dict[str, list[TaskScores]], folders: dict[str, Path], comparison=None
) -> str:
    """The page for `summaries` (one per system), their task scores (whose reports are read from each
    system's eval folder in `folders`), and an optional `Comparison`."""
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>stepresearch eval</title>"
             f"<style>{STYLE}</style></head><body><h1>stepresearch eval</h1>"]  # fmt: skip
    notes = {s.judge.note for s in summaries if s.judge and s.judge.note}
    if comparison is not None and comparison.judge.note:
        notes.add(comparison.judge.note)
    parts += [f"<p class='warn'><b>Warning:</b> {escape(n)}</p>" for n in sorted(notes)]
    if summaries:
        parts.append(_overview(summaries))
    if comparison is not None:
        parts.append(_comparison(comparison))
    for summary in summaries:
        parts.append(_system(summary, scores.get(summary.system, []), folders.get(summary.system, Path())))
    parts.append("</body></html>\n")
    return "".join(parts)


def _overview(summaries: list[EvalSummary]) -> str:
    rows = "".join(
        f"<tr><td>{escape(s.system)}</td><td>{escape(s.judge.name if s.judge else 'none')}"
        f"{'' if not s.judge or s.judge.capable else ' (not capable)'}</td><td>{s.scored}/{s.tasks}</td>"
        f"<td>{_num(s.criteria)} {escape(s.criteria_kind or '')}</td><td>{_num(s.rubric)}</td>"
        f"<td>{_num(s.citation_accuracy)} ({s.supported}/{s.supported + s.unsupported}, {s.unknown_citations} unknown)</td>"
        f"<td>{f'{s.facts_found}/{s.facts}' if s.facts else '—'}</td><td>{s.unscored}</td></tr>"
        for s in summaries
    )
    return (
        "<h2>Systems</h2><table><tr><th>system</th><th>judge</th><th>scored</th><th>criteria</th><th>rubric</th>"
        f"<th>citation accuracy</th><th>asked facts</th><th>unscored items</th></tr>{rows}</table>"
    )


def _system(summary: EvalSummary, scores: list[TaskScores], out: Path) -> str:
    html = [f"<h2>{escape(summary.system)}</h2>"]
    scale = 1.0 if summary.criteria_kind == "relative to the reference" else 10.0
    if summary.dimensions:
        html.append("<h3>Criteria by dimension</h3>")
        for dim, value in summary.dimensions.items():
            width = max(0.0, min(1.0, value / scale)) * 24
            html.append(
                f"<div class='bar'><span class='l'>{escape(dim)}</span><div style='width:{width:.2f}rem'></div>"
                f"<span>{value:.3f}</span></div>"
            )
    html.append(_histogram(summary, scale))
    html.append("<h3>Tasks</h3>")
    for task in scores:
        html.append(_task(task, out))
    return "".join(html)


def _histogram(summary: EvalSummary, scale: float) -> str:
    values = [r.criteria / scale for r in summary.per_task if r.criteria is not None]
    label = "criteria score"
    if not values:
        values = [r.citation_accuracy for r in summary.per_task if r.citation_accuracy is not None]
        label = "citation accuracy"
    if not values:
        return ""
    bins = [0] * HISTOGRAM_BINS
    for v in values:
        bins[min(HISTOGRAM_BINS - 1, max(0, int(v * HISTOGRAM_BINS)))] += 1
    top = max(bins) or 1
    bars = "".join(f"<div title='{i / HISTOGRAM_BINS:.1f}–{(i + 1) / HISTOGRAM_BINS:.1f}: {n}' "
                   f"style='height:{n / top * 100:.0f}%'>{n or ''}</div>" for i, n in enumerate(bins))  # fmt: skip
    labels = "".join(f"<span>{i / HISTOGRAM_BINS:.1f}</span>" for i in range(HISTOGRAM_BINS))
    return (
        f"<h3>Distribution of the per-task {label} (tenths of its scale)</h3><div class='hist'>{bars}</div>"
        f"<div class='axis'>{labels}</div>"
    )


def _task(scores: TaskScores, out: Path) -> str:
    from .harness import task_folder

    report_path = task_folder(out, scores.task_id) / scores.report_file
    report = report_path.read_text(encoding="utf-8") if report_path.is_file() else "(report not found)"
    head = escape(f"{scores.task_id}: {scores.prompt[:100]}")
    total = f" · criteria {scores.criteria.total:.3f}" if scores.criteria and scores.criteria.total is not None else ""
    body = [f"<details><summary>{head}{escape(total)}</summary><h4>Report</h4><pre>{escape(report)}</pre>"]
    if scores.criteria:
        rows = "".join(
            f"<tr><td>{escape(j.dimension)}</td><td>{escape(j.criterion)}</td><td>{j.weight:.3f}</td>"
            f"<td>{_num(j.score, 1)}</td><td>{escape(j.reason)}</td></tr>"
            for j in scores.criteria.judgements
        )
        body.append(
            f"<h4>Criteria ({escape(scores.criteria.kind)})</h4><table><tr><th>dimension</th><th>criterion</th>"
            f"<th>weight</th><th>score</th><th>the judge's words</th></tr>{rows}</table>"
        )
    if scores.rubric:
        rows = "".join(
            f"<tr><td>{escape(j.rubric)}</td><td>{j.weight:g}</td><td>{escape(j.grade or 'unscored')}</td>"
            f"<td>{escape(j.reason)}</td></tr>"
            for j in scores.rubric.judgements
        )
        body.append(
            f"<h4>Rubric ({scores.rubric.grading})</h4><table><tr><th>item</th><th>weight</th><th>grade</th>"
            f"<th>the judge's words</th></tr>{rows}</table>"
        )
    if scores.citations and scores.citations.judgements:
        rows = "".join(
            f"<tr><td>{escape(j.statement)}</td><td>{escape(j.title or j.ref or '?')}</td>"
            f"<td class='{j.status}'>{j.status}</td><td>{escape('; '.join(j.reasons))}</td></tr>"
            for j in scores.citations.judgements
        )
        body.append(
            f"<h4>Citations ({escape(scores.citations.judge)} judge)</h4><table><tr><th>statement</th>"
            f"<th>source</th><th>verdict</th><th>why</th></tr>{rows}</table>"
        )
    if scores.recall and scores.recall.misses:
        body.append("<h4>Misses</h4><ul>" + "".join(f"<li>{escape(m)}</li>" for m in scores.recall.misses) + "</ul>")
    body.append("</details>")
    return "".join(body)


def _comparison(comparison) -> str:
    from .judging import PAIR_DIMENSIONS

    head = "".join(f"<th>{d}</th>" for d in PAIR_DIMENSIONS)
    rows = "".join(
        f"<tr><td>{escape(p.first)} vs {escape(p.second)}</td><td>{p.tasks}</td>"
        + "".join(f"<td>{_num(p.win_rate[d], 2)}</td>" for d in PAIR_DIMENSIONS)
        + f"<td>{p.wins}/{p.ties}/{p.losses}</td></tr>"
        for p in comparison.pairs
    )
    elo = "".join(
        f"<div class='bar'><span class='l'>{escape(n)}</span><div style='width:{max(0.0, (r - 800) / 400) * 12:.2f}rem'>"
        f"</div><span>{r:.0f}</span></div>"
        for n, r in sorted(comparison.elo.items(), key=lambda kv: -kv[1])
    )
    details = "".join(
        f"<details><summary>{escape(j.first)} vs {escape(j.second)}, task {escape(j.task_id)}: "
        f"{escape(str(j.outcomes.get('overall')))}</summary><ul>"
        + "".join(f"<li>{escape(r)}</li>" for r in j.reasons)
        + "</ul></details>"
        for p in comparison.pairs
        for j in p.judgements
    )
    return (
        "<h2>Pairwise (Win + 0.5·Tie, from the first system's side)</h2>"
        f"<table><tr><th>pair</th><th>tasks</th>{head}<th>W/T/L overall</th></tr>{rows}</table>"
        f"<h3>Elo</h3>{elo}{details}"
    )


def _num(value: float | None, digits: int = 3) -> str:
    return "—" if value is None else f"{value:.{digits}f}"
