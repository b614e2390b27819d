"""The deploy state machine's retry policy, named once: which errors each kind of Task state retries.

ASL has no anchors, so the policy lives here and the ASL carries a copy of it in every Task state.
`check` finds every copy that differs (a name removed from one Retry, a budget changed, a retrier
added) and every ErrorEquals name that is neither an exception class of the package nor a name AWS
documents; `write` rewrites every Retry from the policy:

    python -m lint.retry_policy            # exits 1 and lists the differences
    python -m lint.retry_policy --write    # rewrites statemachines/deploy.asl.json's Retry blocks

Retry by allowlist: a Task retries only Lambda's service errors and the package's transient class
(`TransientError` and its subclasses, raised by the adapters for throttling and 5xx answers). Every
other error, a decision (`DeployAbortedError`, `AlarmFiringError`...) or a bug, goes straight to the
state's Catch: a new decision error needs no edit here.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from fargate_ops import errors

ASL = Path(__file__).resolve().parents[1] / "statemachines" / "deploy.asl.json"
DEPLOY_STEP_FUNCTION = "${DeployStepFunctionArn}"

# What the Lambda integration raises when the Invoke call itself fails (not the function): the
# Step Functions developer guide's "Handling Lambda service exceptions" list, each a transient fault of
# the Lambda service or its client.
LAMBDA_SERVICE_ERRORS = (
    "Lambda.ClientExecutionTimeoutException",
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
# Step Functions' own error names (the ASL specification and the developer guide's "Error names").
STATES_ERRORS = frozenset(
    {
        "States.ALL",
        "States.DataLimitExceeded",
        "States.ExceedToleratedFailureThreshold",
        "States.HeartbeatTimeout",
        "States.Http.Socket",
        "States.IntrinsicFailure",
        "States.ItemReaderFailed",
        "States.NoChoiceMatched",
        "States.ParameterPathFailure",
        "States.Permissions",
        "States.QueryEvaluationError",
        "States.ResultPathMatchFailure",
        "States.ResultWriterFailed",
        "States.Runtime",
        "States.TaskFailed",
        "States.Timeout",
    }
)
DOCUMENTED_AWS_ERRORS = STATES_ERRORS | set(LAMBDA_SERVICE_ERRORS) | {"Lambda.Unknown"}


def transient_errors() -> list[str]:
    """The package's transient class: `TransientError` and every subclass, by class name (Lambda
    reports the raised class's own name, so a subclass must be named too)."""
    found, todo = [], [errors.TransientError]
    while todo:
        cls = todo.pop()
        found.append(cls.__name__)
        todo.extend(cls.__subclasses__())
    return sorted(found)


def retryable() -> list[str]:
    """The one allowlist of a deploy step's retryable errors."""
    return [*LAMBDA_SERVICE_ERRORS, *transient_errors()]


STEP, WAIT, HOOK, COMPENSATION = "step", "wait", "hook", "compensation"
COMPENSATIONS = frozenset({"Rollback"})


def retriers(kind: str) -> list[dict[str, Any]]:
    """The Retry block of a Task state of this kind."""
    if kind == HOOK:  # the hook is the deploy's own code: its errors are its verdict, not ours to retry
        return [
            {
                "ErrorEquals": list(LAMBDA_SERVICE_ERRORS),
                "IntervalSeconds": 2,
                "MaxAttempts": 3,
                "BackoffRate": 2,
                "Comment": "Lambda service errors only: what the hook raises is its verdict.",
            }
        ]
    if kind == COMPENSATION:
        # About 20 minutes of attempts on average (full jitter; at most 43): outlasts a throttling storm
        # and a short Lambda outage. Jitter spreads the rollbacks of many deploys hit by one outage.
        return [
            {
                "ErrorEquals": retryable(),
                "IntervalSeconds": 5,
                "MaxAttempts": 25,
                "BackoffRate": 2,
                "MaxDelaySeconds": 120,
                "JitterStrategy": "FULL",
                "Comment": (
                    "Compensation does not give up early: Lambda service errors and transient AWS"
                    " errors, for about 20 minutes."
                ),
            }
        ]
    return [
        {
            "ErrorEquals": retryable(),
            "IntervalSeconds": 2,
            "MaxAttempts": 6,
            "BackoffRate": 2,
            "MaxDelaySeconds": 60,
            "Comment": (
                "Lambda service errors and transient AWS errors (throttling, 5xx): back off and retry."
                " Anything else is a decision or a bug: the Catch."
            ),
        }
    ]


# Decisions that are retried on purpose, state by state, before the policy's retriers.
DECISION_RETRIES: dict[str, list[dict[str, Any]]] = {
    "Analyse": [
        {
            "ErrorEquals": ["MetricsNotReadyError"],
            "IntervalSeconds": 60,
            "MaxAttempts": 10,
            "BackoffRate": 1,
            "Comment": (
                "CloudWatch has not ingested the bake's minutes yet: ask again every minute, a"
                " bounded number of times."
            ),
        }
    ]
}


def kind_of(name: str, state: dict[str, Any]) -> str:
    if state.get("Arguments", {}).get("FunctionName") != DEPLOY_STEP_FUNCTION:
        return HOOK
    if name in COMPENSATIONS:
        return COMPENSATION
    return WAIT if str(state.get("Resource", "")).endswith(".waitForTaskToken") else STEP


def expected_retry(name: str, state: dict[str, Any]) -> list[dict[str, Any]]:
    return [*DECISION_RETRIES.get(name, []), *retriers(kind_of(name, state))]


def _tasks(asl: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {name: state for name, state in asl["States"].items() if state["Type"] == "Task"}


def unknown_error_names(asl: dict[str, Any]) -> list[str]:
    """ErrorEquals names that are neither the package's exception classes nor documented by AWS."""
    problems = []
    for name, state in asl["States"].items():
        for rule in state.get("Retry", []) + state.get("Catch", []):
            for error in rule["ErrorEquals"]:
                cls = getattr(errors, error, None)
                known = isinstance(cls, type) and issubclass(cls, errors.FargateOpsError)
                if not known and error not in DOCUMENTED_AWS_ERRORS:
                    problems.append(f"{name}: {error} is no exception of fargate_ops.errors nor an AWS name")
    return problems


def check(asl: dict[str, Any]) -> list[str]:
    """Every difference between the ASL and the policy, one line each (empty: they agree)."""
    problems = unknown_error_names(asl)
    for name, state in _tasks(asl).items():
        expected, actual = expected_retry(name, state), state.get("Retry", [])
        if actual != expected:
            problems.append(
                f"{name} ({kind_of(name, state)}): Retry is {json.dumps(actual)}, "
                f"the policy says {json.dumps(expected)}"
            )
    return problems


def write(path: Path = ASL) -> None:
    asl = json.loads(path.read_text())
    for name, state in _tasks(asl).items():
        state["Retry"] = expected_retry(name, state)
    path.write_text(json.dumps(asl, indent=2, ensure_ascii=False) + "\n")


def main(argv: list[str]) -> int:
    if "--write" in argv:
        write()
    problems = check(json.loads(ASL.read_text()))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
