"""`make bench`, scheduled scaling: 1,000 opted-in services in the local runtime.

Deploys the real template into moto, creates one cluster of 1,000 services (one desired task each) that
opt in to a Tokyo office-hours schedule (2 tasks 09:00-18:00, 1 otherwise), then runs the real
ScalingFunction as AWS runs it:

1. a **steady run** (08:30, every service already holds what the schedule wants): its AWS calls as a
   ratio to the lower bound (goal <= 1.2), its wall time and its peak memory against the function's
   MemorySize;
2. the **edge at 09:00**: the one-time schedule the reconciler keeps fires, and all 1,000 services change
   (for the first time: each saves what it had). Its calls against the lower bound plus one write per
   service that changes (what it calls beyond that is listed), and the edge lag: from
   the edge to the last change landing = when the schedule fired after the edge (virtual clock) + the
   run's wall time here (goal <= 60 s).

The lower bound of a run over N services of one cluster: the schedules (1 Query), ListClusters (1),
ListServices (N/100 pages), DescribeServices (N/10), DescribeScalableTargets (N/50), the services' state
(N/100: BatchGetItem's size), and for a changing run one write per service that changes. moto answers
ListServices in one page whatever the page size; AWS's N/100 pages are counted instead.
"""

from __future__ import annotations

import math
import sys
import time
from datetime import UTC, datetime
from typing import Any

from fargate_ops_cli.local import clock as local_clock
from fargate_ops_cli.local.clients import as_world
from fargate_ops_cli.local.runtime import LocalRuntime

SERVICES = 1000
CLUSTER = "fleet"
TAG = "fargate-ops:schedule"
START = datetime(2026, 11, 24, 8, 30, tzinfo=UTC).timestamp() - 9 * 3600  # Tuesday 08:30 in Tokyo
EDGE = START + 30 * 60  # 09:00 in Tokyo
SCHEDULE = {
    "name": "office",
    "timezone": "Asia/Tokyo",
    "periods": [
        {"name": "office-hours", "begin": "09:00", "end": "18:00", "weekdays": "mon-fri", "desired": 2}
    ],
    "default": {"desired": 1},
}


def say(text: str) -> None:
    print(text, flush=True)


def _populate(runtime: LocalRuntime) -> None:
    from fargate_ops.aws.store_scaling import ScalingStore

    assert runtime.stack is not None
    with as_world():
        ecs = runtime.clients.client("ecs")
        ecs.create_cluster(clusterName=CLUSTER)
        ecs.register_task_definition(
            family="api", containerDefinitions=[{"name": "app", "image": "api:v1", "memory": 512}]
        )
        for n in range(SERVICES):
            ecs.create_service(
                cluster=CLUSTER,
                serviceName=f"api-{n:04d}",
                taskDefinition="api",
                desiredCount=1,
                tags=[{"key": TAG, "value": "office"}],
            )
        table = runtime.stack.outputs["OpsTableName"]
        ScalingStore(runtime.clients.client("dynamodb"), table).put_schedule(
            SCHEDULE, at="2026-11-23T00:00:00Z", create=True
        )


def _calls(runtime: LocalRuntime) -> dict[str, int]:
    return {k: v for k, v in runtime.api_calls().items() if k != "lambda:Invoke"}


def _delta(before: dict[str, int], after: dict[str, int]) -> dict[str, int]:
    return {k: v - before.get(k, 0) for k, v in after.items() if v != before.get(k, 0)}


def _as_in_aws(calls: dict[str, int]) -> dict[str, int]:
    counted = dict(calls)
    counted["ecs:ListServices"] = max(counted.get("ecs:ListServices", 0), math.ceil(SERVICES / 100))
    return counted


# What a run calls that the lower bound does not count: the changes' records (item writes), status tags,
# events, and the edge schedule (the writes themselves, UpdateService / RegisterScalableTarget, are in it).
BEYOND_THE_BOUND = (
    "dynamodb:BatchWriteItem",
    "dynamodb:PutItem",
    "events:PutEvents",
    "resourcegroupstaggingapi:TagResources",
    "ecs:TagResource",
    "scheduler:UpdateSchedule",
    "scheduler:CreateSchedule",
)


