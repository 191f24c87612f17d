"""The `pdf` export: headless Chromium prints the report's self-contained HTML document.

Chromium lays out text with the machine's fonts through fontconfig, CJK included, and embeds the glyphs it
used, so a Chinese report comes out in a CJK font rather than in boxes when one is installed (the README
names Debian's packages). It keeps the document's links: each citation mark goes to its Sources entry.
Why Chromium: the tests already drive Debian's `chromium`, it needs no Python package, and it prints the
same HTML the `html` export writes; pandoc would need a LaTeX install with CJK fonts configured by hand.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from stepresearch.core.errors import UsageError

CHROMIUM_ENV = "STEPRESEARCH_CHROMIUM"  # a Chromium or Chrome binary, when it is not on PATH
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PRINT_TIMEOUT_S = 120  # a cold Chromium start and a long report on two slow cores take well under this


def chromium_binary() -> str:
    """The Chromium to print with, or one clear error that says what to install."""
    given = os.environ.get(CHROMIUM_ENV)
    if given:
        if not Path(given).is_file():
            raise UsageError(f"{CHROMIUM_ENV}={given} is not a file; point it at a Chromium or Chrome binary")
        return given
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise UsageError(
        "PDF export needs Chromium: install Debian's `chromium` package (apt install chromium), "
        f"or set {CHROMIUM_ENV} to a Chromium or Chrome binary"
    )


def write_pdf(document: str, out: Path) -> Path:
    """Print the HTML `document` to `out` with headless Chromium, offline."""
    binary = chromium_binary()
    with tempfile.TemporaryDirectory(prefix="stepresearch-export-") as work:
        page = Path(work) / "report.html"
        page.write_text(document, encoding="utf-8")
        partial = out.with_name(out.name + ".partial")
        command = [
            binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-extensions", "--no-first-run",
            "--disable-background-networking", "--no-pdf-header-footer", f"--user-data-dir={Path(work) / 'profile'}",
            f"--print-to-pdf={partial}", page.as_uri(),
        ]  # fmt: skip
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PRINT_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            raise UsageError(f"Chromium did not print the report within {PRINT_TIMEOUT_S} s") from None
        if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
            partial.unlink(missing_ok=True)
            tail = (done.stderr.strip().splitlines() or ["no output"])[-1]
            raise UsageError(f"Chromium could not print the report (exit {done.returncode}): {tail}")
        os.replace(partial, out)  # whole or not at all
    return out
