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
