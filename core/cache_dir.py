"""Where stepresearch keeps what it can rebuild: search indexes, sentence vectors."""

from __future__ import annotations

import os
from pathlib import Path


def default_cache_dir() -> Path:
    """`STEPRESEARCH_CACHE_DIR`, else `$XDG_CACHE_HOME/stepresearch`, else `~/.cache/stepresearch`."""
    explicit = os.environ.get("STEPRESEARCH_CACHE_DIR")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "stepresearch"
