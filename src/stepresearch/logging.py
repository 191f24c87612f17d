"""structlog set-up for the CLI. Library code only calls `structlog.get_logger`; embedders configure as they like."""

from __future__ import annotations

import logging
import sys

import structlog


def configure(*, json_lines: bool = False, verbose: bool = False) -> None:
    """JSON lines on stderr with `json_lines`, readable lines with `verbose`, otherwise warnings only."""
    level = logging.INFO if (json_lines or verbose) else logging.WARNING
    renderer = structlog.processors.JSONRenderer() if json_lines else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=False,
    )