def _bound(changes: int) -> int:
    return 2 + math.ceil(SERVICES / 100) * 2 + math.ceil(SERVICES / 10) + math.ceil(SERVICES / 50) + changes


def _ratio(what: str, calls: dict[str, int], changes: int) -> None:
    counted = _as_in_aws(calls)
    total, bound = sum(counted.values()), _bound(changes)
    say(f"  {what}: {total} AWS calls, lower bound {bound}: ratio {total / bound:.3f} (goal <= 1.2)")
    say("    by call: " + ", ".join(f"{k} {v}" for k, v in sorted(counted.items())))
    beyond = {k: v for k, v in sorted(counted.items()) if k in BEYOND_THE_BOUND}
    if beyond:
        say("    beyond the bound: " + ", ".join(f"{k} {v}" for k, v in beyond.items()))


def main() -> None:
    global SERVICES
    if "--services" in sys.argv:  # a smaller fleet, for a quick look on a busy machine
        SERVICES = int(sys.argv[sys.argv.index("--services") + 1])
    local_clock.STUCK_AFTER_REAL_SECONDS = 3600.0  # a run over 1,000 services takes its time here
    with LocalRuntime(start=START, measure_memory=True) as runtime:
        stack = runtime.deploy_stack(parameters={"ScalingIntervalMinutes": "60"})
        started = time.perf_counter()
        _populate(runtime)
        say(f"scaling bench: {SERVICES} opted-in services created in {time.perf_counter() - started:.1f} s")

        runtime.invoke("ScalingFunction", {"source": "bench"})  # the first run: arms the edge
        before = _calls(runtime)
        started = time.perf_counter()
        steady: Any = runtime.invoke("ScalingFunction", {"source": "bench"})
        steady_seconds = time.perf_counter() - started
        steady_calls = _delta(before, _calls(runtime))
        assert not steady["actions"], steady["actions"][:3]

        before = _calls(runtime)
        fired: list[float] = []
        previous = runtime.lambdas.on_result

        def on_result(function: str, event: Any, result: Any) -> None:
            if previous is not None:
                previous(function, event, result)
            if isinstance(event, dict) and event.get("source") == "edge":
                fired.append(runtime.clock.now())

        runtime.lambdas.on_result = on_result
        runtime.clock.run_until(EDGE + 30)
        edge_calls = _delta(before, _calls(runtime))
        edge_runs = [i for i in runtime.lambdas.invocations if i.function.endswith("-scaling")][-1:]
        with as_world():
            memory = runtime.clients.client("lambda").get_function_configuration(
                FunctionName=stack.function_arn("ScalingFunction")
            )["MemorySize"]

    changed = edge_calls.get("ecs:UpdateService", 0)
    say(f"  steady run (08:30): {steady['services']} services, none to change, {steady_seconds:.1f} s wall")
    _ratio("steady run", steady_calls, 0)
    run = edge_runs[0] if edge_runs else None
    seconds = run.real_seconds if run else float("nan")
    say(f"  edge run (09:00): {changed} services changed, {seconds:.1f} s wall")
    _ratio("edge run", edge_calls, changed)
    peak = max((i.peak_bytes or 0) for i in runtime.lambdas.invocations if i.function.endswith("-scaling"))
    say(f"  memory: peak Python allocation of a run {peak / 2**20:.0f} MiB (MemorySize {memory} MiB)")
    late = (fired[0] - EDGE) if fired else float("nan")
    say(
        f"  edge lag: the edge schedule fired {late:.0f} s after 09:00 (virtual clock), the run took "
        f"{seconds:.1f} s: the last change landed {late + seconds:.1f} s after the edge (goal <= 60 s)"
    )


if __name__ == "__main__":
    main()
