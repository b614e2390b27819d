"""`make bench`, cleanup: 10,000 revisions across 100 families and 5,000 images in the local runtime.

Deploys the real template into moto, registers 100 revisions of each of 100 families (no service uses
them: the newest 5 of each stay), pushes 5,000 images into 10 repositories, then runs the real
CleanupFunction as it runs in AWS: one apply marks, and (grace 0 for the bench) the next applies delete,
each invocation stopping before its 15 minutes are up and the next going on with its continue token.

Prints the planning time and memory of a dry run (the peak Python allocation of the whole process
while it runs: the function's and moto's serving of its calls, an upper bound) against the function's
MemorySize, the largest response against Lambda's 6 MiB, then the AWS calls of plan + apply (the mark
run and every delete run; the CleanupFunction's own calls only, as a before-call hook attributes them)
as a ratio to the issue's lower bound (list pages of 100, one deregistration per revision, one
DeleteTaskDefinitions per 10; goal <= 1.1) and to the floor mark-then-delete cannot go under (the
bound, the marks at 20 revisions per TagResources call, and a second listing after the grace period),
and the simulated time the deletes take under the deregistration bucket (1 per second here). The
local runtime pages ListTaskDefinitions by 100 as AWS does (local/strict_ecs_pages.py). The whole
bench takes 3-4 minutes of real time on an idle machine.

The images are pushed just before the cleanup, so each is kept for its age (`CleanupImageMinIdleDays`,
30) whatever the revisions use, and no revision is described. `--old-images` sets that age to 0: every
image could then be an orphan, and every revision that stays is described (one DescribeTaskDefinition
each, in the invocations that judge images; a continue token carries what was described: the cost of
judging images against 10,000 revisions).
"""

from __future__ import annotations

import json
import math
import re
import sys
import time
import tracemalloc
from collections import Counter
from pathlib import Path
from typing import Any

import botocore.handlers

from fargate_ops_cli.local import clients as local_clients
from fargate_ops_cli.local import clock as local_clock
from fargate_ops_cli.local.cleanup_steps import invoke_cleanup
from fargate_ops_cli.local.clients import as_world
from fargate_ops_cli.local.runtime import LocalRuntime
from fargate_ops_cli.local.world.moto_access import Backends

ROOT = Path(__file__).resolve().parents[1]
FAMILIES, REVISIONS, REPOSITORIES, IMAGES = 100, 100, 10, 5000
LAMBDA_RESPONSE_LIMIT = 6 * 2**20  # a synchronous invocation's response payload
# `bench_cleanup.py --families N --images M`: a smaller account, for a quick look on a busy machine
KEEP = 5
PARAMETERS = {
    "CleanupGraceDays": "0",
    "CleanupKinds": "task-definition,image",
    "CleanupGuardMaxCount": "100000",
    "CleanupWritesPerSecond": "1",
}
READS = ("Describe", "List", "Get", "Scan", "BatchGet")


def say(text: str) -> None:
    print(text, flush=True)


