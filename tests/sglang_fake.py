"""A FAKE SGLang server on 127.0.0.1 that follows the wire format of sglang 0.5.23, for contract tests.

SGLang needs a GPU, so tests of our client use this stand-in. Each behaviour
mirrors lines of the 0.5.23 wheel (paths under `python/sglang/srt/`):

- the port opens only after the model has loaded: `load_s` keeps it closed
  that long (entrypoints/http_server.py:3125-3185, launch_server);
- `GET /health` has an empty body, 503 while warming up, then 200
  (http_server.py:714-799); `warmup_polls` sets how many 503s;
- `GET /v1/models` never answers 503; its cards say `owned_by: "sglang"` and
  carry `max_model_len` (entrypoints/openai/protocol.py:87-96, http_server.py:1993-2022);
- `GET /server_info` returns the flat server arguments, `enable_cache_report`
  among them, and `version` (http_server.py:863-890);
- `POST /v1/tokenize` takes `prompt` or `messages` and returns `tokens`,
  `count`, `max_model_len` (http_server.py:1906-1923, protocol.py:1744-1801);
- `response_format` must be text, json_object or json_schema, and
  `json_schema.name` is required (protocol.py:237-250); a request that fails
  validation is a 400 in the ErrorResponse shape `{"object": "error",
  "message", "type", "param", "code"}` (http_server.py:665-692, protocol.py:106-111);
- a prompt of `context_len` tokens or more is that same 400, with the
  tokenizer manager's message (managers/tokenizer_manager.py:1338-1378);
- a thinking model (`thinking_tokens` > 0) puts its thinking in
  `reasoning_content`, unless `chat_template_kwargs` turns it off (a hybrid
  model) or it always thinks (`thinks_always`); the JSON schema applies only
  after the thinking (constrained/base_grammar_backend.py:448-462), so a
  `max_tokens` smaller than the thinking returns no content and
  finish_reason "length"; `reasoning_parser=False` leaves the thinking inline
  as `<think>...</think>` in `content`;
- `usage.prompt_tokens_details.cached_tokens` with --enable-cache-report:
  always present in 0.5.23 (openai/usage_processor.py:38-43), absent at 0 in
  0.4.9-0.5.21 (`release="0.5.21"`), absent without the flag.

Not imported from sglang itself: its protocol module imports
`sglang.utils` -> `sglang.srt.utils.common`, which imports torch at line 89
(a 4.6 GB install with the pinned CUDA wheels), so our requests cannot be
validated against sglang's own pydantic models here. The checks above are
written from the cited lines instead.

Streaming (`"stream": true`) sends server-sent events the way SGLang's
serving_chat does: deltas of `reasoning_content` and `content`, a usage event
when `stream_options.include_usage`, then `data: [DONE]`.

Scripted behaviours (`script`, one per chat request: `status`, `sleep`,
`headers`, `cached_tokens`) and `models_status` (a non-SGLang server that
answers 503 on /v1/models while loading) cover the retry paths.
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = re.compile(r"\w+|[^\w\s]")
RESPONSE_FORMAT_TYPES = {"text", "json_object", "json_schema"}


class FakeSGLang:
    def __init__(
        self,
        reply: Callable[[str, dict], str] | None = None,
        owned_by: str = "sglang",
        cached_tokens: int = 7,
        cache_report: bool = True,
        release: str = "0.5.23",
        context_len: int = 32768,
        load_s: float = 0.0,
        warmup_polls: int = 0,
        thinking_tokens: int = 0,
        thinks_always: bool = False,
        reasoning_parser: bool = True,
        reject_json_schema: bool = False,
        tokenize: bool = True,
        model_path: str = "Qwen/Qwen3-32B",
    ) -> None:
        self.reply = reply or (lambda task, request: "{}")
        self.owned_by = owned_by
        self.cached_tokens = cached_tokens
        self.cache_report = cache_report
        self.release = release
        self.context_len = context_len
        self.load_s = load_s
        self.warmup_polls = warmup_polls
        self.thinking_tokens = thinking_tokens
        self.thinks_always = thinks_always
        self.reasoning_parser = reasoning_parser
        self.reject_json_schema = reject_json_schema  # a non-SGLang server without json_schema support
        self.tokenize = tokenize
        self.model_path = model_path
        self.script: list[dict[str, Any]] = []
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self.stream_pause_s = 0.0  # between streamed pieces, to watch tokens arrive one by one
        self.reply_delay_s = 0.0  # before every chat reply, so that concurrent requests overlap
        self.in_flight = 0
        self.max_in_flight = 0  # the most chat requests the fake was answering at once
        self.models_status: list[int] = []
        self.vocabulary: dict[str, int] = {}
        self._lock = threading.Lock()
        with socket.socket() as probe:  # a free port, known before the server opens it
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self._server: ThreadingHTTPServer | None = None
        self._opener: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> FakeSGLang:
        self._opener = threading.Thread(target=self._open, daemon=True)
        self._opener.start()
        if not self.load_s:
            self._opener.join()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._opener is not None:
            self._opener.join()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    def _open(self) -> None:
        time.sleep(self.load_s)  # loading the model: nothing listens on the port
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def count(self, text: str) -> list[int]:
        """Token ids for `text`: one per word or punctuation mark, stable for the fake's lifetime."""
        with self._lock:
            return [self.vocabulary.setdefault(t, len(self.vocabulary) + 1) for t in TOKEN.findall(text)]

    def _handler(self):
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def _send(self, status: int, body: dict | None, headers: dict[str, str] | None = None) -> None:
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.end_headers()
                try:
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _error(self, message: str, status: int = 400, headers: dict[str, str] | None = None) -> None:
                body = {"object": "error", "message": message, "type": "BadRequest", "param": None, "code": status}
                self._send(status, body, headers)

            def do_GET(self) -> None:
                path = self.path.rstrip("/")
                fake.paths.append(path)
                if path == "/health":
                    if fake.warmup_polls > 0:
                        fake.warmup_polls -= 1
                        return self._send(503, None)
                    return self._send(200, None)
                if path == "/server_info" and fake.owned_by == "sglang":
                    return self._send(200, {
                        "model_path": fake.model_path, "enable_cache_report": fake.cache_report,
                        "tp_size": 1, "base_gpu_id": 0, "gpu_id_step": 1, "version": fake.release,
                    })  # fmt: skip
                if path != "/v1/models":
                    return self._send(404, {"detail": "Not Found"})
                status = fake.models_status.pop(0) if fake.models_status else 200
                if status != 200:
                    return self._send(status, {"error": "loading"})
                card = {"id": "fake-model", "object": "model", "created": 0, "owned_by": fake.owned_by,
                        "root": "fake-model", "parent": None, "max_model_len": fake.context_len}  # fmt: skip
                self._send(200, {"object": "list", "data": [card]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                request = json.loads(self.rfile.read(length) or b"{}")
                path = self.path.rstrip("/")
                fake.paths.append(path)
                if path in ("/v1/tokenize", "/tokenize") and fake.tokenize:
                    return self._tokenize(request)
                if path != "/v1/chat/completions":
                    return self._send(404, {"detail": "Not Found"})
                fake.requests.append(request)
                step = fake.script.pop(0) if fake.script else {}
                with fake._lock:
                    fake.in_flight += 1
                    fake.max_in_flight = max(fake.max_in_flight, fake.in_flight)
                try:
                    self._chat(request, step)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _chat(self, request: dict, step: dict) -> None:
                time.sleep(step.get("sleep") or fake.reply_delay_s)
                if step.get("status"):
                    return self._error(step.get("message", "scripted"), step["status"], step.get("headers"))
                problem = self._invalid(request)
                if problem:
                    return self._error(problem)
                prompt = "".join(f"{m.get('role')}: {m.get('content', '')}\n" for m in request.get("messages", []))
                prompt_tokens = len(fake.count(prompt))
                if prompt_tokens >= fake.context_len:
                    return self._error(
                        f"The input ({prompt_tokens} tokens) is longer than the model's context length "
                        f"({fake.context_len} tokens)."
                    )
                self._complete(request, step, prompt, prompt_tokens)

            def _invalid(self, request: dict) -> str | None:
                fmt = request.get("response_format")
                if fmt is None:
                    return None
                if fmt.get("type") not in RESPONSE_FORMAT_TYPES:
                    return f"1 validation error for ChatCompletionRequest\nresponse_format.type\n  Input should be 'text', 'json_object' or 'json_schema' [input_value={fmt.get('type')!r}]"
                if fmt["type"] == "json_schema":
                    if fake.reject_json_schema:
                        return "response_format type json_schema is not supported by this server"
                    if "name" not in (fmt.get("json_schema") or {}):
                        return "1 validation error for ChatCompletionRequest\nresponse_format.json_schema.name\n  Field required"
                return None

            def _complete(self, request: dict, step: dict, prompt: str, prompt_tokens: int) -> None:
                task = (re.search(r"TASK: (\w+)", prompt) or [None, "unknown"])[1]
                answer = fake.reply(task, request)
                budget = int(request.get("max_tokens") or 1 << 30)
                switch = (request.get("chat_template_kwargs") or {}).get("enable_thinking")
                thinks = fake.thinking_tokens > 0 and (fake.thinks_always or switch is not False)
                reasoning, finish = "", "stop"
                if thinks:
                    reasoning = " ".join(["hmm"] * min(fake.thinking_tokens, budget))
                    if budget <= fake.thinking_tokens:  # cut off mid-thought: the schema never started
                        answer, finish = "", "length"
                    budget -= fake.thinking_tokens
                content: str | None = answer
                if reasoning and not fake.reasoning_parser:
                    content = f"<think>{reasoning}" + ("</think>" + answer if answer else "")
                    reasoning = ""
                completion = len(fake.count(answer)) + (fake.thinking_tokens if thinks else 0)
                usage: dict[str, Any] = {
                    "prompt_tokens": prompt_tokens, "completion_tokens": completion,
                    "total_tokens": prompt_tokens + completion, "prompt_tokens_details": None, "reasoning_tokens": 0,
                }  # fmt: skip
                cached = min(int(step.get("cached_tokens", fake.cached_tokens)), prompt_tokens)
                release = tuple(int(n) for n in re.findall(r"\d+", fake.release)[:3])
                omitted_at_zero = (0, 4, 9) <= release <= (0, 5, 21)
                if fake.cache_report and not (omitted_at_zero and cached == 0):
                    usage["prompt_tokens_details"] = {"cached_tokens": cached}
                message = {"role": "assistant", "content": content or None, "reasoning_content": reasoning or None,
                           "tool_calls": None}  # fmt: skip
                if request.get("stream"):
                    return self._stream(message, finish, usage, request)
                self._send(200, {
                    "id": "cmpl-1", "object": "chat.completion", "created": 0, "model": "fake-model",
                    "choices": [{"index": 0, "message": message, "logprobs": None, "finish_reason": finish,
                                 "matched_stop": None}],
                    "usage": usage,
                })  # fmt: skip

            def _stream(self, message: dict, finish: str, usage: dict, request: dict) -> None:
                """Server-sent events as SGLang sends them: a role delta, reasoning and content deltas a
                piece each, the finish reason, a usage event when `stream_options.include_usage`, [DONE]."""
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.end_headers()

                def event(delta: dict, finish_reason: str | None = None, extra: dict | None = None) -> None:
                    chunk = {
                        "id": "cmpl-1",
                        "object": "chat.completion.chunk",
                        "created": 0,
                        "model": "fake-model",
                        "choices": [{"index": 0, "delta": delta, "finish_reason": finish_reason}],
                        **(extra or {}),
                    }
                    self.wfile.write(f"data: {json.dumps(chunk)}\n\n".encode())
                    self.wfile.flush()

                event({"role": "assistant", "content": ""})
                for key in ("reasoning_content", "content"):
                    for piece in re.findall(r"\S+\s*", message.get(key) or ""):
                        event({key: piece})
                        if fake.stream_pause_s:
                            time.sleep(fake.stream_pause_s)
                event({}, finish)
                if (request.get("stream_options") or {}).get("include_usage"):
                    self.wfile.write(f"data: {json.dumps({'choices': [], 'usage': usage})}\n\n".encode())
                self.wfile.write(b"data: [DONE]\n\n")

            def _tokenize(self, request: dict) -> None:
                if ("prompt" in request) == ("messages" in request):
                    return self._error("Exactly one of 'prompt' or 'messages' must be provided")
                if "messages" in request:
                    text = "".join(f"{m.get('role')}: {m.get('content', '')}\n" for m in request["messages"])
                else:
                    text = request["prompt"]
                tokens = fake.count(text)
                self._send(200, {"tokens": tokens, "count": len(tokens), "max_model_len": fake.context_len})

        return Handler
