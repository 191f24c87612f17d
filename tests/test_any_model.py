"""Third-party chat models behind AnyChatModel, with a FAKE model that offers or refuses structured-output methods."""

from __future__ import annotations

import json
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, HumanMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import RunnableLambda
from pydantic import BaseModel

from stepresearch.core.policy_calls import ask
from stepresearch.nodes import research_context
from stepresearch.serving.any_model import AnyChatModel, capped


class Answer(BaseModel):
    answer: str


class PickyModel(BaseChatModel):
    """A FAKE chat model whose server refuses the default structured method, like llama-cpp-python's."""

    max_tokens: int | None = None
    methods_tried: list[str] = []
    caps_seen: list[int | None] = []

    @property
    def _llm_type(self) -> str:
        return "picky"

    def _generate(self, messages, stop=None, run_manager=None, **kwargs: Any) -> ChatResult:
        self.caps_seen.append(self.max_tokens)
        reply = AIMessage(
            content=json.dumps({"answer": "1453"}),
            usage_metadata={"input_tokens": 5, "output_tokens": 3, "total_tokens": 8},
        )
        return ChatResult(generations=[ChatGeneration(message=reply)])

    def with_structured_output(self, schema, *, include_raw=False, method="default", **kwargs):
        self.methods_tried.append(method)
        if method == "default":
            raise_refusal = RunnableLambda(
                lambda _: (_ for _ in ()).throw(RuntimeError("response_format json_schema: unsupported"))
            )
            return raise_refusal
        model = self

        def call(messages):
            raw = model.invoke(messages)
            return {"raw": raw, "parsed": json.loads(raw.content), "parsing_error": None}

        return RunnableLambda(call)


def test_a_refused_method_is_learnt_once_and_the_cap_goes_to_the_models_own_field():
    model = PickyModel(methods_tried=[], caps_seen=[])
    policy = AnyChatModel(inner=model)
    first = ask(policy, [HumanMessage(content="When?")], node="t", schema=Answer, max_tokens=40)
    second = ask(policy, [HumanMessage(content="When?")], node="t", schema=Answer, max_tokens=80)
    assert first.parsed == Answer(answer="1453") and second.parsed == Answer(answer="1453")
    assert model.methods_tried == ["default", "json_mode", "json_mode"] and policy.method == "json_mode"
    assert model.caps_seen == [40, 80]
    assert first.usage.calls == 1 and first.usage.prompt_tokens == 5


def test_a_context_wraps_a_third_party_model_and_leaves_ours_alone(docs_tool):
    wrapped = research_context(PickyModel(), [docs_tool], judge="lexical")
    assert isinstance(wrapped.policy, AnyChatModel)
    assert capped(PickyModel(), 12).max_tokens == 12
