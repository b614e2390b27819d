"""Which slot is live, from the listener's forward weights."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fargate_ops.errors import PreflightError
from fargate_ops.frozen import frozen


@frozen
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


def forward_shares(actions: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Target group ARN -> weight, over a rule's (or default action's) forward actions; none: {}."""
    shares: dict[str, int] = {}
    for action in actions:
        if action.get("Type") != "forward":
            continue
        groups = action.get("ForwardConfig", {}).get("TargetGroups")
        if groups:
            shares.update({g["TargetGroupArn"]: int(g.get("Weight", 1)) for g in groups})
        elif action.get("TargetGroupArn"):  # a plain forward to one target group carries everything
            shares[action["TargetGroupArn"]] = 1
    return shares


def is_idle_slot(target_groups: Iterable[str], forwards: Iterable[Mapping[str, int]]) -> bool:
    """Whether a service on ``target_groups`` is the idle slot of a blue/green pair, as ``live_and_idle``
    tells them apart: every forward that names one of its target groups gives it weight 0, and one
    of them gives another target group (the live slot's) traffic. Before an application's first
    deploy nothing else says which service is its idle slot."""
    own = set(target_groups)
    naming = [f for f in forwards if own & set(f)]
    if not naming or any(f[g] > 0 for f in naming for g in own & set(f)):
        return False
    return any(weight > 0 for f in naming for group, weight in f.items() if group not in own)
