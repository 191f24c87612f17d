"""A real PostgreSQL server for tests: Debian's `postgresql` package, started on 127.0.0.1 in a temporary folder.

PostgreSQL refuses to run as root, so when the tests run as root (as CI does) the server runs as the
`postgres` user the package creates. `.ci/run` installs the package when it is absent; elsewhere a
machine without it skips these tests and says why.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

START_TIMEOUT_S = 60


def postgres_bin() -> Path | None:
    """The folder of `initdb` and `pg_ctl`: on PATH, or where Debian puts them (newest version first)."""
    found = shutil.which("initdb")
    if found:
        return Path(os.path.realpath(found)).parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    return Path(versions[-1]).parent if versions else None


def _as_server_user(command: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return command
    return ["runuser", "-u", "postgres", "--", *command]


@contextmanager
def running_postgres(port: int) -> Iterator[str]:
    """Start a throwaway server on 127.0.0.1:`port`; yields its URL and removes it afterwards."""
    bin_dir = postgres_bin()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL is not installed (Debian package `postgresql`)")
    root = Path(tempfile.mkdtemp(prefix="stepresearch-pg-"))
    data = root / "data"
    try:
        if os.geteuid() == 0:
            shutil.chown(root, "postgres", "postgres")
        run = _as_server_user
        subprocess.run(
            run([str(bin_dir / "initdb"), "-D", str(data), "-A", "trust", "-U", "stepresearch", "--no-sync"]),
            check=True, capture_output=True, timeout=START_TIMEOUT_S,
        )  # fmt: skip
        options = f"-c listen_addresses=127.0.0.1 -p {port} -k {root} -c fsync=off"
        subprocess.run(
            run([str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"), "-w",
                 "-t", str(START_TIMEOUT_S), "start"]),
            check=True, capture_output=True, timeout=START_TIMEOUT_S + 10,
        )  # fmt: skip
        try:
            yield f"postgresql://stepresearch@127.0.0.1:{port}/postgres"
        finally:
            subprocess.run(
                run([str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "stop"]),
                capture_output=True, timeout=START_TIMEOUT_S,
            )  # fmt: skip
    finally:
        shutil.rmtree(root, ignore_errors=True)
