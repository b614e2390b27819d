"""Step Functions: completing a waiting task by its token; what an execution is (DescribeExecution)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from fargate_ops.aws._errors import error_code, translate
from fargate_ops.frozen import frozen

if TYPE_CHECKING:
    from mypy_boto3_stepfunctions import SFNClient

# The wait is already over (timed out, completed, execution stopped): nothing left to do.
ALREADY_OVER = frozenset({"TaskTimedOut", "InvalidToken", "TaskDoesNotExist"})

MAX_ERROR_CHARS = 256
MAX_CAUSE_CHARS = 32_768


@frozen
class Execution:
    arn: str
    name: str
    state_machine_arn: str
    status: str  # RUNNING, SUCCEEDED, FAILED, TIMED_OUT, ABORTED, PENDING_REDRIVE
    input: Mapping[str, Any]

    @property
    def running(self) -> bool:
        return self.status == "RUNNING"


class StepFunctionsAdapter:
    def __init__(self, client: SFNClient) -> None:
        self._sfn = client

    def send_success(self, task_token: str, output: Mapping[str, Any]) -> bool:
        """True if this call completed the task; False if it was already over."""
        try:
            self._sfn.send_task_success(taskToken=task_token, output=json.dumps(output, default=str))
        except ClientError as err:
            if error_code(err) in ALREADY_OVER:
                return False
            raise translate(err, "states:SendTaskSuccess") from err
        return True

    def send_failure(self, task_token: str, error: str, cause: Mapping[str, Any] | str) -> bool:
        """True if this call failed the task; False if it was already over."""
        text = cause if isinstance(cause, str) else json.dumps(cause, default=str)
        try:
            self._sfn.send_task_failure(
                taskToken=task_token, error=error[:MAX_ERROR_CHARS], cause=text[:MAX_CAUSE_CHARS]
            )
        except ClientError as err:
            if error_code(err) in ALREADY_OVER:
                return False
            raise translate(err, "states:SendTaskFailure") from err
        return True

    def execution(self, execution_arn: str) -> Execution | None:
        """The execution, or None if there is none by that ARN (a malformed ARN included)."""
        try:
            described = self._sfn.describe_execution(executionArn=execution_arn)
        except ClientError as err:
            if error_code(err) in ("ExecutionDoesNotExist", "InvalidArn"):
                return None
            raise translate(err, "states:DescribeExecution") from err
        try:
            given = json.loads(described.get("input") or "{}")
        except ValueError:
            given = {}
        return Execution(
            arn=described["executionArn"],
            name=described.get("name", ""),
            state_machine_arn=described["stateMachineArn"],
            status=described["status"],
            input=given if isinstance(given, dict) else {},
        )

    def execution_summary(self, execution_arn: str) -> dict[str, Any]:
        """{status, error, cause} of an execution, as Step Functions has it now."""
        try:
            described = self._sfn.describe_execution(executionArn=execution_arn)
        except ClientError as err:
            raise translate(err, "states:DescribeExecution") from err
        return {k: described.get(k) for k in ("status", "error", "cause") if described.get(k) is not None}
