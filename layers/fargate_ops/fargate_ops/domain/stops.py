"""Telling a crashing task from a task ECS or a person stopped on purpose.

ECS reports *why* a task stopped in ``stopCode`` (TaskFailedToStart, EssentialContainerExited,
UserInitiated, ServiceSchedulerInitiated, SpotInterruption, TerminationNotice, InfrastructureHealth)
plus a free-text ``stoppedReason``. The scheduler also uses ServiceSchedulerInitiated when it kills a
task that failed its health checks, so the reason text has to be read for that one case.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping

from fargate_ops.frozen import frozen

# Stops that say nothing about the health of the new version.
NORMAL_STOP_CODES = frozenset(
    {
        "ServiceSchedulerInitiated",
        "SpotInterruption",
        "TerminationNotice",
        "UserInitiated",
        "InfrastructureHealth",
    }
)
FAILED_TO_START = "TaskFailedToStart"
ESSENTIAL_CONTAINER_EXITED = "EssentialContainerExited"

# lastStatus of a task ECS has decided to stop (desiredStatus STOPPED) that has not begun stopping. The
# event of that decision already carries the stop code, the reason and the exit codes, minutes before
# STOPPED: in the real sample the task is STOPPED more than two minutes after its container exited, and
# ECS counts the failure (SERVICE_TASK_START_IMPAIRED, the circuit breaker) when it decides, not then.
NOT_YET_STOPPING = frozenset({"PROVISIONING", "PENDING", "ACTIVATING", "RUNNING"})

# stoppedReason texts of scheduler stops that are in fact failures.
# ("Task failed ELB health checks in (target-group ...)", "Task failed container health checks")
HEALTH_CHECK_MARKERS = ("health check",)


@frozen
class StopEvidence:
    """What a rollback explanation shows about one stopped task."""

    task_arn: str
    stop_code: str | None
    stopped_reason: str | None
    exit_codes: Mapping[str, int | None]
    task_definition: str | None = None
    at: str | None = None

    def as_dict(self) -> dict[str, object]:
        return {
            "task_arn": self.task_arn,
            "stop_code": self.stop_code,
            "stopped_reason": self.stopped_reason,
            "exit_codes": dict(self.exit_codes),
            "task_definition": self.task_definition,
            "at": self.at,
        }


def stop_decided(last_status: str | None, desired_status: str | None) -> bool:
    """The task's STOPPED event, or the earlier one in which ECS decided to stop it (why is known then)."""
    if last_status == "STOPPED":
        return True
    return desired_status == "STOPPED" and last_status in NOT_YET_STOPPING


def failed_health_check(stopped_reason: str | None) -> bool:
    reason = (stopped_reason or "").lower()
    return any(marker in reason for marker in HEALTH_CHECK_MARKERS)


def _containers_failed(exit_codes: Mapping[str, int | None], essential: Collection[str] | None) -> bool:
    if essential is not None:
        relevant = {name: code for name, code in exit_codes.items() if name in essential}
        # An essential container without an exit code never ran to completion.
        return any(code is None or code != 0 for code in relevant.values())
    if not exit_codes:
        return True
    if any(code not in (0, None) for code in exit_codes.values()):
        return True
    # No container has an exit code: nothing ran to the end (killed before or while starting).
    return all(code is None for code in exit_codes.values())


def is_abnormal_stop(
    stop_code: str | None,
    exit_codes: Mapping[str, int | None],
    stopped_reason: str | None,
    started_by: str | None,
    essential: Collection[str] | None = None,
) -> bool:
    """True when the stop is evidence that the service's tasks are failing.

    Abnormal: an essential container exited non-zero, the task failed to start, or the task failed
    its health checks. Normal: scale-in and deployment replacement by the scheduler, Spot
    interruptions and termination notices, infrastructure maintenance, and stops by a person.
    ``essential`` names the essential containers when known; otherwise every container counts.
    Tasks not started by a service scheduler (``started_by`` set but not ``ecs-svc/...``) are one-off
    tasks and never count.
    """
    if started_by is not None and not started_by.startswith("ecs-svc/"):
        return False
    if failed_health_check(stopped_reason):
        return True
    if stop_code == FAILED_TO_START:
        return True
    if stop_code in NORMAL_STOP_CODES:
        return False
    if stop_code == ESSENTIAL_CONTAINER_EXITED:
        return _containers_failed(exit_codes, essential)
    # Unknown or missing stop code (new codes appear): fall back on the exit codes alone.
    return any(code not in (0, None) for code in exit_codes.values())
