"""With a scenario's `concurrency: {parallel_deliveries: true}`, EventBridge deliveries due at one instant
are concurrent Lambda invocations, as EventBridge makes them in AWS.

Each probe makes two invocations meet (tests/runtime/meeting.py): each waits, in real time, for the
other to be running. One at a time (the runtime without the switch, or before it existed), the first
waits out the meeting's timeout and fails.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fargate_ops_cli.local.concurrency import ConcurrencySpec
from fargate_ops_cli.local.runtime import LocalRuntime
from tests.runtime import meeting

PARALLEL = Path(__file__).parent / "fixtures" / "parallel"


class Run:
    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        self.answers: list[dict[str, Any]] = []
        runtime.lambdas.on_result = lambda function, event, result: self.answers.append(result)

    def by_name(self) -> dict[str, dict[str, Any]]:
        assert [i.error for i in self.runtime.lambdas.invocations if not i.ok] == []
        return {a["name"]: a for a in self.answers}

    def logs_of(self, name: str) -> str:
        (log,) = [entry for entry in self.runtime.lambdas.log if f"{name} arrives" in entry]
        return log


@pytest.fixture
def run() -> Iterator[Run]:
    spec = ConcurrencySpec(parallel_deliveries=True, seed=1)
    with LocalRuntime(PARALLEL, concurrency=spec) as runtime:
        runtime.deploy_stack()
        meeting.arm(2, lambda: runtime.lambdas.running)
        yield Run(runtime)


def meet_by_events(run: Run) -> float:
    clock = run.runtime.clock
    began = clock.now()
    clock.call_later(1, lambda: None, "a timer one second on: time must not reach it meanwhile")
    run.runtime.bus.emit("probe.alpha", "Meet", {}, [])
    run.runtime.bus.emit("probe.beta", "Meet", {}, [])
    clock.run_until_idle(began + 60)
    return began


def test_deliveries_due_at_one_instant_run_as_concurrent_invocations(run: Run) -> None:
    began = meet_by_events(run)

    answers = run.by_name()
    assert set(answers) == {"alpha", "beta"}
    assert meeting.running_when_met == [2]  # the host counts both as running
    assert run.runtime.lambdas.peak_running == 2
    # the clock did not jump while they ran, though a timer was due one second on
    assert {a["began"] for a in answers.values()} == {a["answered"] for a in answers.values()} == {began}


def test_concurrent_invocations_each_see_their_own_functions_environment(run: Run) -> None:
    meet_by_events(run)

    answers = run.by_name()
    assert answers["alpha"]["name_after_meeting"] == "alpha"
    assert answers["beta"]["name_after_meeting"] == "beta"


def test_concurrent_invocations_each_capture_their_own_logs_and_metrics(run: Run) -> None:
    meet_by_events(run)

    alpha, beta = run.logs_of("alpha"), run.logs_of("beta")
    assert "beta arrives" not in alpha and "alpha arrives" not in beta
    metrics = {
        name: [json.loads(line) for line in log.splitlines() if '"_aws"' in line]
        for name, log in (("alpha", alpha), ("beta", beta))
    }
    assert [sorted(m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0].values()) for m in metrics["alpha"]] == [
        ["Count", "MetAlpha"]
    ]
    assert [sorted(m["_aws"]["CloudWatchMetrics"][0]["Metrics"][0].values()) for m in metrics["beta"]] == [
        ["Count", "MetBeta"]
    ]


def test_a_state_machines_lambda_invoke_overlaps_an_event_delivery(run: Run) -> None:
    runtime = run.runtime
    execution = runtime.start_execution("MeetStateMachine", {})
    runtime.bus.emit("probe.beta", "Meet", {}, [])
    runtime.clock.run_until_idle(runtime.clock.now() + 60)

    assert set(run.by_name()) == {"alpha", "beta"}
    assert runtime.execution(execution).status == "SUCCEEDED"


def test_without_the_switch_deliveries_run_one_at_a_time() -> None:
    with LocalRuntime(PARALLEL) as runtime:
        runtime.deploy_stack()
        meeting.arm(2, lambda: runtime.lambdas.running, timeout=0.2)
        runtime.bus.emit("probe.alpha", "Meet", {}, [])
        runtime.bus.emit("probe.beta", "Meet", {}, [])
        runtime.clock.run_until_idle(runtime.clock.now() + 30)  # before Lambda's first retry

        assert runtime.lambdas.peak_running == 1
        assert [i.ok for i in runtime.lambdas.invocations] == [False, False]  # nobody to meet
