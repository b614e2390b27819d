"""Errors an operator can act on, and the CLI's exit codes."""

from __future__ import annotations

from enum import IntEnum


class ExitCode(IntEnum):
    """Stable exit codes for CI: a pipeline can tell a rollback from a broken input."""

    SUCCEEDED = 0
    UNMET = 1  # a local run ended but an expectation or invariant did not hold
    BAD_INPUT = 2  # nothing was changed
    ROLLED_BACK = 3
    FAILED = 4  # failed and could not roll back cleanly, aborted before rollback, or timed out
    REJECTED = 5  # another deploy of the application is running; nothing was touched
    NOT_NOW = 6  # a control that does not apply to the deploy's current state (e.g. promote while not baking)
    ENVIRONMENT = 7  # where the CLI runs: no region, no or expired credentials, unreachable, denied, no stack


class OperatorError(Exception):
    """Something the operator must fix; the message says what to do next."""

    exit_code = ExitCode.BAD_INPUT


class NotNowError(OperatorError):
    """The deploy is not in a state where this control applies."""

    exit_code = ExitCode.NOT_NOW


class AwsEnvironmentError(OperatorError):
    """The CLI cannot work with AWS from here: region, credentials, endpoint, permissions or stack.

    `problem` names the kind for machines (the JSON error document carries it): no-region,
    no-credentials, expired-credentials, rejected-credentials, unreachable, access-denied, no-stack,
    aws-error.
    """

    exit_code = ExitCode.ENVIRONMENT

    def __init__(self, problem: str, message: str) -> None:
        super().__init__(message)
        self.problem = problem
