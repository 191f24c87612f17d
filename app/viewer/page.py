"""run.html: the viewer page with a run's view inlined, one file that opens from disk with no request out.

The page's CSS and script are in `page.html`, beside this module; its
Content-Security-Policy lets it load nothing from anywhere (a live page may
only fetch its own `view.json` from the `stepresearch show` server).
"""

from __future__ import annotations

import html
from functools import lru_cache
from importlib import resources

from .view import RunView


@lru_cache(maxsize=1)
def template() -> str:
    return resources.files(__package__).joinpath("page.html").read_text(encoding="utf-8")


def render_page(view: RunView, *, live: bool = False) -> str:
    """The page for `view`; `live` makes it follow the run through `view.json` from the server it came from."""
    # Inside <script> only "</" can end the element early; "<\\/" is the same JSON string.
    data = view.model_dump_json().replace("</", "<\\/")
    return (
        template()
        .replace("__TITLE__", html.escape(view.title or view.question))
        .replace("__LIVE__", "1" if live else "0")
        .replace("__DATA__", data)
    )
