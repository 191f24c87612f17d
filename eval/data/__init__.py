"""Task data shipped with the package: DeepResearch Bench's tasks (`drb/`, Apache-2.0)."""
