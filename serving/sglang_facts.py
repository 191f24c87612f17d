"""What SGLang releases do, as read in their wheels (no GPU needed to read code).

Every fact the launcher and the client rely on is a named constant here with
the release and the lines it was read from, so that the next release is
checked against one list. Paths are under `python/sglang/` of the wheel.
"""

from __future__ import annotations

import re
from importlib import metadata

# The release whose source this module was checked against, line by line.
CHECKED_RELEASE = "0.5.23"
# And the router release checked beside it (sglang_router/router_args.py: --worker-urls, --policy cache_aware).
CHECKED_ROUTER_RELEASE = "0.3.2"
# The `[sglang]` extra in pyproject.toml pins >=0.5.20,<0.6: releases whose flags we emit all exist (see the
# *_SINCE constants), up to the next minor, whose flags we have not read.

# `--reasoning-parser auto` / `--tool-call-parser auto` (srt/server_args.py: choices=["auto"] + ...),
# first in 0.5.12; absent in 0.5.11.
AUTO_PARSERS_SINCE = (0, 5, 12)
# `--default-chat-template-kwargs JSON` (srt/arg_groups/fields/serving.py:209), first in 0.5.20.
DEFAULT_TEMPLATE_KWARGS_SINCE = (0, 5, 20)

# `usage.prompt_tokens_details` with --enable-cache-report: 0.4.6.post5 and 0.5.22+ always send it
# (0.5.23: srt/entrypoints/openai/usage_processor.py:38-43); 0.4.9 to 0.5.21 send it only when the count
# is above 0 (`_details_if_cached`). Either way a server started with the flag means "missing is 0".

# `/v1/models` cards say `owned_by: "sglang"` and carry `max_model_len` (srt/entrypoints/openai/protocol.py:87-96).
OWNED_BY = "sglang"
# The port opens only after the model has loaded (srt/entrypoints/http_server.py:3125-3185, launch_server);
# then `/health` answers 503 while the server is still warming up, 200 once a token came back (714-799).
HEALTH_PATH = "/health"
# `POST /v1/tokenize` takes `prompt` or `messages` and returns `tokens`, `count`, `max_model_len`
# (http_server.py:1906-1923, protocol.py:1744-1801); first in 0.5.10.
TOKENIZE_PATH = "/tokenize"
# `/server_info` returns the resolved server arguments, `enable_cache_report` among them (http_server.py:863-890);
# releases before 0.5 only have `/get_server_info`.
SERVER_INFO_PATHS = ("/server_info", "/get_server_info")
# A prompt longer than the context is a ValueError turned into HTTP 400 with the shape
# {"object": "error", "message", "type", "param", "code"} (srt/managers/tokenizer_manager.py:1338-1378,
# srt/entrypoints/openai/serving_base.py:123-128, protocol.py:106-111); openai_compatible.CONTEXT_OVERFLOW reads it.
# `response_format: {"type": "json_object"}` constrains to `{"type": "object"}` only; a `schema` key beside it
# is ignored (protocol.py:1248-1249). So json_object is no fallback for SGLang (openai_compatible._should_fall_back).


def installed_version() -> tuple[int, ...] | None:
    """The sglang release installed beside us, read from its metadata without importing it (that loads torch)."""
    try:
        return parse_version(metadata.version("sglang"))
    except metadata.PackageNotFoundError:
        return None


def parse_version(text: str) -> tuple[int, ...]:
    """'0.5.23.post1' -> (0, 5, 23); the numeric release only, which is all the *_SINCE checks need."""
    parts = re.findall(r"\d+", text.split("+")[0])[:3]
    return tuple(int(p) for p in parts)


def has(since: tuple[int, ...], version: tuple[int, ...] | None) -> bool:
    return version is not None and version >= since
