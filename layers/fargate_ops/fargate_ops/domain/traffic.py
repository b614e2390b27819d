"""Traffic step plans: how much of the listener's traffic the green slot gets, step by step.

A plan is a list of steps ending at 100 (% to green). All-at-once is ``[100]``; canary, linear and
custom lists are the same model with more steps and a bake after each intermediate one. A step may
carry an approval gate: the deploy waits for an operator's approval *before* sending that step's share
(a gate on the first step is "approval before production traffic").
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Literal

from fargate_ops.frozen import frozen

FULL = 100
Gate = Literal["approval"] | None
APPROVAL: Gate = "approval"
GATES = (None, APPROVAL)


class InvalidPlanError(ValueError):
    """A traffic plan that cannot be followed."""


@frozen
class TrafficStep:
    """Send ``percent`` % of traffic to green, then bake ``bake_seconds`` before the next step."""

    percent: int
    bake_seconds: int = 0
    gate: Gate = None

    def as_dict(self) -> dict[str, Any]:
        return {"percent": self.percent, "bake_seconds": self.bake_seconds, "gate": self.gate}


@frozen
class TrafficPlan:
    steps: tuple[TrafficStep, ...]

    def __post_init__(self) -> None:
        validate_steps(self.steps)

    @property
    def percents(self) -> list[int]:
        return [step.percent for step in self.steps]

    @property
    def total_bake_seconds(self) -> int:
        return sum(step.bake_seconds for step in self.steps)

    @property
    def gates(self) -> int:
        return sum(1 for step in self.steps if step.gate == APPROVAL)

    @property
    def baked_steps(self) -> int:
        """Steps with a bake (each analysed after it, when the deploy has an analysis)."""
        return sum(1 for step in self.steps if step.bake_seconds > 0)

    def step(self, index: int) -> TrafficStep:
        if not 0 <= index < len(self.steps):
            raise InvalidPlanError(f"step {index} is outside a plan of {len(self.steps)} steps")
        return self.steps[index]

    def with_first_gate(self) -> TrafficPlan:
        """The same plan with an approval gate before any production traffic."""
        first = self.steps[0]
        return TrafficPlan((TrafficStep(first.percent, first.bake_seconds, APPROVAL), *self.steps[1:]))

    def as_dicts(self) -> list[dict[str, Any]]:
        return [step.as_dict() for step in self.steps]


def validate_steps(steps: Sequence[TrafficStep]) -> None:
    if not steps:
        raise InvalidPlanError("a traffic plan needs at least one step")
    previous = 0
    for i, step in enumerate(steps):
        if not 0 < step.percent <= FULL:
            raise InvalidPlanError(f"step {i}: percent {step.percent} is outside 1..{FULL}")
        if step.percent <= previous:
            raise InvalidPlanError(f"step {i}: percents must increase: {step.percent} after {previous}")
        if step.bake_seconds < 0:
            raise InvalidPlanError(f"step {i}: a bake of {step.bake_seconds}s is negative")
        if step.gate not in GATES:
            raise InvalidPlanError(f"step {i}: unknown gate {step.gate!r} (the only gate is 'approval')")
        previous = step.percent
    if previous != FULL:
        raise InvalidPlanError(f"the last step must send {FULL}% to green, not {previous}%")
    if steps[-1].bake_seconds:
        raise InvalidPlanError("the last step (100%) has nothing to bake before: its bake must be 0")


def all_at_once() -> TrafficPlan:
    return TrafficPlan((TrafficStep(FULL),))


def canary(percent: int, bake_seconds: int) -> TrafficPlan:
    """``percent`` to green, bake, then everything."""
    if not 0 < percent < FULL:
        raise InvalidPlanError(f"a canary's percent must be within 1..{FULL - 1}, not {percent}")
    return TrafficPlan((TrafficStep(percent, bake_seconds), TrafficStep(FULL)))


def linear(step_percent: int, bake_seconds: int) -> TrafficPlan:
    """``step_percent`` more every step, with a bake between steps; the last step is always 100."""
    if not 0 < step_percent < FULL:
        raise InvalidPlanError(f"a linear step_percent must be within 1..{FULL - 1}, not {step_percent}")
    percents = [*range(step_percent, FULL, step_percent), FULL]
    return TrafficPlan(tuple(TrafficStep(p, 0 if p == FULL else bake_seconds) for p in percents))


def custom(steps: Sequence[tuple[int, int, Gate]]) -> TrafficPlan:
    """Any increasing list of ``(percent, bake_seconds, gate)`` ending at 100 (whose bake must be 0)."""
    return TrafficPlan(tuple(TrafficStep(percent, bake, gate) for percent, bake, gate in steps))


def weights_for(green_percent: int, live_target_group: str, green_target_group: str) -> dict[str, int]:
    """Listener weights (target group ARN to weight) that send ``green_percent`` % to green."""
    if not 0 <= green_percent <= FULL:
        raise InvalidPlanError(f"green share {green_percent} is outside 0..{FULL}")
    return {live_target_group: FULL - green_percent, green_target_group: green_percent}


def green_share_count(live_desired: int, percent: int) -> int:
    """Tasks green needs for ``percent`` % of the traffic the live slot serves with ``live_desired``.

    ``ceil(live_desired * percent / 100)``, at least one, and the full count at 100%.
    """
    full = max(live_desired, 1)
    if percent >= FULL:
        return full
    return min(full, max(1, math.ceil(full * percent / FULL)))
