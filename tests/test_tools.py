"""Search tools over real files and the real default corpus (no fakes)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stepresearch.core.errors import CorpusError
from stepresearch.tools import as_search_tool, folder_search_tool, wiki_search_tool
from stepresearch.tools.bm25_index import default_cache_dir


def write_corpus(root: Path) -> None:
    (root / "sub").mkdir(parents=True)
    (root / "byzantium.md").write_text(
        "# The end of Byzantium\n\nConstantinople fell to the Ottoman Empire in 1453 after a long siege.\n",
        encoding="utf-8",
    )
    (root / "rome.txt").write_text("Rome was founded, according to legend, in 753 BC by Romulus.\n", encoding="utf-8")
    (root / "sub" / "venice.html").write_text(
        "<html><head><title>Venice</title><style>p{}</style></head><body><p>Venice traded with Constantinople "
        "for centuries.</p><script>var x = 1;</script></body></html>",
        encoding="utf-8",
    )
    (root / "notes.bin.txt").write_bytes(b"\x00\x01binary")
    (root / "image.png").write_bytes(b"\x89PNG")


def test_folder_corpus_reads_markdown_text_and_html(tmp_path):
    write_corpus(tmp_path)
    tool = folder_search_tool(tmp_path)
    hits = tool.search("Constantinople Ottoman siege", 5)
    assert hits[0].title == "The end of Byzantium"
    assert hits[0].uri == str(tmp_path / "byzantium.md")
    venice = [h for h in tool.search("Venice traded", 5) if h.title == "Venice"]
    assert venice and "var x" not in venice[0].text and "p{}" not in venice[0].text
    assert tool.size == 3


def test_unreadable_and_binary_files_are_skipped_by_name(tmp_path, capsys):
    write_corpus(tmp_path)
    # Readable by nobody, root included: reading /proc/self/mem from offset 0 fails with EIO.
    os.symlink("/proc/self/mem", tmp_path / "locked.txt")
    tool = folder_search_tool(tmp_path)
    skipped = dict(tool.skipped)
    assert str(tmp_path / "locked.txt") in skipped
    assert skipped[str(tmp_path / "notes.bin.txt")] == "binary content"
    assert tool.size == 3
    captured = capsys.readouterr()
    assert "locked.txt" in captured.out + captured.err  # the warning names the file


def test_missing_and_empty_corpus_folders_are_clear_errors(tmp_path):
    with pytest.raises(CorpusError, match="corpus folder not found"):
        folder_search_tool(tmp_path / "nope")
    (tmp_path / "x.png").write_bytes(b"\x89PNG")
    with pytest.raises(CorpusError, match="no readable documents"):
        folder_search_tool(tmp_path)


def test_folder_index_is_cached_and_refreshed_when_a_file_changes(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.md").write_text("Alpha centauri is a star system.", encoding="utf-8")
    folder_search_tool(corpus)
    cached = sorted((default_cache_dir() / "bm25").iterdir())
    folder_search_tool(corpus)
    assert sorted((default_cache_dir() / "bm25").iterdir()) == cached, "second open reuses the index"
    (corpus / "a.md").write_text("Alpha centauri is the nearest star system to the Sun.", encoding="utf-8")
    tool = folder_search_tool(corpus)
    assert "nearest" in tool.search("nearest star", 1)[0].text


def test_default_wikipedia_corpus_finds_the_obvious_articles():
    tool = wiki_search_tool()
    assert tool.size > 9000
    titles = [h.title for h in tool.search("When and how did the Byzantine Empire end?", 5)]
    assert {"Fall of Constantinople", "Byzantine Empire"} & set(titles)
    hit = tool.search("Byzantine Empire", 1)[0]
    assert hit.uri.startswith("wiki:") and hit.origin == hit.uri
    assert tool.search("zzqxv qqwerty", 5) == []


def test_plain_callables_and_dict_results_become_tools():
    tool = as_search_tool(lambda query, k: [{"title": "T", "url": "https://example.com/a", "content": "text"}])
    hit = tool.search("q", 3)[0]
    assert (hit.title, hit.uri, hit.text) == ("T", "https://example.com/a", "text")
    with pytest.raises(TypeError, match="not a search tool"):
        as_search_tool(42)
