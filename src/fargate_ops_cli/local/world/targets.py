"""ALB target health: what DescribeTargetHealth answers, kept in step with moto's target groups.

ALB semantics modelled:
- a new target is `initial` (Elb.RegistrationInProgress) until it passes HealthyThresholdCount checks
  in a row, one every HealthCheckIntervalSeconds: 30 s x 5 = 150 s with the defaults;
- a target that fails UnhealthyThresholdCount checks in a row is `unhealthy` (and ECS replaces its task);
- a deregistered target is `draining` for the deregistration delay (300 s by default), still listed by
  DescribeTargetHealth, then it is gone (`unused`, Target.NotRegistered).
Health checks run whatever the target group's weight on the listener: a 0-weight group has health too.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fargate_ops_cli.local.world.moto_access import TargetGroupSettings, target_group_settings

Health = tuple[str, str | None, str | None]

REASONS: dict[str, tuple[str | None, str | None]] = {
    "initial": ("Elb.RegistrationInProgress", "Target registration is in progress"),
    "healthy": (None, None),
    "unhealthy": ("Target.ResponseCodeMismatch", "Health checks failed with these codes: [503]"),
    "draining": ("Target.DeregistrationInProgress", "Target deregistration is in progress"),
    "unused": ("Target.NotRegistered", "Target is not registered to the target group"),
}


@dataclass
class Target:
    target_group_arn: str
    target_id: str  # the task's IP: awsvpc tasks are registered by IP
    port: int
    task_arn: str
    settings: TargetGroupSettings
    state: str = "initial"
    passing: bool = True
    due: float | None = None  # when the state changes next (to healthy, unhealthy, or gone after draining)
    since: float = 0.0  # when the target entered its state

    def aim(self, passing: bool, now: float) -> None:
        """(Re)starts counting consecutive checks towards the state that `passing` leads to."""
        self.passing = passing
        if self.state == "draining":
            return
        if passing and self.state != "healthy":
            self.due = now + self.settings.interval * self.settings.healthy_threshold
        elif not passing and self.state != "unhealthy":
            self.due = now + self.settings.interval * self.settings.unhealthy_threshold
        else:
            self.due = None

    @property
    def health(self) -> Health:
        reason, description = REASONS[self.state]
        return self.state, reason, description


class TargetRegistry:
    def __init__(self, elbv2: Any) -> None:
        self._elbv2 = elbv2
        self._targets: dict[tuple[str, str], Target] = {}

    def register(
        self, tg_arn: str, target_id: str, port: int, task_arn: str, passing: bool, now: float
    ) -> Target:
        tg = self._elbv2.target_groups[tg_arn]
        target = Target(tg_arn, target_id, port, task_arn, target_group_settings(tg), since=now)
        target.aim(passing, now)
        self._targets[(tg_arn, target_id)] = target
        tg.targets[target_id] = {"Id": target_id, "Port": port}  # what DescribeTargetHealth lists
        return target

    def deregister(self, tg_arn: str, target_id: str, now: float) -> None:
        target = self._targets.get((tg_arn, target_id))
        if target is None or target.state == "draining":
            return
        target.state, target.since = "draining", now
        target.due = now + target.settings.deregistration_delay

    def advance(self, now: float) -> list[Target]:
        """Moves every due target on; returns those that changed (gone ones in state `unused`)."""
        changed = []
        for key, target in list(self._targets.items()):
            if target.due is None or now < target.due:
                continue
            if target.state == "draining":
                target.state, target.due = "unused", None
                del self._targets[key]
                tg = self._elbv2.target_groups.get(target.target_group_arn)
                if tg is not None:
                    tg.targets.pop(target.target_id, None)
            else:
                target.state = "healthy" if target.passing else "unhealthy"
                target.due, target.since = None, now
            changed.append(target)
        return changed

    def get(self, tg_arn: str, target_id: str) -> Target | None:
        return self._targets.get((tg_arn, target_id))

    def of_group(self, tg_arn: str) -> list[Target]:
        return [t for (arn, _), t in self._targets.items() if arn == tg_arn]

    def all(self) -> list[Target]:
        return list(self._targets.values())

    def health(self, tg_arn: str, target_id: str, port: int | None) -> Health:
        target = self._targets.get((tg_arn, target_id))
        if target is not None and (port is None or int(port) == target.port):
            return target.health
        tg = self._elbv2.target_groups.get(tg_arn)
        if tg is not None and target_id in tg.targets:
            # Registered by someone else (not an ECS task of this world): nothing answers on that IP.
            return "unhealthy", "Target.Timeout", "Request timed out"
        reason, description = REASONS["unused"]
        return "unused", reason, description
