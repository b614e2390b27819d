"""The package's exceptions.

Step Functions matches a Lambda error by the exception's class name (``ErrorEquals``), so every class
name here is a contract with ``statemachines/*.asl.json``: rename one and a Retry or Catch silently
stops matching.
"""

from __future__ import annotations

from typing import Any


class FargateOpsError(Exception):
    """Base of every error this package raises on purpose."""


class SettingsError(FargateOpsError):
    """A required environment variable is missing or malformed."""


class CleanupPolicyError(FargateOpsError):
    """A cleanup policy is invalid (keep fewer than one revision, a negative age, an unknown kind)."""


class DeployInputError(FargateOpsError):
    """The deploy input is invalid; ``field`` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


class PreflightError(FargateOpsError):
    """The application is not in a state a deploy can start from (nothing was changed)."""


class UnknownStepError(FargateOpsError):
    """The deploy step named in the event does not exist."""


class ServiceNotFoundError(FargateOpsError):
    """An ECS service (or its cluster) does not exist or is not ACTIVE."""


class TaskDefinitionNotFoundError(FargateOpsError):
    """A task definition does not exist."""


class ListenerNotFoundError(FargateOpsError):
    """An ALB listener or listener rule does not exist."""


class LeaseHeldError(FargateOpsError):
    """Another deploy holds the application's lease, or another application owns one of its slots,
    its listener or its rule (``holder`` names the deploy or the owner; ``lease`` is the lease item that
    stood in the way, for the caller to tell a running holder from one whose execution ended)."""

    def __init__(self, message: str, holder: str | None = None, lease: Any = None) -> None:
        super().__init__(message)
        self.holder = holder
        self.lease = lease


class LeaseLostError(FargateOpsError):
    """This deploy does not hold its application's lease any more (it ran out and another deploy took it,
    or the document names a deploy or execution that does not hold it): a step fails closed, changing
    nothing. Never retried: the lease does not come back."""


class UntrustedDocumentError(FargateOpsError):
    """The document a step was handed does not match the deploy's record, lease or application (forged,
    or stale): the step changed nothing. Never retried."""


class GreenNotReadyError(FargateOpsError):
    """The green slot did not become ready (ECS gave up on its deployment)."""


class GreenCrashLoopError(FargateOpsError):
    """The green slot's tasks keep stopping abnormally."""


class TransientError(FargateOpsError):
    """An AWS API failed in a way that passes (a 5xx answer) beyond botocore's own retries.

    The transient class of the package: the state machine retries this class and its subclasses (by
    name, ``lint/retry_policy.py``); every other error of the package is a decision, never retried.
    """


class ThrottlingError(TransientError):
    """An AWS API throttled us beyond botocore's own retries; the state machine retries with back-off."""


class AccessDeniedError(FargateOpsError):
    """The function's role may not make a call (a template/IAM defect, not retryable)."""


class AwsCallError(FargateOpsError):
    """Any other AWS error, with the operation and error code in the message."""

    def __init__(self, operation: str, code: str, message: str) -> None:
        super().__init__(f"{operation}: {code}: {message}")
        self.operation = operation
        self.code = code


class AlarmFiringError(FargateOpsError):
    """A CloudWatch alarm the deploy watches is in ALARM (the cause names it and says why)."""


class AnalysisFailedError(FargateOpsError):
    """Green did worse than blue over a bake (the cause carries the numbers)."""


class DeployAbortedError(FargateOpsError):
    """An operator aborted the deploy while it waited (sent as a task failure by `fargate-ops abort`)."""


class MetricsNotReadyError(FargateOpsError):
    """CloudWatch has not ingested every minute of the analysis window yet: the state machine retries
    the analysis at a fixed interval, a bounded number of times (not a failure)."""


class AnalysisInconclusiveError(FargateOpsError):
    """The window's metrics were still incomplete after the wait, and the deploy's policy is ``fail``."""


class ListenerDriftError(FargateOpsError):
    """The listener's (or rule's) forward action is not what this deploy last wrote: someone else changed
    it. The deploy stops there and leaves the edit as it is (never retried, never written over)."""


class WeightsNotAppliedError(FargateOpsError):
    """After a weight change, the listener still did not show the weights written (read back a bounded
    number of times, for ELB's eventual consistency)."""
