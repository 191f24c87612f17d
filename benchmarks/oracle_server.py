"""An ORACLE policy on 127.0.0.1: an OpenAI-compatible server that answers each benchmark pair's true label.

It exists to measure the guard in front of a capable policy, not any model: with a judge that is always
right, every faithful sentence the policy judge still drops was dropped by the guard, and every wrong one
it keeps was let through by it. It reads the judge's prompt (`judge/policy.py`'s TASK and CONFIRM_TASK),
looks the statement up in the labels it was given, and replies in the JSON the judge asks for. A prompt
it has no label for is answered "neutral" (and counted in `unknown`), so a guard is never flattered by it.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_STATEMENT = re.compile(r"^Statement: (?P<statement>.+)$", re.MULTILINE)
_SOURCE = re.compile(r"^Source \((?P<title>[^)]*)\): (?P<passage>.*?)\nStatement: ", re.MULTILINE | re.DOTALL)
_FIRST = re.compile(r"^First statement: (?P<first>.+)$", re.MULTILINE)
_SECOND = re.compile(r"^Second statement: (?P<second>.+)$", re.MULTILINE)


Label = Callable[[str, str], bool | None]


class OracleServer:
    """`entails` maps a statement to True (faithful) or False, or is a function of (statement, passage) that
    returns the label or None; `disagree` is a function of (first statement, second statement)."""

    def __init__(self, entails: dict[str, bool] | Label, disagree: Label | None = None) -> None:
        if isinstance(entails, dict):
            table = {_norm(k): v for k, v in entails.items()}
            self.entails: Label = lambda statement, passage: table.get(_norm(statement))
        else:
            self.entails = entails
        self.disagree: Label = disagree or (lambda first, second: None)
        self.asked = 0
        self.unknown = 0
        self._server: ThreadingHTTPServer | None = None

    @property
    def base_url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> OracleServer:
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def answer(self, prompt: str) -> dict:
        self.asked += 1
        first, second = _FIRST.search(prompt), _SECOND.search(prompt)
        if first and second:
            known = self.disagree(first["first"], second["second"])
            self.unknown += known is None
            return {"disagree": bool(known)}
        statement, source = _STATEMENT.search(prompt), _SOURCE.search(prompt)
        known = self.entails(statement["statement"], source["passage"] if source else "") if statement else None
        self.unknown += known is None
        return {"verdict": "entails" if known else "neutral"}

    def _handler(self):
        oracle = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def _send(self, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._send({"object": "list", "data": [{"id": "oracle", "object": "model", "owned_by": "oracle"}]})

            def do_POST(self) -> None:
                request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
                prompt = "\n".join(str(m.get("content", "")) for m in request.get("messages", []))
                content = json.dumps(oracle.answer(prompt))
                self._send(
                    {
                        "id": "oracle",
                        "object": "chat.completion",
                        "model": "oracle",
                        "choices": [
                            {"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}
                        ],
                        "usage": {"prompt_tokens": len(prompt.split()), "completion_tokens": 4, "total_tokens": 0},
                    }
                )

        return Handler


def same_text(a: str, b: str) -> bool:
    """Equal as the judge's prompts carry them: case, spacing and end punctuation aside."""
    return _norm(a) == _norm(b)


def within(part: str, whole: str) -> bool:
    """`part` (a sentence as the judge quotes it) is in `whole`, case, spacing and end punctuation aside."""
    return _norm(part) in _norm(whole)


def _norm(text: str) -> str:
    """Statements reach the prompt as the validator cut them: compare without end punctuation or spacing."""
    return re.sub(r"\s+", " ", text).strip().rstrip(".。").strip().lower()
