"""The errors a user can meet, each with one clear message.

`UsageError` means the user asked for something impossible (bad question,
missing folder, unreadable model): the CLI prints it on one line and exits 2.
`PolicyError` and `SearchError` mean a dependency failed at run time.
"""

from __future__ import annotations


class StepResearchError(Exception):
    """Base class: the message is meant for a person, not a stack trace."""


class UsageError(StepResearchError):
    """Bad input or configuration. The CLI exits with code 2."""


class CorpusError(UsageError):
    """A corpus folder that is missing, empty, or has no readable documents."""


class ModelLoadError(UsageError):
    """A model file that is missing, unreadable, or not a GGUF llama.cpp can load."""


class PolicyError(StepResearchError):
    """The policy failed while the run was under way."""


class SearchError(StepResearchError):
    """A search backend failed; the run degrades and records what it skipped."""


class ContextOverflowError(PolicyError):
    """The prompt is longer than the served model's context. Retrying the same prompt cannot help."""
