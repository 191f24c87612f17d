"""A run folder: one writer at a time, and the configuration the run started with.

The folder holds a run's durable state: `checkpoints.sqlite`, `.thread`,
`run_config.json`, and at the end `report.md`, `run.json` and
`sources.json`. Two processes writing one folder would mix two runs'
files, so a run holds an exclusive lock on `.lock` (an `fcntl` lock, which
the kernel releases when the process dies, even by `kill -9`) for as long
as it runs. `--resume` rebuilds the tools and the policy from
`run_config.json`, so a resumed run cites the corpus it began with.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from stepresearch.core.atomic import write_atomically
from stepresearch.core.errors import UsageError
from stepresearch.nodes.config import ResearchConfig

LOCK_FILE = ".lock"
THREAD_FILE = ".thread"  # the LangGraph thread id of the folder's run
CHECKPOINT_FILE = "checkpoints.sqlite"
VIEWER_FILE = "run.html"  # the run viewer's page (stepresearch.app.viewer)
CONFIG_FILE = "run_config.json"
REPORT_FILE = "report.md"
RUN_FILE = "run.json"  # the run's record (stepresearch.app.run_record.RunRecord)
SOURCES_FILE = "sources.json"  # every retrieved source with its text
RESULT_FILES = (REPORT_FILE, RUN_FILE, SOURCES_FILE)


# What a run started with, recorded in run_config.json so `--resume` rebuilds its tools and policy: the one
# configuration model (`stepresearch.nodes.config.ResearchConfig`), under the name the run folder gives it.
RunConfig = ResearchConfig


class RunFolder:
    """The lock and the recorded configuration of one run folder."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock: Any = None

    def acquire(self) -> None:
        """Hold the folder for this process; a second writer gets one clear error naming the holder."""
        self.path.mkdir(parents=True, exist_ok=True)
        handle = open(self.path / LOCK_FILE, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            handle.close()
            raise UsageError(f"run folder {self.path} is in use by pid {holder}") from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._lock = handle

    def release(self) -> None:
        if self._lock is not None:
            fcntl.flock(self._lock.fileno(), fcntl.LOCK_UN)
            self._lock.close()
            self._lock = None

    def __enter__(self) -> RunFolder:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

    def holds_results(self) -> bool:
        """Some result file of an earlier run is here."""
        return any((self.path / name).exists() for name in RESULT_FILES)

    def save_config(self, config: RunConfig) -> None:
        write_atomically(self.path / CONFIG_FILE, config.model_dump_json(indent=2) + "\n")

    def load_config(self) -> RunConfig | None:
        """The recorded configuration; None for a run folder from before it was recorded."""
        path = self.path / CONFIG_FILE
        if not path.is_file():
            return None
        try:
            return RunConfig.model_validate(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, ValidationError) as exc:
            raise UsageError(f"{path} is not a readable run configuration: {exc}") from None
