"""The kill matrix, many times, under load: every boundary, and kills at random moments.

    python benchmarks/durability.py [--loops 3] [--random-kills 6] [--no-load]

Each loop runs every chain of `stepresearch.core.faults.KILL_CHAINS` through the CLI with the real SmolLM2 (the
run killed with SIGKILL at the chain's first boundary, each resume killed at the next, the last resume
finishing), then `--random-kills` runs killed at a random moment, resumed, killed again at a random moment
and so on until one finishes. Every finished run is compared with a run never killed, made first on the same
input (`check_resumed`): 0 phantoms, the same executions with none redone, the same cited sources, the same
sentences. Beside it, unless `--no-load`, a second embedded research runs in a loop: both take the
machine-wide generation lock (`serving/llama_cpp_chat.py`), so the runs are slower and their timing differs
from an idle machine's. It prints the count of runs, kills and failures, and each failure.

The checks are the integration test's too (tests/integration/test_durability_real.py imports them).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from stepresearch.app.run_folder import RESULT_FILES as RECORD_FILES
from stepresearch.app.run_folder import VIEWER_FILE
from stepresearch.app.runner import read_checkpoint
from stepresearch.core.faults import FAULT_ENV, KILL_CHAINS

PLANTED = Path(__file__).parents[1] / "tests" / "data" / "planted"
QUESTION = "When did the Great Fire of Kelmar destroy the old town, where did it start, and how long did it burn?"
SMALL = ("--max-rounds", "1", "--max-sub-questions", "2")
LOAD_QUESTION = "When was the Suez Canal opened, and who built it?"
CLI_TIMEOUT_S = 900
RESULT_FILES = (*RECORD_FILES, VIEWER_FILE)  # what a finished run leaves in its folder


def env_for(root: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("TAVILY_API_KEY", FAULT_ENV)}
    return {**env, "STEPRESEARCH_CACHE_DIR": str(root / "cache"), **extra}


def cli(args: list[str], root: Path, **extra: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "stepresearch", *args], capture_output=True, text=True, timeout=CLI_TIMEOUT_S,
        env=env_for(root, **extra), cwd=root,
    )  # fmt: skip


def start_args(run: Path) -> list[str]:
    return ["run", QUESTION, "--corpus", str(PLANTED), "--out", str(run), *SMALL]


def resume_args(run: Path) -> list[str]:
    return ["run", "--resume", "--out", str(run)]


def checkpointed_executions(run: Path) -> list[dict]:
    """The node executions the folder's checkpoint holds, pending writes of a half-done step included."""
    return [e.model_dump() for e in read_checkpoint(run).values.get("executions", [])]


def prose(report: str) -> list[str]:
    """The report's headings and cited sentences, without "Scope and method", which names the run's own figures."""
    body = report.split("\n## Scope and method")[0]
    return [line for line in body.splitlines() if line.strip()]


def unkilled_run(root: Path) -> dict:
    """A run never killed on the same input: what every resumed run must match."""
    run = root / "unkilled"
    done = cli(start_args(run), root)
    if done.returncode != 0:
        raise RuntimeError(f"the unkilled run failed: {done.stderr[-2000:]}")
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    return {"report": (run / "report.md").read_text(encoding="utf-8"), **record}


def check_resumed(run: Path, unkilled: dict, held: list[dict]) -> list[str]:
    """What is wrong with a resumed run (empty: nothing). `held` is every execution some checkpoint held
    between kills: each must still be there, the killed process's own, never redone."""
    missing = [name for name in RESULT_FILES if not (run / name).is_file()]
    if missing:
        return [f"missing after resume: {missing}"]
    record = json.loads((run / "run.json").read_text(encoding="utf-8"))
    problems = []
    if (record.get("citations") or {}).get("phantom") != 0:
        problems.append(f"citations: {record.get('citations')}")

    def keys(executions: list[dict]) -> Counter:
        return Counter((e["node"], e["round"], e["sub_question"]) for e in executions)

    if keys(record["executions"]) != keys(unkilled["executions"]):
        extra = keys(record["executions"]) - keys(unkilled["executions"])
        lacking = keys(unkilled["executions"]) - keys(record["executions"])
        problems.append(
            f"executions differ from the unkilled run's: ran again {dict(extra)}, never ran {dict(lacking)}"
        )
    kept = {(e["node"], e["sub_question"], e["started_at"]) for e in record["executions"]}
    lost = [e["node"] for e in held if (e["node"], e["sub_question"], e["started_at"]) not in kept]
    if lost:
        problems.append(f"executions a checkpoint held were replaced: {lost}")
    if [s["uri"] for s in record["sources"]] != [s["uri"] for s in unkilled["sources"]]:
        problems.append("cited sources differ from the unkilled run's")
    if prose((run / "report.md").read_text(encoding="utf-8")) != prose(unkilled["report"]):
        problems.append("the report's sentences differ from the unkilled run's")
    return problems


