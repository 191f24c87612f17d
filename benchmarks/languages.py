"""Languages benchmark: Chinese questions over Chinese folders, and questions across languages.

    python -m stepresearch.benchmarks.languages --set folders_zh --split dev    # misses printed, to study
    python -m stepresearch.benchmarks.languages --set crosslang --split test    # figures only
    python -m stepresearch.benchmarks.languages --all --split test              # both sets

The sets (`sets/folders_zh_*.jsonl`, `sets/crosslang_*.jsonl`) were written by a helper before any run.
A record is a question with either its own documents (written to a temporary folder) or `"corpus":
"wiki"` (the English default corpus). Per record it measures, on the real embedded default:

- asked facts: of the asked parts, how many the short answer states (one of the record's strings, verbatim);
- cited on topic: of the sources the short answer and sections cite, how many are on the record's list;
- namesakes cited: documents that only share the subject's name (must be 0);
- disagreements surfaced: of the records with one, how many reports hold a contradicted claim whose two
  sides include a document of each side;
- prose in the question's language: the report's headings are the question language's table
  (`stepresearch.core.phrases`);
- absent subjects: a question whose subject is not in the corpus must cite nothing.

Misses are printed for `dev` only: `test` is scored, never studied.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

import structlog

from stepresearch.app.runner import run_research
from stepresearch.benchmarks.sets import load
from stepresearch.core.phrases import phrases_for
from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel
from stepresearch.tools import wiki_search_tool
from stepresearch.tools.folder import folder_search_tool

SETS = ("folders_zh", "crosslang")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--set", choices=SETS, default="folders_zh")
    parser.add_argument("--all", action="store_true", help="both sets")
    parser.add_argument("--split", choices=["dev", "test"], default="dev")
    parser.add_argument("--out", type=Path, default=None, help="keep the run folders here")
    args = parser.parse_args(argv)
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(40))
    out_root = args.out or Path(tempfile.mkdtemp(prefix="stepresearch-languages-"))
    policy = LlamaCppChatModel()
    wiki = None
    for name in SETS if args.all else (args.set,):
        rows = []
        for i, record in enumerate(load(name, args.split), start=1):
            run_dir = out_root / f"{name}-{args.split}-{i:02d}"
            if "documents" in record:
                folder = run_dir.parent / f"{run_dir.name}-docs"
                folder.mkdir(parents=True, exist_ok=True)
                for filename, text in record["documents"].items():
                    (folder / filename).write_text(text, encoding="utf-8")
                tools = [folder_search_tool(folder)]
            else:
                wiki = wiki or wiki_search_tool()
                folder, tools = None, [wiki]
            began = time.perf_counter()
            result = run_research(record["question"], run_dir, policy=policy, tools=tools)
            rows.append({"wall_s": time.perf_counter() - began, **score(record, result.state, folder)})
            print(f"{name} {i} done in {rows[-1]['wall_s']:.1f} s", file=sys.stderr)
        report(name, args.split, rows)
    return 0


def score(record: dict, state: dict, folder: Path | None) -> dict:
    report = state["report"]
    sources = state["sources"]
    key = (lambda s: Path(s.uri).name) if folder is not None else (lambda s: s.title)
    cited_ids = {sid for s in report.short_answer for sid in s.source_ids}
    cited_ids |= {sid for section in report.sections for s in section.sentences for sid in s.source_ids}
    cited = {key(sources[sid]) for sid in cited_ids if sid in sources}
    on_topic = set(record.get("on_topic", []))
    headings = phrases_for(record.get("lang", "en"))
    marker = f"## {headings.short_answer}"
    # The short answer as a reader sees it: its sentences and its disagreement lines.
    answer = report.markdown.split(marker, 1)[1].split("\n## ", 1)[0] if marker in report.markdown else ""
    found, misses = 0, []
    for alternatives, kind in zip(record.get("facts", []), record.get("kinds", [])):
        if any(a in answer for a in alternatives if a not in record["question"]):
            found += 1
        else:
            misses.append(f"asked {kind} missing from the short answer: {' / '.join(alternatives)}")
    misses += [f"off-topic source cited: {t}" for t in sorted(cited - on_topic)]
    namesakes = cited & set(record.get("namesake", []))
    surfaced = None
    if record.get("disagreement"):
        by_id = {sid: key(s) for sid, s in sources.items()}
        side_a, side_b = (set(side) for side in record["disagreement"]["sides"])
        surfaced = False
        for claim in state.get("claims", []):
            if claim.verdict != "contradicted":
                continue
            both = {by_id.get(s) for s in claim.supporting} | {by_id.get(s) for s in claim.contradicting}
            surfaced = surfaced or bool(both & side_a and both & side_b)
        if not surfaced:
            misses.append(f"disagreement {record['disagreement']['values']} not surfaced")
    in_language = f"## {headings.short_answer}" in report.markdown and f"## {headings.sources}" in report.markdown
    if not in_language:
        misses.append("the report's headings are not in the question's language")
    return {
        "facts_found": found,
        "facts": len(record.get("facts", [])),
        "on_topic": len(cited & on_topic),
        "cited": len(cited),
        "namesakes": len(namesakes),
        "surfaced": surfaced,
        "in_language": in_language,
        "absent": bool(record.get("absent")),
        "absent_ok": bool(record.get("absent")) and not cited,
        "misses": misses,
        "id": record.get("id", ""),
    }


def report(name: str, split: str, rows: list[dict]) -> None:
    facts = sum(r["facts_found"] for r in rows), sum(r["facts"] for r in rows)
    on_topic = sum(r["on_topic"] for r in rows), sum(r["cited"] for r in rows)
    disputes = [r["surfaced"] for r in rows if r["surfaced"] is not None]
    absent = [r["absent_ok"] for r in rows if r["absent"]]
    print(f"\n## {name} ({split}): {len(rows)} questions, median {statistics.median(r['wall_s'] for r in rows):.1f} s")
    print(f"asked facts in the short answer: {facts[0]}/{facts[1]} ({facts[0] / max(facts[1], 1):.0%})")
    print(f"cited sources on topic: {on_topic[0]}/{on_topic[1]} ({on_topic[0] / max(on_topic[1], 1):.0%})")
    print(f"namesake documents cited: {sum(r['namesakes'] for r in rows)}")
    print(f"disagreements surfaced with both sides: {sum(disputes)}/{len(disputes)}")
    print(f"reports in the question's language: {sum(r['in_language'] for r in rows)}/{len(rows)}")
    if absent:
        print(f"absent subjects with nothing cited: {sum(absent)}/{len(absent)}")
    if split == "test":
        print("(test split: misses are not printed; write a new split after looking at one)")
        return
    for r in rows:
        for miss in r["misses"]:
            print(f"- {r['id']}: {miss}")


if __name__ == "__main__":
    sys.exit(main())
