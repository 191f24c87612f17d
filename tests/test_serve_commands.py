"""`stepresearch serve`: the commands it builds, checked through the real CLI with --dry-run."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

from cli_in_process import run_cli_here

from stepresearch.serving.launch import LLAMA_CPP_CACHE_BYTES


def serve(*args: str) -> subprocess.CompletedProcess:
    """`stepresearch serve` in this process (tests/cli_in_process.py): every call here is a dry run or a
    usage error, so nothing is started."""
    return run_cli_here("serve", *args, cwd=Path.cwd())


def test_sglang_command_has_the_recommended_flags_and_guessed_parsers():
    result = serve("--engine", "sglang", "--model-path", "Qwen/Qwen3-32B", "--tp", "2", "--dry-run")
    assert result.returncode == 0, result.stderr
    argv = shlex.split(result.stdout)
    assert argv[1:3] == ["-m", "sglang.launch_server"]
    for flag in ("--enable-cache-report", "--enable-metrics"):
        assert flag in argv
    assert argv[argv.index("--schedule-policy") + 1] == "lpm"
    assert argv[argv.index("--tp") + 1] == "2"
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert argv[argv.index("--reasoning-parser") + 1] == "qwen3"
    assert argv[argv.index("--tool-call-parser") + 1] == "qwen25"


def test_parser_overrides_win():
    result = serve("--engine", "sglang", "--model-path", "my/model", "--reasoning-parser", "deepseek-r1", "--dry-run")
    argv = shlex.split(result.stdout)
    assert argv[argv.index("--reasoning-parser") + 1] == "deepseek-r1"
    assert "--tool-call-parser" not in argv


def test_router_command_uses_cache_aware_routing():
    result = serve(
        "--engine", "sglang-router", "--worker-urls", "http://127.0.0.1:30000", "http://127.0.0.1:30002", "--dry-run"
    )
    argv = shlex.split(result.stdout)
    assert argv[1:3] == ["-m", "sglang_router.launch_router"]
    assert argv[argv.index("--policy") + 1] == "cache_aware"
    assert argv[argv.index("--worker-urls") + 1 : argv.index("--worker-urls") + 3] == [
        "http://127.0.0.1:30000",
        "http://127.0.0.1:30002",
    ]


def test_llama_cpp_command_serves_the_embedded_model_on_loopback():
    argv = shlex.split(serve("--engine", "llama-cpp", "--port", "8099", "--dry-run").stdout)
    assert argv[1:3] == ["-m", "llama_cpp.server"]
    assert argv[argv.index("--model") + 1].endswith("SmolLM2-135M-Instruct.Q4_1.gguf")
    assert argv[argv.index("--host") + 1] == "127.0.0.1"
    assert argv[argv.index("--port") + 1] == "8099"
    # The prefix cache is bounded, and no cached state carries every position's logits (see serving/launch.py).
    assert argv[argv.index("--cache_size") + 1] == str(LLAMA_CPP_CACHE_BYTES)
    assert argv[argv.index("--logits_all") + 1] == "False"


def test_usage_errors_exit_2():
    missing = serve("--engine", "sglang")
    assert missing.returncode == 2 and "--model-path" in missing.stderr and "Traceback" not in missing.stderr
    no_workers = serve("--engine", "sglang-router")
    assert no_workers.returncode == 2 and "--worker-urls" in no_workers.stderr
    not_installed = serve("--engine", "sglang", "--model-path", "Qwen/Qwen3-32B")
    assert not_installed.returncode == 2 and "pip install -e '.[sglang]'" in not_installed.stderr


def test_several_servers_run_as_one_and_stop_together(tmp_path):
    """`serve --workers N` keeps N workers and a router as children: when one exits, all of them stop,
    grandchildren too (SGLang spawns scheduler processes), and its exit code is returned."""
    import os
    import time

    from stepresearch.serving.supervise import supervise

    pids = tmp_path / "pids"
    spawner = (
        "import subprocess, sys, time; "
        f"child = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
        f"open({str(pids)!r}, 'a').write(str(child.pid) + '\\n'); time.sleep(120)"
    )
    commands = [
        [sys.executable, "-c", spawner],
        [sys.executable, "-c", "import time; time.sleep(120)"],
        [sys.executable, "-c", "import time; time.sleep(1.5); raise SystemExit(3)"],
    ]
    ended: list[int] = []
    started = time.monotonic()
    code = supervise(commands, on_exit=lambda command, status: ended.append(status), stop_grace_s=5)
    assert code == 3 and ended == [3]
    assert time.monotonic() - started < 30
    grandchild = int(pids.read_text().split()[0])
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        try:
            os.kill(grandchild, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        raise AssertionError("the grandchild outlived its group")
