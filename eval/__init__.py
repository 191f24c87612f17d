"""Score research reports the way the field does, with a judge you serve: `stepresearch eval`.

```python
from stepresearch.eval import EvalOptions, load_tasks, score_reports, judge_from_url
from stepresearch.eval.reports import load_reports

tasks = load_tasks("drb", ids=["51"])
articles, _ = load_reports(Path("runs/drb-51"), tasks, system="mine")
judge = judge_from_url("http://127.0.0.1:30000/v1")
summary = score_reports(tasks, articles, Path("eval-out"), judge=judge, options=EvalOptions(system="mine"))
```

- `tasks`: DeepResearch Bench's tasks and the project's task files.
- `formulas`: the published recipes as arithmetic (RACE criteria, ResearchRubrics, FACT citations, Elo).
- `judging`: the LLM judge (structured output, retries, capability); `scoring`: one task's scores;
  `recall`: fact recall; `articles`/`reports`: reading reports and their citations.
- `harness`: `eval run` / `eval score`, resumable and concurrent; `compare`: pairwise judging.
- `summary`, `page`: summary.json, the table and eval.html.
"""

from __future__ import annotations

from .compare import Comparison, compare_systems
from .harness import EvalEvent, EvalOptions, research_with, run_and_score, score_reports
from .judging import EvalJudge, embedded_judge, judge_from_url
from .scoring import TaskScores, score_task
from .summary import EvalSummary
from .tasks import EvalTask, load_tasks

__all__ = [
    "Comparison",
    "EvalEvent",
    "EvalJudge",
    "EvalOptions",
    "EvalSummary",
    "EvalTask",
    "TaskScores",
    "compare_systems",
    "embedded_judge",
    "judge_from_url",
    "load_tasks",
    "research_with",
    "run_and_score",
    "score_reports",
    "score_task",
]
