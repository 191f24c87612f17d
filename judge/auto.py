"""`--judge auto` for a served policy: probe it the first time something is judged, then judge as it earned.

The probe (`judge/capability.py`) is a few policy calls. Asked in `research_context`, they would be blocking
calls in a constructor, on an app's event loop too. Asked here, they are steps like every other judge call,
so a node under `ainvoke` awaits them and one under `invoke` blocks, and a research that judges nothing asks
nothing. The decision is kept for the context's life: every later judging, in any node, uses it.
"""

from __future__ import annotations

import threading
from typing import Any

from langchain_core.language_models import BaseChatModel

from stepresearch.core.steps import Steps, run_steps

from .capability import CapabilityProbe, probe_steps
from .lexical import Judgement, SemanticJudge
from .policy import PolicyJudge, PromptLayout


class _Decided:
    """The probe's outcome, shared by an `AutoJudge` and every judge `bound` from it."""

    def __init__(self) -> None:
        self.probe: CapabilityProbe | None = None
        self.lock = threading.Lock()


class AutoJudge:
    """The policy judge if the policy passes the probe, else the lexical judge; undecided until first used."""

    def __init__(
        self,
        policy: BaseChatModel,
        *,
        layout: PromptLayout | None = None,
        config: Any = None,
        max_concurrency: int = 8,
        decided: _Decided | None = None,
    ) -> None:
        self.policy = policy
        self.max_concurrency = max_concurrency
        self._layout = layout
        self._config = config
        self._decided = decided or _Decided()

    @property
    def probe(self) -> CapabilityProbe | None:
        """The probe's answers, or None while nothing has been judged."""
        return self._decided.probe

    @property
    def name(self) -> str:
        probe = self._decided.probe
        return "auto" if probe is None else ("policy" if probe.passed else "semantic")

    def _chosen(self, probe: CapabilityProbe):
        if not probe.passed:
            return SemanticJudge()
        options = {"max_concurrency": self.max_concurrency, "config": self._config}
        return PolicyJudge(self.policy, **options, **({"layout": self._layout} if self._layout else {}))

    def _decide_steps(self) -> Steps[Any]:
        if self._decided.probe is None:
            probe = yield from probe_steps(self.policy, self.max_concurrency)
            with self._decided.lock:  # two nodes may probe at once; the first answer stands (they agree)
                if self._decided.probe is None:
                    self._decided.probe = probe
        return self._chosen(self._decided.probe)

    def decide(self) -> None:
        """Probe now, if nothing has yet (the runner does, to record the decision of a resumed run whose process
        judged nothing: the same served model gives the probe the same answers)."""
        run_steps(self._decide_steps())

    def judge_steps(self, items: list[tuple[str, str, str]]) -> Steps[list[Judgement]]:
        judge = yield from self._decide_steps()
        return (yield from judge.judge_steps(items))

    def confirm_steps(self, pairs: list[tuple[str, str]]) -> Steps[list[bool]]:
        judge = yield from self._decide_steps()
        return (yield from judge.confirm_steps(pairs))

    def judge(self, statement: str, passage: str, title: str = "") -> Judgement:
        return self.judge_many([(statement, passage, title)])[0]

    def judge_many(self, items: list[tuple[str, str, str]]) -> list[Judgement]:
        return run_steps(self.judge_steps(items))

    def confirm(self, pairs: list[tuple[str, str]]) -> list[bool]:
        return run_steps(self.confirm_steps(pairs))

    def bound(self, layout: PromptLayout | None = None, config: Any = None) -> AutoJudge:
        """This judge with a node's prompt layout and config, sharing one decision with every other binding."""
        return AutoJudge(
            self.policy,
            layout=layout or self._layout,
            config=config or self._config,
            max_concurrency=self.max_concurrency,
            decided=self._decided,
        )
