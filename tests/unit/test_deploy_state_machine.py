"""The deploy state machine's contract with the deploy step function and with AWS."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

from fargate_ops.deploy import STEPS
from fargate_ops.domain.analysis import MAX_METRICS_WAIT_SECONDS

ROOT = Path(__file__).resolve().parents[2]
ASL_TEXT = (ROOT / "statemachines" / "deploy.asl.json").read_text()
ASL: dict[str, Any] = json.loads(ASL_TEXT)
STATES: dict[str, dict[str, Any]] = ASL["States"]
LAMBDA_TASKS = {"arn:aws:states:::lambda:invoke", "arn:aws:states:::lambda:invoke.waitForTaskToken"}
# A canary with no gates, hook or adoption, state by state (the same for any bake length).
CANARY_PATH = [
    "Plan",
    "AcquireLease",
    "NeedsGreenSlot",
    "RegisterTaskDefinition",
    "ScaleUpGreen",
    "AwaitGreen",
    "PreTraffic",
    "NextStep",
    "ShiftTraffic",
    "AfterShift",
    "Bake",
    "Analyse",
    "NextStep",
    "ShiftTraffic",
    "AfterShift",
    "Finalize",
    "ReleaseLease",
    "Notify",
    "RollbackWindow",
    "ScaleDownOld",
    "Succeeded",
]
WAITS = {"AwaitGreen", "AwaitStepReady", "AwaitApproval", "Bake", "RollbackWindow"}
VALIDATION_HOOK = "ValidationHook"
METRICS_NOT_READY = "MetricsNotReadyError"


def _template_substitutions() -> set[str]:
    template = yaml_parse((ROOT / "template.yaml").read_text())
    machine = template["Resources"]["DeployStateMachine"]["Properties"]
    assert machine["DefinitionUri"] == "statemachines/deploy.asl.json"
    return set(machine["DefinitionSubstitutions"])


def _tasks() -> dict[str, dict[str, Any]]:
    return {name: state for name, state in STATES.items() if state["Type"] == "Task"}


def _step_tasks() -> dict[str, dict[str, Any]]:
    return {name: state for name, state in _tasks().items() if name != VALIDATION_HOOK}


def _edges(state: dict[str, Any]) -> list[str]:
    targets = [state["Next"]] if "Next" in state else []
    targets += [choice["Next"] for choice in state.get("Choices", [])]
    targets += [state["Default"]] if "Default" in state else []
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
    for name, state in _step_tasks().items():
        assert state["Resource"] in LAMBDA_TASKS, name
        arguments = state["Arguments"]
        assert arguments["FunctionName"] == "${DeployStepFunctionArn}", name
        assert arguments["Payload"]["step"] in STEPS, name
        assert arguments["Payload"]["deploy"] == "{% $states.input %}", name


def test_every_deploy_step_is_used_by_the_state_machine() -> None:
    used = {state["Arguments"]["Payload"]["step"] for state in _step_tasks().values()}

    assert used == set(STEPS)


def test_every_step_of_a_canary_follows_from_the_one_before() -> None:
    for here, there in itertools.pairwise(CANARY_PATH):
        assert there in _edges(STATES[here]), f"{here} -> {there}"
    assert STATES["Succeeded"]["Type"] == "Succeed"


def test_a_canary_takes_at_most_40_state_transitions() -> None:
    assert len(CANARY_PATH) <= 40


def test_the_only_cycles_go_through_shift_traffic_so_nothing_polls() -> None:
    """Steps loop (NextStep -> ShiftTraffic -> ... -> NextStep) once per planned step; no cycle avoids
    ShiftTraffic (which moves to the next step or waits once for green), and there is no Wait state."""
    assert not [name for name, state in STATES.items() if state["Type"] == "Wait"]
    visiting: set[str] = set()
    done: set[str] = set()

    def visit(name: str) -> None:
        assert name not in visiting, f"a cycle through {name} that avoids ShiftTraffic"
        if name in done or name == "ShiftTraffic":
            return
        visiting.add(name)
        for target in _edges(STATES[name]):
            visit(target)
        visiting.discard(name)
        done.add(name)

    visit(ASL["StartAt"])
    for target in _edges(STATES["ShiftTraffic"]):
        visit(target)
    assert done | {"ShiftTraffic"} == set(STATES), f"unreachable states: {set(STATES) - done}"


def test_another_running_deploy_fails_the_execution_at_once_without_touching_anything() -> None:
    for name in ("Plan", "AcquireLease"):
        catcher = STATES[name]["Catch"][0]

        assert catcher["ErrorEquals"] == ["LeaseHeldError"]
        assert STATES[catcher["Next"]]["Type"] == "Fail"
        assert STATES[catcher["Next"]]["Error"] == "LeaseHeldError"


@pytest.mark.parametrize(
    "name",
    [
        "AcquireLease",
        "CreateGreenSlot",
        "RegisterTaskDefinition",
        "ScaleUpGreen",
        "AwaitGreen",
        "RouteTestTraffic",
        "ValidationHook",
        "AwaitApproval",
        "ShiftTraffic",
        "AwaitStepReady",
        "Bake",
        "Analyse",
        "Finalize",
    ],
)
def test_any_failure_after_the_lease_rolls_back_naming_the_state(name: str) -> None:
    catch_all = [c for c in STATES[name]["Catch"] if c["ErrorEquals"] == ["States.ALL"]]

    assert catch_all and catch_all[0]["Next"] == "Rollback"
    assert "$states.errorOutput" in catch_all[0]["Output"]
    assert "$states.context.State.Name" in catch_all[0]["Output"]


def test_the_failure_path_releases_the_lease_notifies_and_fails_with_a_named_error() -> None:
    assert STATES["Rollback"]["Next"] == "ReleaseLeaseAfterFailure"
    assert STATES["ReleaseLeaseAfterFailure"]["Next"] == "NotifyFailure"
    fail = STATES[STATES["NotifyFailure"]["Next"]]
    assert fail["Type"] == "Fail"
    assert "DeployRolledBack" in fail["Error"]


def test_every_wait_is_a_task_token_wait_with_its_timeout() -> None:
    timeouts = {
        "AwaitGreen": "readiness_timeout_seconds",
        "AwaitStepReady": "readiness_timeout_seconds",
        "AwaitApproval": "approval_timeout_seconds",
        "Bake": "bake_seconds",
        "RollbackWindow": "rollback_window_seconds",
    }
    for name, field in timeouts.items():
        state = STATES[name]
        assert state["Resource"].endswith(".waitForTaskToken"), name
        assert state["Arguments"]["Payload"]["task_token"] == "{% $states.context.Task.Token %}", name
        assert field in state["TimeoutSeconds"], name


def test_a_bake_that_times_out_is_analysed_not_rolled_back() -> None:
    first = STATES["Bake"]["Catch"][0]

    assert first["ErrorEquals"] == ["States.Timeout"] and first["Next"] == "Analyse"
    assert "'timeout'" in first["Output"]


def test_a_manual_rollback_ends_the_execution_as_rolled_back() -> None:
    assert STATES["WindowAction"]["Choices"][0]["Next"] == "ManualRollback"
    assert STATES["ManualRollback"]["Next"] == "NotifyFailure"
    assert {c["Next"] for c in STATES["RollbackWindow"]["Catch"]} == {"ScaleDownOld"}


def _metrics_retry() -> dict[str, Any]:
    rules = [r for r in STATES["Analyse"]["Retry"] if METRICS_NOT_READY in r["ErrorEquals"]]
    assert len(rules) == 1 and rules[0]["ErrorEquals"] == [METRICS_NOT_READY]
    return rules[0]


def test_only_the_analysis_waits_for_metrics() -> None:
    others = [
        name
        for name, state in _tasks().items()
        for rule in state.get("Retry", [])
        if METRICS_NOT_READY in rule["ErrorEquals"] and name != "Analyse"
    ]

    assert not others


def test_the_analysis_asks_cloudwatch_again_every_minute_a_bounded_number_of_times() -> None:
    rule = _metrics_retry()
    retriers = STATES["Analyse"]["Retry"]

    assert (rule["IntervalSeconds"], rule["BackoffRate"]) == (60, 1)  # fixed: datapoints come per minute
    # The step decides (inconclusive, per the deploy's policy) by its last wait: attempts outlast it.
    assert rule["MaxAttempts"] * rule["IntervalSeconds"] >= MAX_METRICS_WAIT_SECONDS + rule["IntervalSeconds"]
    assert rule["MaxAttempts"] <= 10
    assert retriers.index(rule) == 0  # before the policy's retriers


def test_the_analysis_knows_when_its_state_was_first_entered() -> None:
    payload = STATES["Analyse"]["Arguments"]["Payload"]

    assert payload["state_entered_at"] == "{% $states.context.State.EnteredTime %}"


def test_an_inconclusive_analysis_that_pauses_goes_to_the_approval_gate() -> None:
    condition = STATES["NextStep"]["Choices"][0]

    assert condition["Next"] == "AwaitApproval" and "$exists($states.input.pause)" in condition["Condition"]


def test_an_inconclusive_analysis_that_fails_is_a_decision_not_retried() -> None:
    retried = {error for rule in STATES["Analyse"]["Retry"] for error in rule["ErrorEquals"]}

    assert "AnalysisInconclusiveError" not in retried and "States.ALL" not in retried
