"""Step Functions in the local runtime refuses what AWS refuses (local/strict_sfn.py).

Each test is a probe: it fails against moto 5.2.5 as it is, and passes with the runtime's hooks.
State machines are created here, beside a one-function stack whose Lambda returns a result of the
size it is asked for.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fargate_ops_cli.local import strict_sfn
from fargate_ops_cli.local.moto_hooks import history_since
from fargate_ops_cli.local.runtime import LocalRuntime
from fargate_ops_cli.local.sfn_limits import HISTORY_EVENT_LIMIT, PAYLOAD_LIMIT_BYTES

STRICT = Path(__file__).parent / "fixtures" / "strict"
ROLE = "arn:aws:iam::123456789012:role/strict-probe"
_names = itertools.count()


class Probe:
    def __init__(self, runtime: LocalRuntime) -> None:
        self.runtime = runtime
        self.sfn = runtime.clients.client("stepfunctions")
        assert runtime.stack is not None
        self.function = runtime.stack.function_arn("SizedFunction")

    def machine(self, states: dict[str, Any], start: str) -> str:
        definition = {"QueryLanguage": "JSONata", "StartAt": start, "States": states}
        return str(
            self.sfn.create_state_machine(
                name=f"probe-{next(_names)}", definition=json.dumps(definition), roleArn=ROLE
            )["stateMachineArn"]
        )

    def start(self, machine: str, payload: Any = None, name: str | None = None) -> str:
        kwargs: dict[str, Any] = {"stateMachineArn": machine, "input": json.dumps(payload or {})}
        if name is not None:
            kwargs["name"] = name
        return str(self.sfn.start_execution(**kwargs)["executionArn"])

    def run(self, seconds: float = 3600) -> None:
        self.runtime.clock.run_until_idle(self.runtime.clock.now() + seconds)

    def described(self, arn: str) -> dict[str, Any]:
        return dict(self.sfn.describe_execution(executionArn=arn))

    def history(self, arn: str) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = []
        kwargs: dict[str, Any] = {"executionArn": arn, "maxResults": 1000}
        while True:
            page = self.sfn.get_execution_history(**kwargs)
            events += page["events"]
            if not page.get("nextToken"):
                return events
            kwargs["nextToken"] = page["nextToken"]

    def last_token(self) -> str:
        return str(self.runtime.lambdas.invocations[-1].event["token"])

    def invoke(self, payload: dict[str, Any], **state: Any) -> dict[str, Any]:
        return {
            "Type": "Task",
            "Resource": "arn:aws:states:::lambda:invoke",
            "Arguments": {"FunctionName": self.function, "Payload": payload},
            **state,
        }

    def wait_for_token(self, timeout: int, **state: Any) -> dict[str, Any]:
        return {
            **self.invoke({"token": "{% $states.context.Task.Token %}"}, **state),
            "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "TimeoutSeconds": timeout,
        }


@pytest.fixture(scope="module")
def probe() -> Iterator[Probe]:
    # These probes make their own state machines, outside any template: no role policy to check them
    # against (the local IAM check has tests of its own).
    with LocalRuntime(STRICT, enforce_iam=False) as runtime:
        runtime.deploy_stack()
        yield Probe(runtime)


def _code(error: pytest.ExceptionInfo[ClientError]) -> str:
    return str(error.value.response["Error"]["Code"])


DONE = {"Done": {"Type": "Succeed"}}
SURVIVED = {"Survived": {"Type": "Pass", "Output": {"survived": True}, "End": True}}


# -- task tokens -----------------------------------------------------------------------------------------


def test_a_task_token_answers_once_then_is_timed_out(probe: Probe) -> None:
    machine = probe.machine({"Await": probe.wait_for_token(600, End=True)}, "Await")
    execution = probe.start(machine)
    probe.run(10)
    token = probe.last_token()

    probe.sfn.send_task_success(taskToken=token, output='{"answer": 1}')
    for late in (
        lambda: probe.sfn.send_task_success(taskToken=token, output='{"answer": 2}'),
        lambda: probe.sfn.send_task_failure(taskToken=token, error="LateError"),
        lambda: probe.sfn.send_task_heartbeat(taskToken=token),
    ):
        with pytest.raises(ClientError) as refused:
            late()
        assert _code(refused) == "TaskTimedOut"
        assert "does not exist anymore" in str(refused.value)
    probe.run()
    assert json.loads(probe.described(execution)["output"]) == {"answer": 1}


def test_an_answer_after_the_wait_timed_out_is_refused_while_the_execution_runs_on(probe: Probe) -> None:
    caught = [{"ErrorEquals": ["States.Timeout"], "Next": "Linger"}]
    machine = probe.machine(
        {
            "Await": probe.wait_for_token(60, Catch=caught, End=True),
            "Linger": {"Type": "Wait", "Seconds": 3600, "End": True},
        },
        "Await",
    )
    execution = probe.start(machine)
    probe.run(10)
    token = probe.last_token()
    probe.runtime.clock.run_until(probe.runtime.clock.now() + 120)  # past the wait's timeout, into Linger
    assert probe.described(execution)["status"] == "RUNNING"

    with pytest.raises(ClientError) as refused:
        probe.sfn.send_task_success(taskToken=token, output="{}")
    assert _code(refused) == "TaskTimedOut"


def test_a_task_token_output_that_is_not_json_is_refused(probe: Probe) -> None:
    machine = probe.machine({"Await": probe.wait_for_token(600, End=True)}, "Await")
    execution = probe.start(machine)
    probe.run(10)

    with pytest.raises(ClientError) as refused:
        probe.sfn.send_task_success(taskToken=probe.last_token(), output="not json")
    assert _code(refused) == "InvalidOutput"
    assert probe.described(execution)["status"] == "RUNNING"
    probe.sfn.send_task_success(taskToken=probe.last_token(), output="{}")


def test_a_token_that_was_never_issued_is_an_invalid_token(probe: Probe) -> None:
    with pytest.raises(ClientError) as refused:
        probe.sfn.send_task_success(taskToken="not-a-token", output="{}")
    assert _code(refused) == "InvalidToken"


def test_a_task_token_output_over_256_kib_is_refused_and_the_task_keeps_waiting(probe: Probe) -> None:
    machine = probe.machine({"Await": probe.wait_for_token(600, End=True)}, "Await")
    execution = probe.start(machine)
    probe.run(10)
    token = probe.last_token()

    with pytest.raises(ClientError) as refused:
        probe.sfn.send_task_success(taskToken=token, output=json.dumps("x" * PAYLOAD_LIMIT_BYTES))
    assert _code(refused) == "ValidationException"
    assert probe.described(execution)["status"] == "RUNNING"
    probe.sfn.send_task_success(taskToken=token, output='{"small": true}')


# -- payload size ---------------------------------------------------------------------------------------


def _catching(*names: str) -> list[dict[str, Any]]:
    return [{"ErrorEquals": list(names), "Next": "Survived"}]


def test_a_lambda_result_over_256_kib_fails_the_execution_past_a_states_all_catch(probe: Probe) -> None:
    machine = probe.machine(
        {
            "Call": probe.invoke({"bytes": PAYLOAD_LIMIT_BYTES}, Catch=_catching("States.ALL"), End=True),
            **SURVIVED,
        },
        "Call",
    )
    execution = probe.start(machine)
    probe.run()

    described = probe.described(execution)
    assert (described["status"], described.get("error")) == ("FAILED", "States.DataLimitExceeded")
    assert "Survived" not in json.dumps(probe.history(execution), default=str)


def test_only_a_catch_that_names_data_limit_exceeded_catches_it(probe: Probe) -> None:
    catch = [
        {"ErrorEquals": ["States.DataLimitExceeded"], "Next": "Survived"},
        {"ErrorEquals": ["States.ALL"], "Next": "Done"},
    ]
    machine = probe.machine(
        {"Call": probe.invoke({"bytes": PAYLOAD_LIMIT_BYTES}, Catch=catch, End=True), **SURVIVED, **DONE},
        "Call",
    )
    execution = probe.start(machine)
    probe.run()
    assert json.loads(probe.described(execution)["output"]) == {"survived": True}


def test_a_state_input_over_256_kib_after_its_arguments_fails_the_execution(probe: Probe) -> None:
    half = "x" * (PAYLOAD_LIMIT_BYTES // 2)
    machine = probe.machine(
        {
            "Grow": {"Type": "Pass", "Output": {"half": half}, "Next": "Call"},
            "Call": probe.invoke(
                {"a": "{% $states.input.half %}", "b": "{% $states.input.half %}"},
                Catch=_catching("States.ALL"),
                End=True,
            ),
            **SURVIVED,
        },
        "Grow",
    )
    invocations = len(probe.runtime.lambdas.invocations)
    execution = probe.start(machine)
    probe.run()

    assert probe.described(execution).get("error") == "States.DataLimitExceeded"
    assert len(probe.runtime.lambdas.invocations) == invocations  # the Lambda was never called


def test_a_state_output_of_exactly_256_kib_of_utf8_json_passes_and_one_byte_more_fails(probe: Probe) -> None:
    # {"x":"ééé…"} in compact UTF-8: 8 bytes of frame, 2 bytes per é
    fits = {"x": "é" * ((PAYLOAD_LIMIT_BYTES - 8) // 2)}
    over = {"x": "é" * ((PAYLOAD_LIMIT_BYTES - 8) // 2) + "x"}
    outcomes = []
    for output in (fits, over):
        machine = probe.machine({"Emit": {"Type": "Pass", "Output": output, "End": True}}, "Emit")
        execution = probe.start(machine)
        probe.run()
        described = probe.described(execution)
        outcomes.append((described["status"], described.get("error")))
    assert outcomes == [("SUCCEEDED", None), ("FAILED", "States.DataLimitExceeded")]


# -- StartExecution ---------------------------------------------------------------------------------------


def test_an_execution_input_over_256_kib_is_invalid_execution_input(probe: Probe) -> None:
    machine = probe.machine(DONE, "Done")
    with pytest.raises(ClientError) as refused:
        probe.start(machine, {"blob": "x" * PAYLOAD_LIMIT_BYTES})
    assert _code(refused) == "InvalidExecutionInput"


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("x" * 81, "ValidationException"),
        ("has space", "InvalidName"),
        ("a/b", "InvalidName"),
        ("a\tb", "InvalidName"),
    ],
)
def test_execution_names_are_checked_as_aws_checks_them(probe: Probe, name: str, code: str) -> None:
    machine = probe.machine(DONE, "Done")
    with pytest.raises(ClientError) as refused:
        probe.start(machine, name=name)
    assert _code(refused) == code
    assert probe.start(machine, name="x" * 80).endswith(":" + "x" * 80)


def test_unnamed_executions_each_get_a_name_of_their_own(probe: Probe) -> None:
    machine = probe.machine({"Linger": {"Type": "Wait", "Seconds": 60, "End": True}}, "Linger")
    first, second = probe.start(machine), probe.start(machine)

    assert first != second
    names = [probe.described(arn)["name"] for arn in (first, second)]
    assert all(len(name) == 36 and name.count("-") == 4 for name in names)  # UUIDs, as AWS gives


def test_the_same_name_and_input_as_a_running_execution_returns_that_execution(probe: Probe) -> None:
    machine = probe.machine({"Linger": {"Type": "Wait", "Seconds": 60, "End": True}}, "Linger")
    first = probe.sfn.start_execution(stateMachineArn=machine, name="again", input='{"a": 1}')
    probe.runtime.clock.run_until(probe.runtime.clock.now() + 10)
    second = probe.sfn.start_execution(stateMachineArn=machine, name="again", input='{"a": 1}')
    assert (second["executionArn"], second["startDate"]) == (first["executionArn"], first["startDate"])

    with pytest.raises(ClientError) as other_input:
        probe.sfn.start_execution(stateMachineArn=machine, name="again", input='{"a": 2}')
    probe.run()
    with pytest.raises(ClientError) as closed:
        probe.sfn.start_execution(stateMachineArn=machine, name="again", input='{"a": 1}')
    assert _code(other_input) == _code(closed) == "ExecutionAlreadyExists"


# -- history --------------------------------------------------------------------------------------------


def _many_events(probe: Probe, items: int) -> str:
    """8 + 22 x `items` events: a Pass, then a Map whose every item runs ten Pass states.

    (Plain Pass states are the cheapest events moto writes: a JSONata or JSONPath loop costs several
    times as much per event, as each expression is parsed again.)
    """
    chain: dict[str, Any] = {f"P{i}": {"Type": "Pass", "Next": f"P{i + 1}"} for i in range(9)}
    chain["P9"] = {"Type": "Pass", "End": True}
    definition = {
        "StartAt": "Items",
        "States": {
            "Items": {"Type": "Pass", "Next": "Each"},
            "Each": {
                "Type": "Map",
                "ItemsPath": "$.items",
                "MaxConcurrency": 1,
                "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P0", "States": chain},
                "End": True,
            },
        },
    }
    machine = probe.sfn.create_state_machine(
        name=f"probe-{next(_names)}", definition=json.dumps(definition), roleArn=ROLE
    )["stateMachineArn"]
    return probe.start(machine, {"items": list(range(items))})


def _history_of(probe: Probe, execution: str) -> list[dict[str, Any]]:
    return history_since(probe.runtime.clients.account_id, probe.runtime.clients.region, execution, 0)


def test_an_execution_fails_when_its_history_reaches_25000_events(probe: Probe) -> None:
    execution = _many_events(probe, 1137)  # would write 25,022 events
    probe.run()

    history = _history_of(probe, execution)
    assert probe.described(execution)["status"] == "FAILED"
    assert len(history) == HISTORY_EVENT_LIMIT
    assert history[-1]["type"] == "ExecutionFailed"


def test_the_last_event_allowed_may_only_be_the_execution_succeeding(
    probe: Probe, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The rule at the edge, at a smaller limit (the first test pays for 25,000 events once).
    limit = 8 + 22 * 2
    monkeypatch.setattr(strict_sfn, "HISTORY_EVENT_LIMIT", limit)
    fits = _many_events(probe, 2)  # exactly `limit` events, the last one ExecutionSucceeded
    probe.run()
    monkeypatch.setattr(strict_sfn, "HISTORY_EVENT_LIMIT", limit - 1)
    over = _many_events(probe, 2)
    probe.run()

    assert (probe.described(fits)["status"], len(_history_of(probe, fits))) == ("SUCCEEDED", limit)
    history = _history_of(probe, over)
    assert (probe.described(over)["status"], len(history)) == ("FAILED", limit - 1)
    assert history[-1]["type"] == "ExecutionFailed"
