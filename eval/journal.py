"""A task's judgements as they are made, so a killed evaluation resumes without asking the judge again.

Each judged item is one JSON line in the task folder's `judgements.jsonl`, appended and flushed to disk
before the next is asked. Its key names the item, the article's hash and the judge, so a changed report or
another judge is asked afresh, and an item judged before a kill is read back instead of re-asked.
"""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from typing import Any

JOURNAL_FILE = "judgements.jsonl"


def item_key(*parts: str) -> str:
    """A short stable key for an item: kind, judge, article hash, item text ..."""
    return hashlib.sha1("\x1f".join(parts).encode("utf-8")).hexdigest()[:20]


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


class Journal:
    """Append-only judgements of one task folder; a torn last line (a kill mid-write) is ignored."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / JOURNAL_FILE
        self._lock = threading.Lock()
        self._entries: dict[str, dict[str, Any]] = {}
        if self.path.is_file():
            for line in self.path.read_text(encoding="utf-8").splitlines():
                try:
                    entry = json.loads(line)
                    self._entries[entry["key"]] = entry["value"]
                except (json.JSONDecodeError, KeyError, TypeError):
                    continue

    def get(self, key: str) -> dict[str, Any] | None:
        return self._entries.get(key)

    def put(self, key: str, value: dict[str, Any]) -> None:
        with self._lock:
            self._entries[key] = value
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps({"key": key, "value": value}, ensure_ascii=False) + "\n")
                handle.flush()
                os.fsync(handle.fileno())

    def __len__(self) -> int:
        return len(self._entries)
