"""The prose inside a stream of JSON tokens, as it comes: what `stepresearch run --stream` prints.

The writer's policy calls reply in JSON (`{"summary": "..."}`, one object per
section), so their raw tokens are braces, keys and quotes. This filter passes
on only the characters of string values, unescaped, and a blank line between
values; a reply that is not JSON at all passes through unchanged.
"""

from __future__ import annotations

ESCAPES = {"n": "\n", "t": " ", "r": "", '"': '"', "\\": "\\", "/": "/", "b": "", "f": ""}


class ProseFilter:
    """Feed it one reply's tokens in order; it returns the prose each token adds."""

    def __init__(self) -> None:
        self._stack: list[str] = []
        self._expect_key = False
        self._in_string = False
        self._is_value = False
        self._escape = False
        self._unicode: str | None = None  # hex digits of a \\uXXXX escape so far
        self._plain: bool | None = None  # None until the first non-space character says JSON or not

    def feed(self, text: str) -> str:
        out: list[str] = []
        for ch in text:
            if self._plain is None:
                if ch.isspace():
                    continue
                self._plain = ch not in "{["
            if self._plain:
                out.append(ch)
            elif self._in_string:
                self._string_char(ch, out)
            else:
                self._structure_char(ch)
        return "".join(out)

    def _string_char(self, ch: str, out: list[str]) -> None:
        if self._unicode is not None:
            self._unicode += ch
            if len(self._unicode) == 4:
                if self._is_value:
                    try:
                        out.append(chr(int(self._unicode, 16)))
                    except ValueError:
                        pass
                self._unicode = None
        elif self._escape:
            self._escape = False
            if ch == "u":
                self._unicode = ""
            elif self._is_value:
                out.append(ESCAPES.get(ch, ch))
        elif ch == "\\":
            self._escape = True
        elif ch == '"':
            self._in_string = False
            if self._is_value:
                out.append("\n\n")
        elif self._is_value:
            out.append(ch)

    def _structure_char(self, ch: str) -> None:
        if ch == "{":
            self._stack.append("{")
            self._expect_key = True
        elif ch == "[":
            self._stack.append("[")
        elif ch in "}]":
            if self._stack:
                self._stack.pop()
        elif ch == ":":
            self._expect_key = False
        elif ch == ",":
            self._expect_key = bool(self._stack) and self._stack[-1] == "{"
        elif ch == '"':
            self._in_string = True
            self._is_value = not (self._stack and self._stack[-1] == "{" and self._expect_key)
