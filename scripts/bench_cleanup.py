"""`make bench`, cleanup: 10,000 revisions across 100 families and 5,000 images in the local runtime.

Deploys the real template into moto, registers 100 revisions of each of 100 families (no service uses
them: the newest 5 of each stay), pushes 5,000 images into 10 repositories, then runs the real
CleanupFunction as it runs in AWS: one apply marks, and (grace 0 for the bench) the next applies delete,
each invocation stopping before its 15 minutes are up and the next going on with its continue token.

Prints the AWS calls of plan + apply as a ratio to a lower bound (list pages of 100, one deregistration
per revision, one DeleteTaskDefinitions per 10; goal <= 1.1), the planning time and memory of one
plan, and the simulated time the deletes take under the deregistration bucket (1 per second here).
moto answers ListTaskDefinitions in one page whatever maxResults says, so the list calls counted here
are fewer than AWS's; the bound counts AWS's pages.

The images are pushed just before the cleanup, so each is kept for its age (`CleanupImageMinIdleDays`,
30) whatever the revisions use, and no revision is described. `--old-images` sets that age to 0: every
image could then be an orphan, and every revision that stays is described (one DescribeTaskDefinition
each, the mark run and every delete run: the cost of judging images against 10,000 revisions).
"""

from __future__ import annotations

import json
import math
import sys
import time
import tracemalloc
from typing import Any

from fargate_ops_cli.local import clock as local_clock
from fargate_ops_cli.local.cleanup_steps import invoke_cleanup
from fargate_ops_cli.local.clients import as_world
from fargate_ops_cli.local.runtime import LocalRuntime

FAMILIES, REVISIONS, REPOSITORIES, IMAGES = 100, 100, 10, 5000
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
    with as_world():
        ecs = runtime.clients.client("ecs")
        ecr = runtime.clients.client("ecr")
        for family in range(FAMILIES):
            for revision in range(REVISIONS):
                ecs.register_task_definition(
                    family=f"job-{family:03d}",
                    containerDefinitions=[{"name": "job", "image": f"job:{revision}", "memory": 128}],
                )
        for repository in range(REPOSITORIES):
            name = f"repo-{repository}"
            ecr.create_repository(repositoryName=name)
            for n in range(IMAGES // REPOSITORIES):
                manifest = {
                    "schemaVersion": 2,
                    "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
                    "config": {"digest": f"sha256:{repository:032x}{n:032x}", "size": n, "mediaType": "x"},
                    "layers": [],
                }
                ecr.put_image(repositoryName=name, imageManifest=json.dumps(manifest), imageTag=f"v{n}")


def _calls(runtime: LocalRuntime) -> dict[str, int]:
    return {k: v for k, v in runtime.api_calls().items() if k not in ("lambda:Invoke",)}


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

        before = _calls(runtime)
        tracemalloc.start()
        started = time.perf_counter()
        marking = _invoke(runtime, event)
        mark_seconds = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
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
            result = _invoke(runtime, payload)
            if result["complete"] or invocations > 40:
                break
        delete_calls = _delta(before, _calls(runtime))
        simulated = sum(SIMULATED)

    orphans = FAMILIES * (REVISIONS - KEEP)
    pages = math.ceil(FAMILIES * REVISIONS / 100) + math.ceil(IMAGES / 100)
    bound = pages + orphans + math.ceil(orphans / 10)
    total = {k: mark_calls.get(k, 0) + delete_calls.get(k, 0) for k in {*mark_calls, *delete_calls}}
    calls = sum(total.values())
    writes = {k: v for k, v in total.items() if not any(r in k for r in READS)}
    say(
        f"  marked {len(marking['plan']['actions'])} in one run of {mark_seconds:.1f} s wall "
        f"(collect + plan + {mark_calls.get('resourcegroupstaggingapi:TagResources', 0)} TagResources)"
    )
    say(f"  planning memory (peak Python allocation, mark run): {peak / 2**20:.0f} MiB")
    say(
        f"  deletes: {invocations} invocations, {simulated / 3600:.2f} h simulated "
        f"({orphans} deregistrations at 1/s, {math.ceil(orphans / 10)} DeleteTaskDefinitions)"
    )
    say(
        f"  AWS calls, plan + apply: {calls} (writes {sum(writes.values())}); lower bound {bound} "
        f"= {pages} list pages + {orphans} deregistrations + {math.ceil(orphans / 10)} deletes: "
        f"ratio {calls / bound:.2f} (goal <= 1.1)"
    )
    say("  by call: " + ", ".join(f"{k} {v}" for k, v in sorted(total.items())))


if __name__ == "__main__":
    main()
