"""`stepresearch serve --check`: the mismatches visible from here, before a GPU hour is spent.

It reads the resolved command lines, and the `/server_info` of any SGLang server
already answering on their ports (or on the router's workers). Each warning
names the fix. It cannot see a server on another machine, nor the
`CUDA_VISIBLE_DEVICES` a running worker was started with; warnings say so.
"""

from __future__ import annotations

import json
import os
from typing import Any

import httpx

from .launch import LaunchPlan, flag_value
from .model_families import family_of
from .server_probe import find_key, server_info

INFO_TIMEOUT_S = 3.0  # a live server answers /server_info at once; a dead port must not stall the check


def check_plan(plan: LaunchPlan, model_path: str) -> list[str]:
    """Warnings about the command lines themselves."""
    warnings: list[str] = []
    family = family_of(model_path)
    for server in plan.servers:
        kwargs = flag_value(server, "--default-chat-template-kwargs")
        if family.thinking == "by_default" and family.switch and not _turns_off(kwargs, family.switch):
            warnings.append(
                f"{family.name} thinks by default, and this line does not start it with "
                f"--default-chat-template-kwargs '{{\"{family.switch}\": false}}': our client turns thinking off per "
                "request, but other clients of this server will get thinking replies"
            )
        if "--enable-cache-report" not in server:
            warnings.append("--enable-cache-report is missing: run.json's server_cached_tokens will stay null")
        break  # the workers of one plan share their flags
    gpus = [
        _gpus(flag_value(s, "--base-gpu-id"), flag_value(s, "--tp"), flag_value(s, "--gpu-id-step"))
        for s in plan.servers
    ]
    warnings += _overlaps([f"worker on port {flag_value(s, '--port')}" for s in plan.servers], gpus)
    visible = os.environ.get("CUDA_VISIBLE_DEVICES")
    if visible is not None and gpus:
        count = len([d for d in visible.split(",") if d.strip()])
        needed = max(max(g) for g in gpus) + 1
        if needed > count:
            warnings.append(f"the workers need GPUs 0..{needed - 1}, but CUDA_VISIBLE_DEVICES={visible} shows {count}")
    return warnings


def check_servers(urls: list[str], model_path: str | None = None) -> tuple[list[str], list[str]]:
    """Warnings from the servers already answering at `urls` (their `/server_info`), and which answered."""
    warnings: list[str] = []
    answered: list[str] = []
    labels: list[str] = []
    gpus: list[set[int]] = []
    for url in urls:
        with httpx.Client(timeout=INFO_TIMEOUT_S) as client:
            info = server_info(client, url)
        if info is None:
            continue
        answered.append(url)
        if find_key(info, "enable_cache_report") is False:
            warnings.append(
                f"{url} was started without --enable-cache-report: run.json's server_cached_tokens will stay null"
            )
        family = family_of(str(find_key(info, "model_path") or model_path or ""))
        template_kwargs = find_key(info, "default_chat_template_kwargs")
        if family.thinking == "by_default" and family.switch and not _turns_off(template_kwargs, family.switch):
            warnings.append(
                f"{url} serves {family.name} with thinking on by default: our client turns it off per request, "
                "other clients will get thinking replies"
            )
        labels.append(url)
        gpus.append(_gpus(find_key(info, "base_gpu_id"), find_key(info, "tp_size"), find_key(info, "gpu_id_step")))
    same_machine = [i for i, u in enumerate(labels) if "127.0.0.1" in u or "localhost" in u]
    warnings += [
        w + " (unless they were started with different CUDA_VISIBLE_DEVICES, which /server_info does not show)"
        for w in _overlaps([labels[i] for i in same_machine], [gpus[i] for i in same_machine])
    ]
    return warnings, answered


def _turns_off(kwargs: Any, switch: str) -> bool:
    if isinstance(kwargs, str):
        try:
            kwargs = json.loads(kwargs)
        except ValueError:
            return False
    return isinstance(kwargs, dict) and kwargs.get(switch) is False


def _gpus(base: Any, tp: Any, step: Any) -> set[int]:
    try:
        first, width, stride = int(base or 0), int(tp or 1), int(step or 1)
    except (TypeError, ValueError):
        return set()
    return {first + k * stride for k in range(width)}


def _overlaps(labels: list[str], gpus: list[set[int]]) -> list[str]:
    out = []
    for i in range(len(gpus)):
        for j in range(i + 1, len(gpus)):
            shared = gpus[i] & gpus[j]
            if shared:
                out.append(f"{labels[i]} and {labels[j]} both use GPU {', '.join(map(str, sorted(shared)))}")
    return out