def _populate(runtime: LocalRuntime) -> None:
    """The account, written into moto's backends directly: set-up, not what is measured (15,000
    calls through botocore took 2-4 minutes of a shared machine's time)."""
    backends = Backends(runtime.clients.account_id, runtime.clients.region)
    for family in range(FAMILIES):
        for revision in range(REVISIONS):
            backends.ecs.register_task_definition(
                family=f"job-{family:03d}",
                container_definitions=[{"name": "job", "image": f"job:{revision}", "memory": 128}],
            )
    for repository in range(REPOSITORIES):
        name = f"repo-{repository}"
        with as_world():
            runtime.clients.client("ecr").create_repository(repositoryName=name)
        for n in range(IMAGES // REPOSITORIES):
            manifest = {
                "schemaVersion": 2,
                "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                "config": {"digest": f"sha256:{repository:032x}{n:032x}", "size": n, "mediaType": "x"},
                "layers": [],
            }
            backends.ecr.put_image(name, json.dumps(manifest), f"v{n}")


class FunctionCalls:
    """The AWS calls the CleanupFunction itself makes (its Lambda session), by ``service:Operation``:
    the runtime's own counter also holds the other functions' (the scaling function's schedule fires
    during the hours an apply takes on the virtual clock)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()

    def __call__(self, model: Any, **_: Any) -> None:
        principal = local_clients._principal.get()
        if local_clients.acting_for_world() or principal is None:
            return  # the runtime's own look-ups (IAM's tag conditions) and the bench's set-up
        if principal.session.endswith("-cleanup"):
            self.counts[f"{model.service_model.service_name}:{model.name}"] += 1


CALLS = FunctionCalls()
# Before any client exists: botocore gives each new session these handlers (clients.COUNTER's way).
botocore.handlers.BUILTIN_HANDLERS.append(("before-call", CALLS))


def _calls(_runtime: LocalRuntime) -> dict[str, int]:
    return dict(CALLS.counts)


def _actions(result: dict[str, Any]) -> int:
    """The plan's actions, counted whole when the result lists only the first (cleanup/response.py)."""
    return int(
        (result.get("truncated") or {}).get("totals", {}).get("actions", len(result["plan"]["actions"]))
    )


def _memory_size() -> int:
    """The CleanupFunction's MemorySize in template.yaml, in MiB."""
    text = (ROOT / "template.yaml").read_text()
    found = re.search(r"\n  CleanupFunction:\n(?:    .*\n|\n)*?      MemorySize: (\d+)", text)
    return int(found.group(1)) if found else 0


SIMULATED: list[float] = []  # each invocation's duration on the virtual clock


def _invoke(runtime: LocalRuntime, event: dict[str, Any]) -> dict[str, Any]:
    """One invocation on a clock thread, so the token bucket's waits pass on the virtual clock; the
    clock is driven a minute at a time only until it returns (the daily schedule must not fire)."""
    out: dict[str, Any] = {}

    def run() -> None:
        began = runtime.clock.now()
        out.update(invoke_cleanup(runtime, event))
        SIMULATED.append(runtime.clock.now() - began)

    runtime.clock.start_later(0, run, "cleanup")
    while not out:
        runtime.clock.run_until(runtime.clock.now() + 60)
    return out


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


def main() -> None:
    global FAMILIES, IMAGES
    # One invocation collects and plans 10,000 revisions on a thread the clock waits for: give it time.
    local_clock.STUCK_AFTER_REAL_SECONDS = 3600.0
    if "--families" in sys.argv:
        FAMILIES = int(sys.argv[sys.argv.index("--families") + 1])
    if "--images" in sys.argv:
        IMAGES = int(sys.argv[sys.argv.index("--images") + 1])
    if "--old-images" in sys.argv:
        PARAMETERS["CleanupImageMinIdleDays"] = "0"
    began = time.perf_counter()
    token_bytes = 0
    with LocalRuntime(measure_memory=True) as runtime:
        runtime.deploy_stack(parameters=PARAMETERS)
        started = time.perf_counter()
        _populate(runtime)
        age = "0 days: every image could be an orphan" if "--old-images" in sys.argv else "30 days"
        say(
            f"cleanup bench: {FAMILIES * REVISIONS} revisions, {IMAGES} images registered in "
            f"{time.perf_counter() - started:.1f} s (images kept for their age: {age})"
        )
        event: dict[str, Any] = {"apply": True, "keep_revisions": KEEP}

        # Planning alone, as the daily dry run does: its time and memory (not counted below).
        tracemalloc.start()
        started = time.perf_counter()
        dry_run = _invoke(runtime, {"apply": False, "keep_revisions": KEEP})
        plan_seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        response = len(json.dumps(dry_run))

        before = _calls(runtime)
        started = time.perf_counter()
        marking = _invoke(runtime, event)
        mark_seconds = time.perf_counter() - started
        mark_calls = _delta(before, _calls(runtime))

        before = _calls(runtime)
        SIMULATED.clear()
        invocations = 0
        result: dict[str, Any] = {"continue_token": None}
        while True:
            invocations += 1
            payload = dict(event)
            if result.get("continue_token") is not None:
                payload["continue"] = result["continue_token"]
                token_bytes = max(token_bytes, len(json.dumps(result["continue_token"])))
            result = _invoke(runtime, payload)
            response = max(response, len(json.dumps(result)))
            if result["complete"] or invocations > 40:
                break
        delete_calls = _delta(before, _calls(runtime))
        simulated = sum(SIMULATED)
    _report(dry_run, plan_seconds, peak, response, marking, mark_seconds, mark_calls)
    _report_deletes(invocations, simulated, mark_calls, delete_calls, token_bytes)
    say(f"  whole bench: {time.perf_counter() - began:.0f} s of real time (shared machine)")


def _report(
    dry_run: dict[str, Any],
    plan_seconds: float,
    peak: int,
    response: int,
    marking: dict[str, Any],
    mark_seconds: float,
    mark_calls: dict[str, int],
) -> None:
    memory = _memory_size()
    say(
        f"  planning (a dry run: collect + plan of {_actions(dry_run)} actions): "
        f"{plan_seconds:.1f} s wall; peak Python allocation {peak / 2**20:.0f} MiB (the function's and "
        f"moto's serving of its calls, in one process: an upper bound) against the CleanupFunction's "
        f"MemorySize of {memory} MiB"
    )
    say(
        f"  largest response {response / 2**20:.1f} MiB (Lambda's limit for a synchronous invocation: "
        f"{LAMBDA_RESPONSE_LIMIT / 2**20:.0f} MiB; a larger plan's report lists its first entries)"
    )
    tag_calls = mark_calls.get("resourcegroupstaggingapi:TagResources", 0)
    say(
        f"  marked {_actions(marking)} in one run of {mark_seconds:.1f} s wall "
        f"(collect + plan + {tag_calls} TagResources, 20 revisions per call)"
    )


def _report_deletes(
    invocations: int,
    simulated: float,
    mark_calls: dict[str, int],
    delete_calls: dict[str, int],
    token_bytes: int,
) -> None:
    orphans = FAMILIES * (REVISIONS - KEEP)
    pages = math.ceil(FAMILIES * REVISIONS / 100) + math.ceil(IMAGES / 100)
    deletes = math.ceil(orphans / 10)
    bound = pages + orphans + deletes
    marks = math.ceil(orphans / 20)
    total = {k: mark_calls.get(k, 0) + delete_calls.get(k, 0) for k in {*mark_calls, *delete_calls}}
    calls = sum(total.values())
    writes = {k: v for k, v in total.items() if not any(r in k for r in READS)}
    say(
        f"  deletes: {invocations} invocations, {simulated / 3600:.2f} h simulated "
        f"({orphans} deregistrations at 1/s, {deletes} DeleteTaskDefinitions); the largest continue "
        f"token {token_bytes / 1024:.1f} KiB"
    )
    say(
        f"  AWS calls, plan + apply: {calls} (writes {sum(writes.values())}); lower bound {bound} "
        f"= {pages} list pages + {orphans} deregistrations + {deletes} deletes: "
        f"ratio {calls / bound:.3f} (goal <= 1.1)"
    )
    floor = bound + marks + pages
    say(
        f"  the bound leaves out what mark-then-delete cannot avoid: {marks} mark calls (TagResources, "
        f"20 revisions each) and a second listing ({pages} pages) after the grace period; against "
        f"that floor ({floor}) the ratio is {calls / floor:.3f}"
    )
    say("  by call: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))


if __name__ == "__main__":
    main()
