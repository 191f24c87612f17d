"""One configuration model (`stepresearch.nodes.config.ResearchConfig`), from each of its sources: the CLI's
flags, the environment (as LangGraph's server reads it), a file, and run_config.json on resume."""

from __future__ import annotations

import json

import pytest
from sglang_fake import FakeSGLang

from stepresearch.app.cli import build_parser
from stepresearch.app.research_flags import resolve_run_config
from stepresearch.app.run_folder import RunConfig, RunFolder
from stepresearch.core.errors import UsageError
from stepresearch.graphs.server import context_from_environment
from stepresearch.nodes.config import BudgetConfig, ResearchConfig


def test_the_defaults_are_the_embedded_default():
    config = ResearchConfig()
    assert (config.policy, config.corpus, config.judge, config.budgets) == ("embedded", None, "auto", BudgetConfig())
    budgets = config.make_budgets()
    assert (budgets.max_rounds, budgets.max_sub_questions, budgets.search_concurrency) == (2, 6, 4)


def test_from_the_environment_every_field_has_its_variable():
    env = {"STEPRESEARCH_MAX_ROUNDS": "3", "STEPRESEARCH_JUDGE": "lexical", "STEPRESEARCH_POLICY_CAPABLE": "yes",
           "STEPRESEARCH_CORPUS": "/notes", "STEPRESEARCH_CONCURRENCY": "2", "STEPRESEARCH_READER": "policy",
           "STEPRESEARCH_BASE_URL": "http://127.0.0.1:9/v1"}  # fmt: skip
    config = ResearchConfig.from_environment(env)
    assert (config.budgets.max_rounds, config.budgets.concurrency, config.judge, config.reader) == (
        3,
        2,
        "lexical",
        "policy",
    )
    assert config.policy_capable is True and config.corpus == "/notes" and config.policy == "served"
    assert config.web is False and ResearchConfig.from_environment({"TAVILY_API_KEY": "k"}).web is True
    with pytest.raises(UsageError, match="invalid configuration in the environment: judge"):
        ResearchConfig.from_environment({"STEPRESEARCH_JUDGE": "oracle"})


def test_a_file_and_run_config_json_are_the_same_model(tmp_path):
    folder = RunFolder(tmp_path / "run")
    folder.path.mkdir()
    began = ResearchConfig(corpus="/notes", budgets=BudgetConfig(max_rounds=3), judge="semantic")
    folder.save_config(began)
    assert folder.load_config() == began == ResearchConfig.from_file(tmp_path / "run" / "run_config.json")
    assert RunConfig is ResearchConfig
    # run_config.json as earlier versions wrote it (budgets a plain dict) still loads.
    old = {"corpus": None, "web": False, "policy": "embedded", "timeout": 120.0, "judge": "auto", "reader": "lexical",
           "budgets": {"max_rounds": 2, "max_sub_questions": 6, "concurrency": 4, "max_context": None}}  # fmt: skip
    (tmp_path / "old.json").write_text(json.dumps(old), encoding="utf-8")
    assert ResearchConfig.from_file(tmp_path / "old.json").budgets == BudgetConfig()
    (tmp_path / "bad.json").write_text("[1]", encoding="utf-8")
    with pytest.raises(UsageError, match="is not a configuration"):
        ResearchConfig.from_file(tmp_path / "bad.json")


def test_run_config_file_with_flags_on_top(tmp_path):
    (tmp_path / "c.json").write_text(json.dumps({"judge": "lexical", "budgets": {"max_rounds": 4}}), encoding="utf-8")
    args = build_parser().parse_args(["run", "q?", "--config", str(tmp_path / "c.json"), "--max-sub-questions", "2"])
    config, changes = resolve_run_config(args, None)
    assert (config.judge, config.budgets.max_rounds, config.budgets.max_sub_questions) == ("lexical", 4, 2)
    assert changes == [] and config.make_budgets().min_sub_questions == 2  # the floor follows a small maximum
    resume = build_parser().parse_args(["run", "--resume", "--out", "x", "--config", str(tmp_path / "c.json")])
    with pytest.raises(UsageError, match="--config starts a run"):
        resolve_run_config(resume, config)


def test_a_budget_out_of_its_limits_is_one_usage_error():
    with pytest.raises(UsageError, match="invalid budget max_rounds"):
        ResearchConfig(budgets=BudgetConfig(max_rounds=0)).make_budgets()


def test_the_server_builds_its_context_from_the_same_model(tmp_path):
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "a.md").write_text("# Mill\n\nThe Orm mill was built in 1821.\n", encoding="utf-8")
    with FakeSGLang() as server:
        context = context_from_environment({"STEPRESEARCH_BASE_URL": server.base_url, "STEPRESEARCH_MAX_ROUNDS": "3",
                                            "STEPRESEARCH_CORPUS": str(tmp_path / "notes")})  # fmt: skip
    assert context.budgets.max_rounds == 3 and context.budgets.min_sub_questions == 3
    assert [type(t).__name__ for t in context.tools] == [
        type(ResearchConfig(corpus=str(tmp_path / "notes")).make_tools()[0][0]).__name__
    ]
