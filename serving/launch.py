"""Commands that start a policy server: llama.cpp for CPUs, SGLang for GPUs, the SGLang router beyond one GPU.

Servers bind to 127.0.0.1. Putting one on a network is a deployment decision
(a reverse proxy with TLS and auth), not a flag of ours.
"""

from __future__ import annotations

import importlib.util
import os
import shlex
import socket
import sys
from pathlib import Path

from stepresearch.errors import UsageError

from .model_files import check_gguf, default_model_path

HOST = "127.0.0.1"

# Reasoning and tool-call parsers by model family (substring of the model path, lower-cased).
# Order matters: the first match wins. Names as in SGLang's docs (separate_reasoning, tool_parser).
PARSERS: list[tuple[str, str | None, str | None]] = [
    ("deepseek-r1", "deepseek-r1", None),
    ("deepseek-v3", "deepseek-v3", "deepseekv3"),
    ("qwen3", "qwen3", "qwen25"),
    ("qwq", "deepseek-r1", "qwen25"),
    ("qwen2.5", None, "qwen25"),
    ("kimi-k2", "kimi_k2", "kimi_k2"),
    ("gpt-oss", "gpt-oss", "gpt-oss"),
]


def llama_cpp_server_command(
    model: str | None, port: int, n_ctx: int = 8192, n_threads: int | None = None
) -> list[str]:
    """llama-cpp-python's OpenAI-compatible server, with its RAM prefix cache on."""
    path = check_gguf(model) if model else check_gguf(default_model_path())
    return [
        sys.executable, "-m", "llama_cpp.server",
        "--model", str(path),
        "--model_alias", Path(path).stem,
        "--host", HOST,
        "--port", str(port),
        "--n_ctx", str(n_ctx),
        "--n_threads", str(n_threads or os.cpu_count() or 1),
        "--cache", "True",
        "--cache_type", "ram",
    ]  # fmt: skip


def sglang_command(
    model_path: str,
    port: int,
    tp: int = 1,
    reasoning_parser: str | None = None,
    tool_call_parser: str | None = None,
) -> list[str]:
    """SGLang with the flags this engine relies on.

    --enable-cache-report puts cached_tokens in every usage block (our cache accounting),
    --enable-metrics exposes sglang:cache_hit_rate on /metrics,
    --schedule-policy lpm serves the longest-prefix-match request first, which keeps
    the shared research-log prefix hot in the radix cache across parallel branches.
    """
    guessed_reasoning, guessed_tools = guess_parsers(model_path)
    command = [
        sys.executable, "-m", "sglang.launch_server",
        "--model-path", model_path,
        "--host", HOST,
        "--port", str(port),
        "--tp", str(tp),
        "--enable-cache-report",
        "--enable-metrics",
        "--schedule-policy", "lpm",
    ]  # fmt: skip
    if reasoning_parser or guessed_reasoning:
        command += ["--reasoning-parser", reasoning_parser or guessed_reasoning]  # type: ignore[list-item]
    if tool_call_parser or guessed_tools:
        command += ["--tool-call-parser", tool_call_parser or guessed_tools]  # type: ignore[list-item]
    return command


def router_command(worker_urls: list[str], port: int) -> list[str]:
    """sglang-router in front of several SGLang workers, routing by prefix (cache_aware)."""
    if not worker_urls:
        raise UsageError("--engine sglang-router needs --worker-urls URL [URL ...]")
    return [
        sys.executable, "-m", "sglang_router.launch_router",
        "--worker-urls", *worker_urls,
        "--policy", "cache_aware",
        "--host", HOST,
        "--port", str(port),
    ]  # fmt: skip


def guess_parsers(model_path: str) -> tuple[str | None, str | None]:
    name = model_path.lower()
    for key, reasoning, tools in PARSERS:
        if key in name:
            return reasoning, tools
    return None, None


def check_port_free(port: int) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server will: TIME_WAIT is no conflict
        try:
            probe.bind((HOST, port))
        except OSError as exc:
            raise UsageError(f"port {port} on {HOST} is not free: {exc.strerror or exc}") from exc


def require_module(module: str, extra: str) -> None:
    if importlib.util.find_spec(module) is None:
        raise UsageError(f"{module} is not installed; install it with: pip install -e '.[{extra}]' (it needs a GPU)")


def shell_line(command: list[str]) -> str:
    return shlex.join(command)


def run(command: list[str]) -> None:
    """Become the server process (exec), so a signal to `stepresearch serve` reaches the server
    itself and no orphaned child keeps the port."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(command[0], command)
