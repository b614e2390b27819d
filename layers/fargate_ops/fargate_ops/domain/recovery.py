"""Where traffic should go when a deploy ended without finishing (pure: no AWS).

Used by the reconciler (an execution that ended without a final record) and by `fargate-ops recover`:
traffic goes to the live slot if its target group has a healthy target, else to green if it has one;
if neither can be told healthy, nothing moves and a person is told.
"""

from __future__ import annotations

from collections.abc import Mapping

from fargate_ops.frozen import frozen

RECOVER_COMMAND = "fargate-ops recover {deploy_id} --apply"


@frozen
class SlotHealth:
    service: str
    target_group_arn: str
    healthy: int | None  # healthy targets now; None when it could not be read


def healthy_slot(live: SlotHealth, green: SlotHealth) -> SlotHealth | None:
    """The slot to put all traffic on, or None when neither can be told healthy."""
    if live.healthy:
        return live
    if live.healthy == 0 and green.healthy:
        return green
    return None


def whole_on(weights: Mapping[str, int] | None, slots: tuple[SlotHealth, SlotHealth]) -> SlotHealth | None:
    """The slot that carries every request of the forward action, or None (split, or unknown)."""
    if not weights:
        return None
    carrying = [slot for slot in slots if weights.get(slot.target_group_arn, 0) > 0]
    others = sum(w for tg, w in weights.items() if tg not in {s.target_group_arn for s in slots})
    return carrying[0] if len(carrying) == 1 and others == 0 else None


def recover_command(deploy_id: str) -> str:
    return RECOVER_COMMAND.format(deploy_id=deploy_id)
