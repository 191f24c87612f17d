"""Search tools: the default Wikipedia corpus, a user's folder, Tavily, or any tool a user brings."""

from .base import CallableSearchTool, SearchHit, SearchTool, Toolset, as_search_tool
from .corpus import CorpusSearchTool
from .folder import FolderCorpus, folder_search_tool
from .tavily import TavilySearchTool
from .wiki import wiki_search_tool

__all__ = [
    "CallableSearchTool",
    "CorpusSearchTool",
    "FolderCorpus",
    "SearchHit",
    "SearchTool",
    "TavilySearchTool",
    "Toolset",
    "as_search_tool",
    "folder_search_tool",
    "wiki_search_tool",
]
