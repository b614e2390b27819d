"""Green without a healthy target loses its weight at once, on the event that says so.

A task of a waited-on green service that ECS decides to stop (it crashed, failed to start, failed its
ELB health checks, or Fargate Spot takes it back) may have been green's last healthy target. Waiting
for the crash-loop count (three stops, a minute and a half or more) would leave green's share of the
traffic on an empty target group all that time: ALB fails open onto unhealthy targets, or answers 503
when none is left. So on each such event, if the deploy record says green carries weight and green's
target group has no healthy target, its weight goes back to blue now. The crash-loop count still
decides whether the deploy rolls back; the next shift gives green weight again only once it is ready.

ELB emits no EventBridge event for a target's health; ECS's decision to stop the task of an unhealthy
target ("Task failed ELB health checks") is the health change this reacts to.

The write is the deploy's own, made by this function: it goes to the record's ``weight_history``
(``by`` says who), which the next shift compares the listener with. A listener whose slots' weights are
not the record's (someone else edited it) is left alone: the next shift stops the deploy over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fargate_ops import clock
from fargate_ops.domain.deploy import RUNNING
from fargate_ops.domain.listener import forward_weights, weight_changes
from fargate_ops.domain.traffic import weights_for
from fargate_ops.errors import PreflightError

if TYPE_CHECKING:
    from fargate_ops.aws.records import WaitRecord
    from fargate_ops.reactions.reactor import Reactor

TAKEN_BY = "events function: green had no healthy target"


def _slots(record: dict[str, Any]) -> tuple[str, str, str] | None:
    """(listener or rule ARN, live target group, green target group) of a running deploy's record."""
    live, green = record.get("live") or {}, record.get("green") or {}
    listener = record.get("listener_arn") or (record.get("input") or {}).get("listener_arn")
    live_tg, green_tg = live.get("target_group_arn"), green.get("target_group_arn")
    if not (listener and live_tg and green_tg):
        return None
    return str(listener), str(live_tg), str(green_tg)


def take_weight_if_unserved(wait: WaitRecord, reactor: Reactor) -> str | None:
    """What was done about green's health (None: nothing to do), for the reaction's outcome."""
    record = reactor.store.get_deploy(wait.deploy_id) or {}
    slots = _slots(record) if record.get("status") == RUNNING else None
    if slots is None:
        return None
    listener, live_tg, green_tg = slots
    recorded = {str(tg): int(w) for tg, w in dict(record.get("weights") or {}).items()}
    if recorded.get(green_tg, 0) <= 0:
        return None  # green carries nothing: the common case, one read
    if reactor.elbv2.healthy_targets(green_tg) > 0:
        return None
    actions = reactor.elbv2.actions(listener)
    try:
        live_weights = forward_weights(actions)
    except PreflightError:
        live_weights = {}
    slot_weights = {tg: recorded.get(tg, 0) for tg in (live_tg, green_tg)}
    if weight_changes(slot_weights, {tg: w for tg, w in live_weights.items() if tg in slot_weights}):
        return "green has no healthy target, but the listener is not as the deploy left it: left alone"
    weights = weights_for(0, live_tg, green_tg)
    if reactor.elbv2.set_weights(listener, weights, current_actions=actions):
        reactor.elbv2.verify_weights(listener, weights)
        reactor.store.append_weights(
            wait.deploy_id,
            str(record.get("execution", "")),
            {
                "at": clock.iso(),
                "weights": weights,
                "step_index": record.get("step_index"),
                "by": TAKEN_BY,
            },
        )
    return "green has no healthy target: its weight went back to blue"
