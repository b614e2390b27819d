"""What the reconciler writes for one service now: pure, from what the schedule wants, what it found
and what it saved.

- **With an Application Auto Scaling scalable target** it writes min/max (RegisterScalableTarget) and
  never desiredCount: target tracking keeps working inside the bounds, and a desiredCount written by
  hand would be overwritten by the next scaling activity anyway. A capacity of ``desired`` alone pins
  the bounds to it (min = max = desired).
- **Without one** it writes desiredCount (UpdateService); a capacity of min/max alone clamps the
  desired count the service has into them.
- **Saved capacity.** Before its first change it saves what it found (desired, and min/max with a
  scalable target); when the schedule's answer is the saved capacity again (its windows ended, no
  default) it writes that back and forgets it.
- **Only what differs** is written: a run that finds the service as wanted writes nothing, so runs are
  idempotent and a missed run heals at the next.
"""

from __future__ import annotations

from dataclasses import dataclass

from fargate_ops.domain.schedule import Capacity


@dataclass(frozen=True, slots=True)
class Found:
    """The service as the reconciler found it; ``min``/``max`` None: no scalable target."""

    desired: int
    min: int | None = None
    max: int | None = None

    @property
    def autoscaled(self) -> bool:
        return self.min is not None and self.max is not None


@dataclass(frozen=True, slots=True)
class Saved:
    """What the service had before the schedule's first change."""

    desired: int
    min: int | None = None
    max: int | None = None


@dataclass(frozen=True, slots=True)
class Plan:
    """The writes for one service; both None: nothing to do."""

    desired: int | None = None  # UpdateService desiredCount
    bounds: tuple[int, int] | None = None  # RegisterScalableTarget (min, max)
    save: Saved | None = None  # save this before writing (the schedule's first change)
    restore: bool = False  # the writes put the saved capacity back: forget it afterwards
    reason: str = ""

    @property
    def changes(self) -> bool:
        return self.desired is not None or self.bounds is not None

    def describe(self) -> str:
        parts = []
        if self.desired is not None:
            parts.append(f"desired {self.desired}")
        if self.bounds is not None:
            parts.append(f"min {self.bounds[0]} max {self.bounds[1]}")
        verb = "restored" if self.restore else "scaled"
        return f"{verb} to {', '.join(parts)} ({self.reason})" if parts else f"holds ({self.reason})"


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _towards(
    found: Found, desired: int | None, bounds: tuple[int, int] | None
) -> tuple[int | None, tuple[int, int] | None]:
    """Only the writes that change something."""
    if found.autoscaled:
        if bounds is None and desired is not None:
            bounds = (desired, desired)
        return None, (bounds if bounds is not None and bounds != (found.min, found.max) else None)
    if desired is None and bounds is not None:
        desired = _clamp(found.desired, *bounds)
    return (desired if desired is not None and desired != found.desired else None), None


def plan(wanted: Capacity, found: Found, saved: Saved | None) -> Plan:
    """The writes that make the service hold ``wanted`` (an answer of domain/schedule.capacity_at)."""
    reason = wanted.reason.describe()
    if wanted.reason.kind == "saved":
        if saved is None:  # never changed by the schedule: nothing to give back
            return Plan(reason=reason)
        bounds = (saved.min, saved.max) if saved.min is not None and saved.max is not None else None
        desired, bounds = _towards(found, saved.desired, bounds)
        return Plan(desired=desired, bounds=bounds, restore=True, reason="the end of the schedule's windows")
    bounds = (wanted.min, wanted.max) if wanted.min is not None and wanted.max is not None else None
    desired, bounds = _towards(found, wanted.desired, bounds)
    if desired is None and bounds is None:
        return Plan(reason=reason)
    first_change = Saved(found.desired, found.min, found.max) if saved is None else None
    return Plan(desired=desired, bounds=bounds, save=first_change, reason=reason)
