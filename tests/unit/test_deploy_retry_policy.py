"""The deploy state machine retries by allowlist, and the allowlist is named once (lint/retry_policy.py):
every Retry in the ASL is the policy's for its kind of state, every error name is the package's or AWS's."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from fargate_ops import errors
from fargate_ops.domain import deploy_duration as decisions
from lint import retry_policy

ASL: dict[str, Any] = json.loads(
    (Path(__file__).resolve().parents[2] / "statemachines" / "deploy.asl.json").read_text()
)
STATES = ASL["States"]
DECISIONS = ("DeployAbortedError", "AlarmFiringError", "GreenCrashLoopError", "AnalysisFailedError")


def _retried(name: str) -> set[str]:
    return {error for rule in STATES[name]["Retry"] for error in rule["ErrorEquals"]}


def test_every_retry_of_the_state_machine_is_the_policys_for_its_kind_of_state() -> None:
    assert retry_policy.check(ASL) == []


def test_removing_a_name_from_one_retry_is_found() -> None:
    broken = copy.deepcopy(ASL)
    broken["States"]["ShiftTraffic"]["Retry"][0]["ErrorEquals"].remove(
        "Lambda.ClientExecutionTimeoutException"
    )

    problems = retry_policy.check(broken)

    assert len(problems) == 1 and problems[0].startswith("ShiftTraffic (step)")


def test_a_changed_budget_or_an_extra_retrier_is_found() -> None:
    broken = copy.deepcopy(ASL)
    broken["States"]["Rollback"]["Retry"][0]["MaxAttempts"] = 3
    broken["States"]["Bake"]["Retry"].append({"ErrorEquals": ["States.ALL"], "MaxAttempts": 2})

    assert [p.split(" ", 1)[0] for p in retry_policy.check(broken)] == ["Bake", "Rollback"]


def test_an_error_name_that_is_neither_the_packages_nor_aws_is_found() -> None:
    broken = copy.deepcopy(ASL)
    broken["States"]["Bake"]["Catch"][0]["ErrorEquals"] = ["States.Timeuot"]
    broken["States"]["Plan"]["Catch"][0]["ErrorEquals"] = ["LeaseHeldErorr"]

    assert len(retry_policy.unknown_error_names(broken)) == 2


def test_the_allowlist_holds_lambdas_service_errors_and_the_packages_transient_class() -> None:
    allowlist = retry_policy.retryable()

    assert "Lambda.ClientExecutionTimeoutException" in allowlist
    assert {"TransientError", "ThrottlingError"} <= set(allowlist)
    for name in allowlist:
        cls = getattr(errors, name, None)
        assert name.startswith("Lambda.") or issubclass(cls, errors.TransientError), name  # type: ignore[arg-type]


@pytest.mark.parametrize("name", [n for n, s in STATES.items() if s["Type"] == "Task"])
def test_no_task_retries_a_decision_or_everything(name: str) -> None:
    retried = _retried(name)

    assert not retried & {*DECISIONS, "States.ALL", "DeployInputError", "LeaseHeldError"}, name
    assert {"Lambda.ServiceException", "Lambda.ClientExecutionTimeoutException"} <= retried, name


def test_the_validation_hook_retries_lambdas_service_errors_only() -> None:
    assert _retried("ValidationHook") == set(retry_policy.LAMBDA_SERVICE_ERRORS)


def test_rollback_retries_for_longer_than_a_short_lambda_outage() -> None:
    (rule,) = STATES["Rollback"]["Retry"]
    delays = [
        min(rule["IntervalSeconds"] * rule["BackoffRate"] ** n, rule["MaxDelaySeconds"])
        for n in range(rule["MaxAttempts"])
    ]

    assert rule["JitterStrategy"] == "FULL"  # many deploys hit by one outage do not retry in step
    assert sum(delays) / 2 >= 15 * 60  # full jitter: half the capped back-off on average
    assert sum(delays) <= 60 * 60


def test_the_lease_outlasts_the_rollbacks_longest_retry_budget() -> None:
    (rule,) = STATES["Rollback"]["Retry"]
    longest = sum(
        min(rule["IntervalSeconds"] * rule["BackoffRate"] ** n, rule["MaxDelaySeconds"])
        for n in range(rule["MaxAttempts"])
    )

    assert longest <= decisions.ROLLBACK_RETRY_SECONDS
    assert decisions.LEASE_MARGIN_SECONDS > decisions.ROLLBACK_RETRY_SECONDS


def test_the_write_mode_restores_a_broken_copy(tmp_path: Path) -> None:
    broken = copy.deepcopy(ASL)
    broken["States"]["Finalize"]["Retry"] = []
    path = tmp_path / "deploy.asl.json"
    path.write_text(json.dumps(broken, indent=2) + "\n")

    retry_policy.write(path)

    assert json.loads(path.read_text()) == ASL
