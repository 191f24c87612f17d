"""Validate: the citation validator runs after the writer, always.

It checks the structured report the writer made (`citation_check.validate_report_steps`). The
writer already attributes every sentence it keeps, so on a fresh report this mostly confirms, and
it records the judge's alignment of every citation it keeps, which the run viewer shows. It is a
separate node so that it also guards a writer a user swaps in, and so that its figures (`citations`
in run.json) are measured rather than assumed.
"""

from __future__ import annotations

from langgraph.runtime import Runtime

from stepresearch.core.phrases import language_of, phrases_for
from stepresearch.core.steps import Steps, step_node
from stepresearch.state import ResearchState

from .citation_check import validate_report_steps
from .context import ResearchContext
from .layout import messages_for
from .sources_review import without_struck

# More than half of the calls unusable, over at least this many calls, and the report says so.
MIN_CALLS_TO_JUDGE = 3
UNUSABLE_SHARE = 0.5


@step_node
def validate(state: ResearchState, runtime: Runtime[ResearchContext]) -> Steps[dict]:
    report = state.get("report")
    if report is None:
        return {}
    ctx = runtime.context
    phrases = phrases_for(language_of(state))
    judge = ctx.judge.bound(lambda task: messages_for(state, ctx, task))
    sources = without_struck(state).get("sources", {})  # never re-attributed to a source a person struck
    result = yield from validate_report_steps(report, list(sources.values()), judge)
    notes = []
    if result.stats.removed or result.stats.reattributed:
        notes.append(
            phrases.validator_note.format(
                reattributed=result.stats.reattributed,
                removed=result.stats.removed,
                unverified=result.stats.unsupported_sentences,
            )
        )
    warning = degraded_policy_warning(state)
    if warning:
        notes.append(warning)
    updated = result.report.model_copy(update={"warning": warning}) if warning else result.report
    return {"report": updated, "citations": result.stats, "notes": notes}


def degraded_policy_warning(state: ResearchState) -> str:
    """Say so when most policy calls came back empty or unusable: the report is then the engine's
    extraction from the sources, not the policy's writing, and a reader should know."""
    usage = state.get("usage")
    if usage is None:
        return ""
    total = usage.total
    if total.calls < MIN_CALLS_TO_JUDGE or total.unusable / total.calls <= UNUSABLE_SHARE:
        return ""
    return phrases_for(language_of(state)).degraded_warning.format(unusable=total.unusable, calls=total.calls)
