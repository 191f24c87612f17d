"""Recording every prompt a run sends to its policy, for the prefix-cache replay, through callbacks.

Prompts are kept out of the graph state: token ids for every call would be
written into every checkpoint. The recorder is a callback handler the runner
passes in the run's config; each chat-model start is one record, named after
the graph node it ran in (`langgraph_node` in the run's metadata). With a
path it appends each record to a JSON-lines file as it comes, so a run that
is killed and resumed keeps the prompts its first part sent.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path
from typing import Any
from uuid import UUID

from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from stepresearch.core.policy_calls import prompt_record
from stepresearch.state import PromptRecord

UNKNOWN_NODE = "outside-graph"


class PromptRecorder(BaseCallbackHandler):
    """Every prompt of a run, in the order the calls started."""

    def __init__(self, policy: BaseChatModel, path: Path | None = None) -> None:
        self.policy = policy
        self.path = path
        self.records: list[PromptRecord] = load_prompts(path) if path is not None else []
        self._lock = threading.Lock()

    def on_chat_model_start(
        self,
        serialized: dict[str, Any],
        messages: list[list[BaseMessage]],
        *,
        run_id: UUID,
        metadata: dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> None:
        node = str((metadata or {}).get("langgraph_node") or UNKNOWN_NODE)
        records = [prompt_record(self.policy, node, batch) for batch in messages]
        with self._lock:
            self.records += records
            if self.path is not None:
                with self.path.open("a", encoding="utf-8") as out:
                    for record in records:
                        out.write(record.model_dump_json(exclude_none=True) + "\n")


def load_prompts(path: Path) -> list[PromptRecord]:
    """The records a file holds; a line cut short by a kill is skipped."""
    if not path.is_file():
        return []
    records = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            records.append(PromptRecord.model_validate(json.loads(line)))
        except ValueError:
            continue
    return records
