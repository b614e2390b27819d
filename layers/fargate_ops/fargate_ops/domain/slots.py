"""Which slot is live, from the listener's forward weights."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from fargate_ops.errors import PreflightError


@dataclass(frozen=True, slots=True)
class Slot:
    service: str
    target_group_arn: str


def live_and_idle(slots: Sequence[Slot], weights: Mapping[str, int]) -> tuple[Slot, Slot]:
    """``(live, idle)``: the live slot is the one whose target group has weight > 0.

    Refuses to guess when both or neither carry traffic (an interrupted deploy, a hand edit): a deploy
    must start from one healthy live slot.
    """
    if len(slots) != 2:
        raise PreflightError(f"an application has exactly two slots, got {len(slots)}")
    missing = [slot.target_group_arn for slot in slots if slot.target_group_arn not in weights]
    if missing:
        raise PreflightError(f"the listener does not forward to target group(s) {', '.join(missing)}")
    carrying = [slot for slot in slots if weights[slot.target_group_arn] > 0]
    if len(carrying) != 1:
        shares = ", ".join(f"{s.service}={weights[s.target_group_arn]}" for s in slots)
        raise PreflightError(f"exactly one slot must carry traffic to start a deploy ({shares})")
    live = carrying[0]
    idle = slots[1] if live is slots[0] else slots[0]
    return live, idle
