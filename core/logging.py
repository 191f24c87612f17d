"""structlog set-up for the CLI. Library code only calls `structlog.get_logger`; embedders configure as they like."""

from __future__ import annotations

import logging
import sys
from typing import Any

import structlog
from rich.console import Console


class ConsoleLogger:
    """Writes each event as one line through the CLI's rich console.

    Progress lines and log events come from different threads; going through
    one console (which locks around every write) keeps each line whole, so
    `--log-json` output stays one parseable JSON object per line.
    """

    def __init__(self, console: Console) -> None:
        self._console = console

    def msg(self, message: str) -> None:
        self._console.out(message, highlight=False)

    log = debug = info = warn = warning = error = critical = exception = fatal = msg


def configure(*, json_lines: bool = False, verbose: bool = False, console: Console | None = None) -> None:
    """JSON lines on stderr with `json_lines`, readable lines with `verbose`, otherwise warnings only."""
    level = logging.INFO if (json_lines or verbose) else logging.WARNING
    renderer = structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer(colors=False)
    target = console or Console(file=sys.stderr, soft_wrap=True)

    def factory(*args: Any) -> ConsoleLogger:
        return ConsoleLogger(target)

    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=factory,
        cache_logger_on_first_use=False,
    )
