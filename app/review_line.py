"""A review typed at the terminal (`stepresearch run --review plan|rounds|sources`), turned into a reply.

The person sees the numbered sub-questions and types, on one line:

- nothing (Enter): approve the plan;
- `drop 2`, `drop 2,3`, `reword 1: new text`, `add: a new question`, several joined with `;`;
- anything else: plain words, which only a capable policy may read (the plan node says so if not).

The commands become the whole reviewed list (`{"sub_questions": [...]}`), so the reply does not depend
on the ids of a plan that is planned again when the run resumes. For the sources review the person types
nothing (keep every source) or `strike 2,3` (the numbers shown), which becomes `{"strike": [ids]}`.
"""

from __future__ import annotations

import re
from typing import Any

from stepresearch.core.errors import UsageError

_DROP = re.compile(r"^drop\s+([\d,\s]+)$", re.IGNORECASE)
_REWORD = re.compile(r"^reword\s+(\d+)\s*:\s*(.+)$", re.IGNORECASE)
_ADD = re.compile(r"^add\s*:\s*(.+)$", re.IGNORECASE)
_COMMAND = re.compile(r"^(drop|reword|add)\b", re.IGNORECASE)
_STRIKE = re.compile(r"^strike\s+([\d,\s]+)$", re.IGNORECASE)


def strike_from_line(line: str, shown_ids: list[str]) -> dict[str, Any]:
    """`strike 2,3` as the ids of the sources shown second and third; an empty line keeps them all."""
    line = line.strip()
    if not line:
        return {"approve": True}
    match = _STRIKE.match(line)
    if match is None:
        raise UsageError(f"not understood: {line!r} (press Enter to keep every source, or strike 2,3)")
    return {"strike": [shown_ids[_index(n, shown_ids)] for n in re.findall(r"\d+", match.group(1))]}


def reply_from_line(line: str, shown: list[str]) -> dict[str, Any]:
    """The reply a typed line stands for; a malformed command is a `UsageError` naming it (ask again)."""
    line = line.strip()
    if not line:
        return {"approve": True}
    parts = [p.strip() for p in line.split(";") if p.strip()]
    if not all(_COMMAND.match(p) for p in parts):
        return {"instruction": line}
    texts: list[str | None] = list(shown)
    added: list[str] = []
    for part in parts:
        if drop := _DROP.match(part):
            for number in re.findall(r"\d+", drop.group(1)):
                texts[_index(number, shown)] = None
        elif reword := _REWORD.match(part):
            texts[_index(reword.group(1), shown)] = reword.group(2).strip()
        elif add := _ADD.match(part):
            added.append(add.group(1).strip())
        else:
            raise UsageError(f"not understood: {part!r} (drop 2; reword 1: new text; add: a new question)")
    return {"sub_questions": [t for t in texts if t is not None] + added}


def _index(number: str, shown: list[str]) -> int:
    n = int(number)
    if not 1 <= n <= len(shown):
        raise UsageError(f"there is no sub-question {n}; they are numbered 1 to {len(shown)}")
    return n - 1
