"""The run viewer: run.html written by every run, `stepresearch show` for a run still going, and what both draw."""

from .folder import RunSnapshot, read_run
from .page import render_page
from .view import RunView, run_view

__all__ = ["RunSnapshot", "RunView", "read_run", "render_page", "run_view"]