def run_chain(run: Path, chain: tuple[str, ...], root: Path, unkilled: dict) -> tuple[int, list[str]]:
    """Kill at each boundary of `chain` in turn, then resume to the end: (processes run, problems)."""
    held: list[dict] = []
    for i, point in enumerate(chain):
        killed = cli(start_args(run) if i == 0 else resume_args(run), root, **{FAULT_ENV: point})
        if killed.returncode != -signal.SIGKILL:
            return i + 1, [f"not killed at {point} (exit {killed.returncode}): {killed.stderr[-1500:]}"]
        if point != "before-write:run.html" and (run / "run.json").exists():
            return i + 1, [f"run.json exists after a kill at {point}, before the run finished"]
        held += checkpointed_executions(run)
    resumed = cli(resume_args(run), root)
    if resumed.returncode != 0:
        return len(chain) + 1, [f"the last resume failed (exit {resumed.returncode}): {resumed.stderr[-1500:]}"]
    problems = check_resumed(run, unkilled, held)
    again = cli(resume_args(run), root)
    if again.returncode != 2 or "already finished" not in again.stderr:
        problems.append(f"a resume of the finished run was not refused: {again.returncode} {again.stderr[-500:]}")
    return len(chain) + 2, problems


def run_random_kills(
    run: Path, root: Path, unkilled: dict, longest_s: float, rng: random.Random
) -> tuple[int, int, list[str]]:
    """Kill at random moments until a process finishes by itself: (processes, kills, problems)."""
    held: list[dict] = []
    processes = kills = 0
    args = start_args(run)
    while True:
        process = subprocess.Popen(
            [sys.executable, "-m", "stepresearch", *args], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, env=env_for(root), cwd=root,
        )  # fmt: skip
        processes += 1
        try:
            process.wait(timeout=rng.uniform(1.0, longest_s))
        except subprocess.TimeoutExpired:
            process.send_signal(signal.SIGKILL)
            process.wait(timeout=60)
            kills += 1
        stderr = process.stderr.read() if process.stderr else ""
        if process.returncode == 0:
            break
        if process.returncode != -signal.SIGKILL:
            if "nothing to resume" in stderr:  # killed before its first checkpoint: start it again
                args = start_args(run) + ["--overwrite"]
                continue
            return processes, kills, [f"a process failed (exit {process.returncode}): {stderr[-1500:]}"]
        if (run / ".thread").is_file() and (run / "checkpoints.sqlite").is_file():
            try:
                held += checkpointed_executions(run)
                args = resume_args(run)
            except Exception:  # noqa: BLE001 (no checkpoint yet for the thread: start again)
                args = start_args(run) + ["--overwrite"]
        else:
            args = start_args(run) + ["--overwrite"]
        if processes > 40:
            return processes, kills, ["no run finished within 40 processes"]
    return processes, kills, check_resumed(run, unkilled, held)


def start_load(root: Path) -> subprocess.Popen:
    """A second embedded research, over and over, beside the measured ones."""
    script = (
        "import subprocess, sys, itertools\n"
        "for i in itertools.count():\n"
        f"    subprocess.run([sys.executable, '-m', 'stepresearch', 'run', {LOAD_QUESTION!r}, '--out', "
        f"{str(root / 'load')!r} + str(i), '--max-rounds', '1'], capture_output=True)\n"
    )
    return subprocess.Popen([sys.executable, "-c", script], env=env_for(root), start_new_session=True)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--loops", type=int, default=3)
    parser.add_argument("--random-kills", type=int, default=6, help="random-moment runs per loop")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    root = Path(tempfile.mkdtemp(prefix="durability-"))
    began = time.perf_counter()
    unkilled = unkilled_run(root)
    unkilled_s = time.perf_counter() - began
    load = None if args.no_load else start_load(root)
    processes = kills = runs = 0
    failures: list[str] = []
    try:
        for loop in range(args.loops):
            for name, chain in KILL_CHAINS.items():
                n, problems = run_chain(root / f"chain-{loop}-{name.replace(' ', '-')}", chain, root, unkilled)
                processes, kills, runs = processes + n, kills + len(chain), runs + 1
                failures += [f"loop {loop}, chain {name!r}: {p}" for p in problems]
                print(
                    f"loop {loop} chain {name!r}: {len(chain)} kills, {'ok' if not problems else problems}", flush=True
                )
            for k in range(args.random_kills):
                n, killed, problems = run_random_kills(root / f"random-{loop}-{k}", root, unkilled, unkilled_s, rng)
                processes, kills, runs = processes + n, kills + killed, runs + 1
                failures += [f"loop {loop}, random run {k}: {p}" for p in problems]
                print(f"loop {loop} random run {k}: {killed} kills, {'ok' if not problems else problems}", flush=True)
    finally:
        if load is not None:
            os.killpg(load.pid, signal.SIGKILL)
    print(
        f"\nunkilled run: {unkilled_s:.1f} s; load beside it: {'none' if args.no_load else 'a second embedded research'}"
    )
    print(f"{runs} resumed runs, {kills} kills, {processes} processes, {len(failures)} failed, "
          f"{time.perf_counter() - began:.0f} s in all")  # fmt: skip
    for failure in failures:
        print(f"FAILED {failure}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
