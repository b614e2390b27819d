"""The deploy state machine's contract with the deploy step function and with AWS."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from fargate_ops import errors
from fargate_ops.deploy import STEPS

ROOT = Path(__file__).resolve().parents[2]
ASL_TEXT = (ROOT / "statemachines" / "deploy.asl.json").read_text()
ASL: dict[str, Any] = json.loads(ASL_TEXT)
STATES: dict[str, dict[str, Any]] = ASL["States"]
LAMBDA_TASKS = {"arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken"}
SUCCESS_PATH = [
    "Plan",
    "AcquireLock",
    "RegisterTaskDefinition",
    "ScaleUpGreen",
    "AwaitGreen",
    "ShiftTraffic",
    "Finalize",
    "ReleaseLock",
    "Notify",
    "WaitRollbackWindow",
    "ScaleDownOld",
    "Succeeded",
]


def _template_substitutions() -> set[str]:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    machine = template["Resources"]["DeployStateMachine"]["Properties"]
    assert machine["DefinitionUri"] == "statemachines/deploy.asl.json"
    return set(machine["DefinitionSubstitutions"])


def _tasks() -> dict[str, dict[str, Any]]:
    return {name: state for name, state in STATES.items() if state["Type"] == "Task"}


def _edges(state: dict[str, Any]) -> list[str]:
    targets = [state["Next"]] if "Next" in state else []
    return targets + [catcher["Next"] for catcher in state.get("Catch", [])]


def test_the_definition_parses_in_the_step_functions_interpreter() -> None:
    from moto.stepfunctions.parser.asl.parse.asl_parser import AmazonStateLanguageParser

    substituted = ASL_TEXT.replace(
        "${DeployStepFunctionArn}", "arn:aws:lambda:us-east-1:123456789012:function:f"
    )

    AmazonStateLanguageParser.parse(substituted)


def test_the_definition_uses_jsonata() -> None:
    assert ASL["QueryLanguage"] == "JSONata"


def test_every_substitution_is_provided_by_the_template() -> None:
    used = set(re.findall(r"\$\{(\w+)\}", ASL_TEXT))

    assert used == _template_substitutions()


def test_every_task_invokes_the_deploy_step_function_with_a_known_step() -> None:
    for name, state in _tasks().items():
        assert state["Resource"] in LAMBDA_TASKS, name
        arguments = state["Arguments"]
        assert arguments["FunctionName"] == "${DeployStepFunctionArn}", name
        assert arguments["Payload"]["step"] in STEPS, name
        assert arguments["Payload"]["deploy"] == "{% $states.input %}", name


def test_every_deploy_step_is_used_by_the_state_machine() -> None:
    used = {state["Arguments"]["Payload"]["step"] for state in _tasks().values()}

    assert used == set(STEPS)


def test_every_custom_error_name_is_an_exception_class_of_the_package() -> None:
    names = {
        error
        for state in STATES.values()
        for rule in state.get("Retry", []) + state.get("Catch", [])
        for error in rule["ErrorEquals"]
        if not error.startswith(("States.", "Lambda."))
    }

    assert names
    for name in names:
        assert issubclass(getattr(errors, name), errors.FargateOpsError), name


def test_every_task_retries_lambda_service_errors_and_throttling_with_backoff() -> None:
    for name, state in _tasks().items():
        retried = {error for rule in state["Retry"] for error in rule["ErrorEquals"]}
        assert {"Lambda.ServiceException", "Lambda.TooManyRequestsException", "ThrottlingError"} <= retried, (
            name
        )
        assert all(rule.get("BackoffRate", 1) > 1 for rule in state["Retry"]), name


def test_the_success_path_runs_in_order() -> None:
    path, current = [], "Plan"
    while current:
        path.append(current)
        current = STATES[current].get("Next")

    assert path == SUCCESS_PATH
    assert STATES["Succeeded"]["Type"] == "Succeed"


def test_there_is_no_loop_anywhere_so_nothing_polls() -> None:
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str) -> None:
        assert name not in visiting, f"cycle through {name}"
        if name in done:
            return
        visiting.add(name)
        for target in _edges(STATES[name]):
            visit(target)
        visiting.discard(name)
        done.add(name)

    visit(ASL["StartAt"])
    assert done == set(STATES), f"unreachable states: {set(STATES) - done}"


def test_another_running_deploy_fails_the_execution_at_once_without_touching_anything() -> None:
    catcher = STATES["AcquireLock"]["Catch"][0]

    assert catcher["ErrorEquals"] == ["LockHeldError"]
    assert STATES[catcher["Next"]]["Type"] == "Fail"
    assert STATES[catcher["Next"]]["Error"] == "LockHeldError"


@pytest.mark.parametrize(
    "name",
    ["AcquireLock", "RegisterTaskDefinition", "ScaleUpGreen", "AwaitGreen", "ShiftTraffic", "Finalize"],
)
def test_any_failure_after_the_lock_rolls_back(name: str) -> None:
    catch_all = [c for c in STATES[name]["Catch"] if c["ErrorEquals"] == ["States.ALL"]]

    assert catch_all and catch_all[0]["Next"] == "Rollback"
    assert "$states.errorOutput" in catch_all[0]["Output"]


def test_the_failure_path_releases_the_lock_notifies_and_fails_with_a_named_error() -> None:
    assert STATES["Rollback"]["Next"] == "ReleaseLockAfterFailure"
    assert STATES["ReleaseLockAfterFailure"]["Next"] == "NotifyFailure"
    fail = STATES[STATES["NotifyFailure"]["Next"]]
    assert fail["Type"] == "Fail"
    assert "DeployRolledBack" in fail["Error"]


def test_green_is_awaited_by_task_token_with_the_readiness_timeout() -> None:
    state = STATES["AwaitGreen"]

    assert state["Resource"].endswith(".waitForTaskToken")
    assert state["Arguments"]["Payload"]["task_token"] == "{% $states.context.Task.Token %}"
    assert state["TimeoutSeconds"] == "{% $states.input.readiness_timeout_seconds %}"


def test_the_rollback_window_is_a_wait_on_the_input() -> None:
    assert STATES["WaitRollbackWindow"]["Seconds"] == "{% $states.input.rollback_window_seconds %}"
