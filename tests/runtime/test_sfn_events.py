"""Step Functions' execution status change events, and StopExecution, as AWS has them
(local/sfn_events.py). Probes: moto 5.2.5 alone emits no event and keeps a stopped execution waiting."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from fargate_ops_cli.local.runtime import LocalRuntime
from tests.runtime.test_strict_sfn import STRICT, Probe

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "events"
    / "aws"
    / "stepfunctions-execution-status-change-failed.json"
)


@pytest.fixture(scope="module")
def probe() -> Iterator[Probe]:
    with LocalRuntime(STRICT, enforce_iam=False) as runtime:
        runtime.deploy_stack()
        yield Probe(runtime)


def _status_changes(probe: Probe, execution: str) -> list[dict[str, Any]]:
    return [
        e
        for e in probe.runtime.bus.events
        if e["detail-type"] == "Step Functions Execution Status Change" and e["resources"] == [execution]
    ]


def test_an_execution_that_fails_puts_one_status_change_event_on_the_bus_in_aws_shape(probe: Probe) -> None:
    machine = probe.machine({"Boom": {"Type": "Fail", "Error": "Broken", "Cause": "on purpose"}}, "Boom")
    execution = probe.start(machine, {"deploy_id": "d1"})
    probe.run(10)

    (event,) = _status_changes(probe, execution)
    sample = json.loads(SAMPLE.read_text())
    assert set(event) == set(sample) and set(event["detail"]) == set(sample["detail"])
    assert event["source"] == "aws.states"
    detail = event["detail"]
    assert (detail["status"], detail["error"], detail["cause"]) == ("FAILED", "Broken", "on purpose")
    assert json.loads(detail["input"]) == {"deploy_id": "d1"} and detail["inputDetails"] == {"included": True}
    assert detail["stopDate"] >= detail["startDate"] and detail["stateMachineArn"] == machine


def test_stop_execution_ends_a_waiting_execution_at_once_as_aborted_with_its_error_and_cause(
    probe: Probe,
) -> None:
    machine = probe.machine({"Await": probe.wait_for_token(3600, End=True)}, "Await")
    execution = probe.start(machine)
    probe.run(10)
    stopped_at = probe.runtime.clock.now()

    probe.sfn.stop_execution(executionArn=execution, error="OperatorStopped", cause="by mistake")
    probe.run(10)

    described = probe.described(execution)
    assert (described["status"], described.get("error"), described.get("cause")) == (
        "ABORTED",
        "OperatorStopped",
        "by mistake",
    )
    assert described["stopDate"].timestamp() < stopped_at + 60  # not after the wait's hour
    (event,) = _status_changes(probe, execution)
    assert event["detail"]["status"] == "ABORTED"
