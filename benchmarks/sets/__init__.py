"""Benchmark sets as JSONL data, each in a `dev` split (studied and fixed against) and a `test` split
(scored, never read to fix anything). See `load`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

Split = Literal["dev", "test"]
SPLITS: tuple[Split, ...] = ("dev", "test")
FOLDER = Path(__file__).parent


def load(name: str, split: Split) -> list[dict]:
    """The records of `<name>_<split>.jsonl`, in file order."""
    path = FOLDER / f"{name}_{split}.jsonl"
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
