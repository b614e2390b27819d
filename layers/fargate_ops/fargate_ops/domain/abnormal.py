"""What one stopped task says about its service: a crash, a Fargate Spot interruption, or nothing.

``domain/stops.py`` holds the one rule for "this stop is a failure" (``is_abnormal_stop``, shared with
the deploy engine); this module sorts every stop into a kind, says why in words for the timeline, and
reduces a failure to a fingerprint, so that "the same crash again" and "a new crash" can be told apart.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum

from fargate_ops.domain.stops import (
    ESSENTIAL_CONTAINER_EXITED,
    FAILED_TO_START,
    failed_health_check,
    is_abnormal_stop,
)
from fargate_ops.frozen import frozen

# Fargate Spot: TerminationNotice arrives while the task still runs (2 minutes' warning) and again on
# the STOPPED event; SpotInterruption is the EC2 Spot capacity provider's spelling.
SPOT_STOP_CODES = frozenset({"SpotInterruption", "TerminationNotice"})
SCALING_ACTIVITY = "scaling activity initiated by"
# ARNs and ids in reasons differ from task to task; a fingerprint keeps the words only.
_IDENTIFIERS = re.compile(r"\((?:target-group|task|service|deployment) [^)]*\)|arn:aws[\w:/.+=,@-]*")


class StopKind(StrEnum):
    ABNORMAL = "abnormal"  # the service's tasks are failing: counts towards a crash loop
    SPOT = "spot"  # capacity taken back by AWS: counted, alarmed only above a rate
    NORMAL = "normal"  # scale-in, deployment replacement, a person or a tool: recorded only


@frozen
class StopClass:
    kind: StopKind
    why: str


def is_spot_interruption(stop_code: str | None) -> bool:
    return stop_code in SPOT_STOP_CODES


def failing_containers(exit_codes: Mapping[str, int | None]) -> dict[str, int | None]:
    """Containers that exited non-zero or never ran to an exit (no code); all of them if none did."""
    failing = {name: code for name, code in exit_codes.items() if code != 0}
    return failing or dict(exit_codes)


def classify_stop(
    stop_code: str | None,
    exit_codes: Mapping[str, int | None],
    stopped_reason: str | None,
    started_by: str | None,
) -> StopClass:
    """Sort a stop: a failure (``is_abnormal_stop``) first, then Spot, then everything else is normal."""
    if is_abnormal_stop(stop_code, exit_codes, stopped_reason, started_by):
        return StopClass(StopKind.ABNORMAL, _why_abnormal(stop_code, exit_codes, stopped_reason))
    if is_spot_interruption(stop_code):
        return StopClass(StopKind.SPOT, "Fargate Spot capacity was reclaimed")
    return StopClass(StopKind.NORMAL, _why_normal(stop_code, exit_codes, stopped_reason, started_by))


def _exits(exit_codes: Mapping[str, int | None]) -> str:
    return ", ".join(
        f"{name} {'exit ' + str(code) if code is not None else 'no exit code'}"
        for name, code in sorted(failing_containers(exit_codes).items())
    )


def _why_abnormal(stop_code: str | None, exit_codes: Mapping[str, int | None], reason: str | None) -> str:
    if failed_health_check(reason):
        return "failed its health checks"
    if stop_code == FAILED_TO_START:
        return "failed to start"
    if stop_code == ESSENTIAL_CONTAINER_EXITED:
        return f"essential container exited ({_exits(exit_codes)})"
    return f"stopped with {stop_code or 'no stop code'} ({_exits(exit_codes)})"


def _why_normal(
    stop_code: str | None, exit_codes: Mapping[str, int | None], reason: str | None, started_by: str | None
) -> str:
    if started_by is not None and not started_by.startswith("ecs-svc/"):
        return f"a one-off task (started by {started_by})"
    if stop_code == "ServiceSchedulerInitiated" and SCALING_ACTIVITY in (reason or "").lower():
        return "scale-in or replacement by a deployment"
    if stop_code == "ServiceSchedulerInitiated":
        return "stopped by the service scheduler"
    if stop_code == "UserInitiated":
        return "stopped on request (StopTask: a person, a tool or fargate-ops)"
    if stop_code == "InfrastructureHealth":
        return "moved off unhealthy infrastructure by AWS"
    if stop_code == ESSENTIAL_CONTAINER_EXITED:
        return "containers exited cleanly"
    return f"stopped with {stop_code or 'no stop code'}"


def normalise_reason(reason: str | None) -> str:
    """A stop or container reason without the ARNs and ids that differ from task to task."""
    return " ".join(_IDENTIFIERS.sub("", reason or "").split())


def fingerprint(
    task_definition: str | None,
    stop_code: str | None,
    stopped_reason: str | None,
    exit_codes: Mapping[str, int | None],
    container_reasons: Mapping[str, str | None],
) -> str:
    """What makes two failures "the same crash": revision, stop code, failing exits and their reasons."""
    revision = (task_definition or "").rsplit("/", 1)[-1]
    failing = failing_containers(exit_codes)
    exits = ",".join(f"{name}={code}" for name, code in sorted(failing.items()))
    reasons = ",".join(
        f"{name}:{normalise_reason(container_reasons.get(name))}"
        for name in sorted(failing)
        if container_reasons.get(name)
    )
    return "|".join([revision, stop_code or "", normalise_reason(stopped_reason), exits, reasons])
