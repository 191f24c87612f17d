"""One configuration of a research: the policy, the tools and the budgets, in one pydantic model.

`ResearchConfig` is built from the CLI's flags (`stepresearch.app.research_flags`), the environment
(`from_environment`, as LangGraph's server does), a JSON file (`from_file`, `run --config FILE`) or
Python, and it is what `run_config.json` records, so a resume rebuilds exactly what the run began with.
It makes the run's parts in one place: `make_tools` (the one tool factory of the CLI and the server),
`make_policy`, `make_budgets` and `context`, the `ResearchContext` the graph runs with.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import structlog
from pydantic import BaseModel, Field, ValidationError

from stepresearch.core.errors import UsageError
from stepresearch.core.json_files import read_json_object
from stepresearch.state import Budgets

ENV_PREFIX = "STEPRESEARCH_"
# The floor of sub-questions asked for, capped by the maximum: a run limited to 2 asks for 2 (Budgets
# requires min <= max, and 3 is its default floor).
MIN_SUB_QUESTIONS = 3
DEFAULT_TIMEOUT_S = 120.0


class BudgetConfig(BaseModel):
    """The budgets a person sets; the rest of `state.Budgets` keeps its defaults. Their limits are Budgets'
    own, checked by `ResearchConfig.make_budgets`."""

    max_rounds: int = Field(default=2, description="Plan/search rounds, the first included.")
    max_sub_questions: int = Field(default=6, description="Sub-questions per round, at most.")
    concurrency: int = Field(default=4, description="Search branches that run at once.")
    max_context: int | None = Field(default=None, description="Plan prompts for this context window (tokens).")


class ResearchConfig(BaseModel):
    """What a research runs with. Every field has a default, so `ResearchConfig()` is the embedded default:
    SmolLM2 in-process over the offline Wikipedia corpus."""

    corpus: str | None = Field(default=None, description="A folder of .md/.txt/.html documents; None: Wikipedia.")
    corpus_fingerprint: str | None = Field(default=None, description="A hash of every file's path, size and mtime.")
    web: bool = Field(default=False, description="Search the web with Tavily as well (needs TAVILY_API_KEY).")
    mcp: str | None = Field(
        default=None, description="An MCP client configuration file (mcpServers); its servers' search tools are added."
    )
    policy: Literal["embedded", "served"] = Field(default="embedded", description="served when base_url is set.")
    model: str | None = Field(default=None, description="A GGUF file (embedded), or the served model's name.")
    base_url: str | None = Field(default=None, description="An OpenAI-compatible policy server, .../v1.")
    api_key_env: str | None = Field(default=None, description="The environment variable holding its API key.")
    timeout: float = Field(default=DEFAULT_TIMEOUT_S, gt=0, description="Seconds per request to a policy server.")
    budgets: BudgetConfig = Field(default_factory=BudgetConfig)
    judge: Literal["auto", "semantic", "lexical", "policy"] = Field(
        default="auto", description="Who decides entailment; auto: the policy only when known capable."
    )
    policy_capable: bool = Field(default=False, description="Declare the served policy capable of judging.")
    reader: Literal["lexical", "policy"] = Field(default="lexical", description="Who picks each branch's passages.")
    thinking: Literal["off", "on"] = Field(default="off", description="Served thinking models: let plan/reflect think.")

    def differences(self, other: ResearchConfig) -> list[str]:
        """What `other` would change, one phrase per field, e.g. "corpus (was a, now b)"."""
        out = []
        for name in type(self).model_fields:
            mine, theirs = _plain(getattr(self, name)), _plain(getattr(other, name))
            if mine != theirs:
                shown = "changed" if name == "corpus_fingerprint" else f"was {mine!r}, now {theirs!r}"
                out.append(f"{name.replace('_', ' ')} ({shown})")
        return out

    # --- where it comes from ---------------------------------------------------------------------------

    @classmethod
    def from_environment(cls, env: Mapping[str, str] | None = None) -> ResearchConfig:
        """`STEPRESEARCH_<FIELD>` for each field (`STEPRESEARCH_BASE_URL`, `STEPRESEARCH_MAX_ROUNDS`, ... the
        budgets' names without a prefix); `web` defaults to whether TAVILY_API_KEY is set. A bad value is
        one UsageError naming the variable."""
        env = os.environ if env is None else env
        values: dict[str, Any] = {"web": bool(env.get("TAVILY_API_KEY"))}
        budgets: dict[str, Any] = {}
        for name in cls.model_fields:
            if name in ("budgets", "corpus_fingerprint", "policy"):
                continue
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None and raw.strip():
                values[name] = _truthy(raw) if name in ("web", "policy_capable") else raw.strip()
        for name in BudgetConfig.model_fields:
            raw = env.get(ENV_PREFIX + name.upper())
            if raw is not None and raw.strip():
                budgets[name] = raw.strip()
        if values.get("base_url"):
            values["policy"] = "served"
        return cls._validated({**values, "budgets": budgets}, "the environment")

    @classmethod
    def from_file(cls, path: Path) -> ResearchConfig:
        """A JSON file of the fields (run_config.json is one)."""
        data = read_json_object(path, what="a configuration", missing=f"configuration file {path} does not exist")
        return cls._validated(data, str(path))

    @classmethod
    def _validated(cls, data: dict[str, Any], where: str) -> ResearchConfig:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            field = ".".join(str(p) for p in error["loc"])
            raise UsageError(f"invalid configuration in {where}: {field}: {error['msg']}") from None

    # --- what it makes ---------------------------------------------------------------------------------

    def make_budgets(self) -> Budgets:
        """The run's Budgets; a value out of its limits is one UsageError naming the budget."""
        b = self.budgets
        try:
            return Budgets(
                max_rounds=b.max_rounds,
                max_sub_questions=b.max_sub_questions,
                min_sub_questions=min(MIN_SUB_QUESTIONS, b.max_sub_questions),
                search_concurrency=b.concurrency,
                max_context_tokens=b.max_context,
            )
        except ValidationError as exc:
            detail = exc.errors()[0]
            raise UsageError(f"invalid budget {detail['loc'][0]}: {detail['msg']}") from None

    def make_tools(self) -> tuple[list[Any], list[str]]:
        """The search tools, and notes for the report (skipped files, web search on)."""
        from stepresearch.tools import TavilySearchTool, Toolset, folder_search_tool, wiki_search_tool

        notes: list[str] = []
        if self.corpus is not None:
            tool = folder_search_tool(Path(self.corpus).expanduser())
            notes += tool.notes  # the run records them too, in the report's "Scope and method" and run.json
            tools: list[Any] = [tool]
        else:
            tools = [wiki_search_tool()]
        setup_notes: list[str] = []
        if self.mcp:
            from stepresearch.tools.mcp import load_mcp_config, mcp_search_tools

            found, setup_notes = mcp_search_tools(load_mcp_config(self.mcp))
            tools += found
            notes += setup_notes
        if self.web:
            tavily = TavilySearchTool.from_env()
            if tavily is not None:
                tools.append(tavily)
                notes.append("TAVILY_API_KEY is set: searching the web with Tavily as well")
        return Toolset(tools, setup_notes), notes

    def make_policy(self, wait_s: float | None = None, on_wait: Callable[[str, float], None] | None = None):
        """The embedded llama.cpp policy, or a client for the policy server once it has answered."""
        from stepresearch.serving.server_probe import DEFAULT_WAIT_S

        if self.base_url:
            from stepresearch.serving.openai_compatible import OpenAICompatibleChatModel

            if not re.match(r"^https?://", self.base_url):
                raise UsageError(f"--base-url must start with http:// or https://, got {self.base_url!r}")
            policy = OpenAICompatibleChatModel.from_env(
                self.base_url, self.model or "", self.api_key_env, timeout_s=self.timeout, thinking=self.thinking
            )
            policy.check_health(wait_s=DEFAULT_WAIT_S if wait_s is None else wait_s, on_wait=on_wait)
            return policy
        if self.api_key_env:
            raise UsageError("--api-key-env only makes sense with --base-url")
        if self.thinking == "on":
            raise UsageError("--thinking on needs --base-url: the embedded model does not think")
        from stepresearch.serving.llama_cpp_chat import LlamaCppChatModel

        return LlamaCppChatModel(model_path=self.model or "")

    def context(self, policy: Any = None, tools: list[Any] | None = None, **options: Any):
        """The ResearchContext to run with: the given policy and tools, or ones made from this configuration."""
        from .context import research_context

        if tools is None:
            tools, notes = self.make_tools()
            for note in notes:  # no run folder here (LangGraph's server): what was skipped is logged
                structlog.get_logger("stepresearch.nodes.config").warning("tool_note", note=note)
        if policy is None and (self.base_url or self.model):
            policy = self.make_policy()  # else research_context's own default, the embedded SmolLM2
        return research_context(
            policy, tools, budgets=self.make_budgets(),
            judge=self.judge, policy_capable=self.policy_capable, reader=self.reader, **options,
        )  # fmt: skip


def _plain(value: Any) -> Any:
    return value.model_dump() if isinstance(value, BaseModel) else value


def _truthy(raw: str) -> bool:
    return raw.strip().lower() in ("1", "true", "yes", "on")
