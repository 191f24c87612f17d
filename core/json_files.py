"""Reading a JSON object a person may have edited or broken: one clear UsageError for each way it can fail."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from stepresearch.core.errors import UsageError


def read_json_object(path: Path, *, what: str, missing: str | None = None) -> dict[str, Any]:
    """The JSON object in `path`; `what` names it in the errors ("a run record"), `missing` is the message
    for a file that is not there."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise UsageError(missing or f"{path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"cannot read {path}: {exc}") from None
    except json.JSONDecodeError as exc:
        raise UsageError(f"{path} is not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}") from None
    if not isinstance(data, dict):
        raise UsageError(f"{path} is not {what} (it holds a {type(data).__name__}, not an object)")
    return data
