"""The image check before a scale-up from zero (domain/scaling_images.py says why).

A service the schedule would raise from zero whose live task definition names an image ECR no longer
has (deleted, archived) is held at zero: no write to it, an error status tag, and people told once per
gone image (one notification on the stack's topic, one timeline entry), however many runs find it so.
Each run checks again, so the scale-up happens at the first run after the image is back; an image that
came back and goes again is told again.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from fargate_ops.aws.keys import timeline, timeline_entry
from fargate_ops.aws.scaling import OptedIn
from fargate_ops.aws.scaling_images import ImageChecker
from fargate_ops.aws.sns import SnsAdapter
from fargate_ops.aws.store_scaling import ScalingState, ScalingStore
from fargate_ops.domain.scaling import Found, Plan
from fargate_ops.domain.scaling_images import tell
from fargate_ops.domain.subjects import compose
from fargate_ops.observability import count, logger


def raises_from_zero(found: Found, decided: Plan) -> bool:
    """The plan starts tasks on a service that runs none: desired up from 0, or a minimum above 0."""
    if found.desired != 0:
        return False
    return (decided.desired or 0) > 0 or (decided.bounds is not None and decided.bounds[0] > 0)


@dataclass(frozen=True, slots=True)
class Gate:
    """``held``: the error to show (the scale-up does not happen); ``state``: what to remember;
    ``unchecked``: images outside this account's ECR (the scale-up goes ahead, and says so)."""

    state: ScalingState
    held: str | None = None
    unchecked: tuple[str, ...] = ()


class ImageGate:
    def __init__(
        self, checker: ImageChecker, topic: SnsAdapter, scaling: ScalingStore, retention_days: int
    ) -> None:
        self._checker, self._topic, self._scaling = checker, topic, scaling
        self._retention_days = retention_days

    def check(
        self, service: OptedIn, state: ScalingState, schedule: str, decided: Plan, now: datetime
    ) -> Gate:
        report = self._checker.check(service.task_definition, service.account, service.region)
        told = tell(state.missing_images, report.gone)
        if not report.gone:
            return Gate(replace(state, missing_images=()), unchecked=report.unchecked)
        gone = ", ".join(f"{uri} ({why})" for uri, why in sorted(report.gone.items()))
        held = f"scale-up held: image gone: {gone}"
        count("ScalingHeld")
        logger.warning("scale-up held", extra={"service": service.name, "gone": report.gone})
        kept = replace(state, missing_images=told.keep, last_error=held)
        if told.new:
            self._tell(service, schedule, decided, held, report.gone, told.new, now)
        if kept != state:
            self._scaling.put_state(kept)
        return Gate(kept, held=held)

    def _tell(
        self,
        service: OptedIn,
        schedule: str,
        decided: Plan,
        held: str,
        gone: dict[str, str],
        new: tuple[str, ...],
        now: datetime,
    ) -> None:
        wanted = decided.describe().replace("scaled to ", "", 1)
        body = {
            "kind": "ScaleUpHeld",
            "summary": f"{service.cluster}/{service.name} stays at 0: {held}",
            "cluster": service.cluster,
            "service": service.name,
            "schedule": schedule,
            "task_definition": service.task_definition,
            "gone_images": gone,
            "newly_gone": list(new),
            "wanted": wanted,
            "at": now.isoformat(),
            "what_to_do": (
                "push the image again (or deploy an image that exists): the next reconcile run scales "
                "the service up; until then it stays at zero"
            ),
        }
        self._topic.publish(compose(f"{service.cluster}/{service.name}", ": scale-up held, image gone"), body)
        at = now.timestamp()
        self._scaling.record(
            {
                "pk": timeline(service.cluster, service.name),
                "sk": timeline_entry(at, f"scaling-held-{int(at)}"),
                "cluster": service.cluster,
                "service": service.name,
                "at": at,
                "kind": "scaling",
                "summary": f"schedule {schedule}: scale-up held at 0, image gone: {', '.join(new)}",
                "detail": body,
                "expires_at": int(at) + self._retention_days * 86_400,
            }
        )
