"""The CLI called in this process, as a subprocess would see it: its exit code, stdout and stderr.

A usage error is decided before any model loads, so starting a Python process per check (2-3 s of imports
each) tests nothing more. `run_cli_here` runs `stepresearch.app.cli.main` with the given environment and
working folder, captures what it prints, turns an escaping exception into the traceback a subprocess
would have printed (so "no traceback" stays checkable), and restores the environment, the folder and
structlog's configuration afterwards. Tests that need a process of their own (a kill, a lock held by
another process, a model load) keep using a subprocess.
"""

from __future__ import annotations

import io
import os
import subprocess
import traceback
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import structlog

from stepresearch.app.cli import main


def run_cli_here(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    saved_env, saved_cwd, saved_log = os.environ.copy(), os.getcwd(), structlog.get_config()
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update(env or {})
        os.environ.pop("TAVILY_API_KEY", None)
        os.chdir(cwd)
        with redirect_stdout(out), redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse's own usage errors
                code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
            except BaseException:  # what a subprocess would print, and its exit status
                traceback.print_exc(file=err)
                code = 1
    finally:
        os.chdir(saved_cwd)
        os.environ.clear()
        os.environ.update(saved_env)
        structlog.configure(**saved_log)
    return subprocess.CompletedProcess(["stepresearch", *args], code, out.getvalue(), err.getvalue())
