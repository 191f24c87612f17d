"""A FAKE OpenAI-compatible server on 127.0.0.1 that answers with SGLang's documented response shapes.

SGLang needs a GPU, so tests of our client use this stand-in. Each request to
/v1/chat/completions takes the next scripted behaviour; when the script runs
out it answers normally. Replies come from `reply(task, request)`, where task
is the `TASK: name` line of the prompt. It records every request it saw.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class FakeSGLang:
    def __init__(
        self,
        reply: Callable[[str, dict], str] | None = None,
        owned_by: str = "sglang",
        cached_tokens: int | None = 7,
        reject_json_schema: bool = False,
    ) -> None:
        self.reply = reply or (lambda task, request: "{}")
        self.owned_by = owned_by
        self.cached_tokens = cached_tokens  # None: omit prompt_tokens_details, like SGLang for 0
        self.reject_json_schema = reject_json_schema
        self.script: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.models_status: list[int] = []
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def __enter__(self) -> FakeSGLang:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def do_GET(self) -> None:
                if self.path.rstrip("/") != "/v1/models":
                    return self._send(404, {"error": "not found"})
                status = fake.models_status.pop(0) if fake.models_status else 200
                if status != 200:
                    return self._send(status, {"error": "loading"})
                self._send(
                    200,
                    {"object": "list", "data": [{"id": "fake-model", "object": "model", "owned_by": fake.owned_by}]},
                )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                fake.requests.append(request)
                step = fake.script.pop(0) if fake.script else {}
                if step.get("sleep"):
                    time.sleep(step["sleep"])
                if step.get("status"):
                    return self._send(
                        step["status"], {"error": {"message": step.get("message", "scripted")}}, step.get("headers")
                    )
                fmt = request.get("response_format") or {}
                if fake.reject_json_schema and fmt.get("type") == "json_schema":
                    return self._send(400, {"error": {"message": "response_format json_schema is not supported"}})
                prompt = "\n".join(str(m.get("content", "")) for m in request.get("messages", []))
                task = (re.search(r"TASK: (\w+)", prompt) or [None, "unknown"])[1]
                content = fake.reply(task, request)
                prompt_tokens = max(1, len(prompt) // 4)
                usage: dict[str, Any] = {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": max(1, len(content) // 4),
                    "total_tokens": prompt_tokens + max(1, len(content) // 4),
                }
                cached = step.get("cached_tokens", fake.cached_tokens)
                if cached is not None:  # SGLang leaves the whole object out when the count is 0
                    usage["prompt_tokens_details"] = {"cached_tokens": min(cached, prompt_tokens)}
                self._send(200, {
                    "id": "cmpl-1",
                    "object": "chat.completion",
                    "model": "fake-model",
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                    "usage": usage,
                })  # fmt: skip

        return Handler
