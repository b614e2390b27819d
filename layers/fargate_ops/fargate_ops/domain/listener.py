"""Rewriting an ALB forward action's target group weights, as plain dicts (the ELBv2 API shapes)."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from fargate_ops.errors import PreflightError


def _forward_action(actions: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    forwards = [a for a in actions if a.get("Type") == "forward"]
    if len(forwards) != 1:
        raise PreflightError(f"expected one forward action, found {len(forwards)}")
    return forwards[0]


def forward_weights(actions: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Target group ARN to weight of the (single) forward action."""
    action = _forward_action(actions)
    groups = action.get("ForwardConfig", {}).get("TargetGroups")
    if groups:
        return {g["TargetGroupArn"]: int(g.get("Weight", 1)) for g in groups}
    # A plain forward to one target group carries everything.
    if action.get("TargetGroupArn"):
        return {action["TargetGroupArn"]: 1}
    return {}


def with_weights(
    actions: Sequence[Mapping[str, Any]], weights: Mapping[str, int]
) -> list[dict[str, Any]] | None:
    """The actions with the forward action's weights replaced, or ``None`` if nothing would change.

    Target groups not named in ``weights`` keep their weight; other actions (authenticate-*, ...) and
    the stickiness configuration are kept as they are.
    """
    current = forward_weights(actions)
    unknown = set(weights) - set(current)
    if unknown:
        raise PreflightError(f"the forward action has no target group {', '.join(sorted(unknown))}")
    wanted = {**current, **weights}
    if wanted == current:
        return None
    rewritten: list[dict[str, Any]] = []
    for action in actions:
        new = copy.deepcopy(dict(action))
        if new.get("Type") == "forward":
            # ELBv2 rejects TargetGroupArn next to a ForwardConfig with more than one group.
            new.pop("TargetGroupArn", None)
            config = new.setdefault("ForwardConfig", {})
            config["TargetGroups"] = [{"TargetGroupArn": arn, "Weight": w} for arn, w in wanted.items()]
        rewritten.append(new)
    return rewritten


def target_group_name(arn: str) -> str:
    """``web-green-tg`` of ``arn:aws:elasticloadbalancing:...:targetgroup/web-green-tg/0123abcd``."""
    _, found, rest = arn.partition(":targetgroup/")
    return rest.split("/", 1)[0] if found else arn


def weight_changes(expected: Mapping[str, int], live: Mapping[str, int]) -> list[str]:
    """What differs between the forward weights a deploy left and the live ones, in words (empty: none)."""
    changes = []
    for arn in sorted(set(expected) | set(live), key=target_group_name):
        name = target_group_name(arn)
        if arn not in live:
            changes.append(f"{name} removed (had weight {expected[arn]})")
        elif arn not in expected:
            changes.append(f"{name} added with weight {live[arn]}")
        elif expected[arn] != live[arn]:
            changes.append(f"{name} {expected[arn]} → {live[arn]}")
    return changes


def forward_drift(expected: Mapping[str, int], actions: Sequence[Mapping[str, Any]]) -> list[str]:
    """How the live ``actions`` moved away from the forward weights ``expected`` (empty: they did not)."""
    forwards = [a for a in actions if a.get("Type") == "forward"]
    if len(forwards) != 1:
        kinds = ", ".join(str(a.get("Type")) for a in actions) or "no action"
        return [f"the forward action is gone (the actions are now: {kinds})"]
    return weight_changes(expected, forward_weights(actions))
