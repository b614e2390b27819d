"""The runtime deploys a SAM template into moto and runs its state machine on the virtual clock."""

from pathlib import Path
from typing import Any

import pytest

from fargate_ops_cli.local.runtime import LocalRuntime

TOY = Path(__file__).parent / "fixtures" / "toy"


@pytest.fixture(scope="module")
def finished() -> dict[str, object]:
    with LocalRuntime(TOY) as runtime:
        runtime.deploy_stack()
        started = runtime.clock.now()
        arn = runtime.start_execution("ToyStateMachine", {"name": 'quote " inside'})
        runtime.clock.run_until_idle(started + 100_000)
        summary = runtime.execution(arn)
        elapsed = runtime.clock.now() - started
        runtime.bus.emit("toy.test", "Ping", {"n": 1}, [])
        runtime.bus.emit("toy.test", "Other", {"n": 2}, [])
        runtime.clock.run_until_idle(runtime.clock.now() + 60)
        return {
            "summary": summary,
            "elapsed": elapsed,
            "invocations": list(runtime.lambdas.invocations),
            "calls": runtime.api_calls(),
        }


def test_a_wait_and_a_task_token_timeout_take_exactly_their_virtual_time(finished: dict[str, Any]) -> None:
    summary = finished["summary"]
    assert summary.status == "SUCCEEDED"
    assert summary.output == {"timedOut": True}
    assert finished["elapsed"] == 600 + 3600


def test_the_state_machine_called_the_real_handler_with_its_own_environment(finished: dict[str, Any]) -> None:
    first = finished["invocations"][0]
    assert first.ok
    assert first.event == {"name": 'quote " inside', "quote": 'say "hi"'}


def test_state_transitions_are_counted_from_the_execution_history(finished: dict[str, Any]) -> None:
    assert finished["summary"].state_transitions == 4  # Bake, Echo, AwaitToken, TimedOut


def test_events_reach_lambda_only_through_a_matching_rule(finished: dict[str, Any]) -> None:
    bus_invocations = [
        i for i in finished["invocations"] if isinstance(i.event, dict) and "detail-type" in i.event
    ]
    assert [i.event["detail-type"] for i in bus_invocations] == ["Ping"]


def test_the_application_api_calls_are_counted(finished: dict[str, Any]) -> None:
    assert finished["calls"]["stepfunctions:StartExecution"] == 1
    assert finished["calls"]["lambda:Invoke"] == 2
