"""Traffic step plans: how much of the listener's traffic the green slot gets, step by step.

A plan is a list of steps ending at 100 (% to green). All-at-once is ``[100]``; canary, linear and
custom lists are the same model with more steps and a bake after each intermediate one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

FULL = 100


class InvalidPlanError(ValueError):
    """A traffic plan that cannot be followed."""


@dataclass(frozen=True, slots=True)
class TrafficStep:
    """Send ``weight`` % of traffic to green, then bake ``bake_seconds`` before the next step."""

    weight: int
    bake_seconds: int = 0


@dataclass(frozen=True, slots=True)
class TrafficPlan:
    steps: tuple[TrafficStep, ...]

    def __post_init__(self) -> None:
        validate_steps(self.steps)

    @property
    def weights(self) -> list[int]:
        return [step.weight for step in self.steps]

    @property
    def total_bake_seconds(self) -> int:
        return sum(step.bake_seconds for step in self.steps)

    def step(self, index: int) -> TrafficStep:
        if not 0 <= index < len(self.steps):
            raise InvalidPlanError(f"step {index} is outside a plan of {len(self.steps)} steps")
        return self.steps[index]

    def is_last(self, index: int) -> bool:
        return index == len(self.steps) - 1


def validate_steps(steps: Sequence[TrafficStep]) -> None:
    if not steps:
        raise InvalidPlanError("a traffic plan needs at least one step")
    previous = 0
    for step in steps:
        if not 0 < step.weight <= FULL:
            raise InvalidPlanError(f"step weight {step.weight} is outside 1..{FULL}")
        if step.weight <= previous:
            raise InvalidPlanError(f"step weights must increase: {step.weight} after {previous}")
        if step.bake_seconds < 0:
            raise InvalidPlanError(f"bake of {step.bake_seconds}s is negative")
        previous = step.weight
    if previous != FULL:
        raise InvalidPlanError(f"the last step must send {FULL}% to green, not {previous}%")


def all_at_once() -> TrafficPlan:
    return TrafficPlan((TrafficStep(FULL),))


def canary(percent: int, bake_seconds: int) -> TrafficPlan:
    """``percent`` to green, bake, then everything."""
    return TrafficPlan((TrafficStep(percent, bake_seconds), TrafficStep(FULL)))


def linear(step_percent: int, bake_seconds: int) -> TrafficPlan:
    """``step_percent`` more every step, with a bake between steps; the last step is always 100."""
    if not 0 < step_percent <= FULL:
        raise InvalidPlanError(f"linear step {step_percent} is outside 1..{FULL}")
    weights = [*range(step_percent, FULL, step_percent), FULL]
    return TrafficPlan(
        tuple(TrafficStep(w, 0 if w == FULL else bake_seconds) for w in weights),
    )


def custom(steps: Sequence[tuple[int, int]]) -> TrafficPlan:
    """Any increasing list of ``(weight, bake_seconds)``; the last bake is dropped (nothing follows)."""
    built = [TrafficStep(weight, bake) for weight, bake in steps]
    if built:
        built[-1] = TrafficStep(built[-1].weight, 0)
    return TrafficPlan(tuple(built))


def weights_for(green_percent: int, live_target_group: str, green_target_group: str) -> dict[str, int]:
    """Listener weights (target group ARN to weight) that send ``green_percent`` % to green."""
    if not 0 <= green_percent <= FULL:
        raise InvalidPlanError(f"green share {green_percent} is outside 0..{FULL}")
    return {live_target_group: FULL - green_percent, green_target_group: green_percent}
