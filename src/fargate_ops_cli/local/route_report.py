"""The report's view of the load balancer: weights per target group, and every listener and rule with
what it does now and each change the run saw (who wrote which rule, and when)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fargate_ops_cli.local.world.provision import ProvisionedWorld
    from fargate_ops_cli.local.world.simulator import FargateSimulator
    from fargate_ops_cli.local.world.split import RouteAction


def _forward_of(elbv2: Any, arn: str) -> dict[str, int]:
    if ":listener-rule/" in arn:
        actions = elbv2.describe_rules(RuleArns=[arn])["Rules"][0]["Actions"]
    else:
        actions = elbv2.describe_listeners(ListenerArns=[arn])["Listeners"][0]["DefaultActions"]
    weights: dict[str, int] = {}
    for action in actions:
        for group in action.get("ForwardConfig", {}).get("TargetGroups", []):
            weights[group["TargetGroupArn"]] = int(group.get("Weight", 1))
        if "ForwardConfig" not in action and action.get("TargetGroupArn"):
            weights[action["TargetGroupArn"]] = 1
    return weights


def route_weights(elbv2: Any, world: ProvisionedWorld, route_arn: str | None = None) -> dict[str, int]:
    """Target group name -> weight, in the world's order. For one route: the groups its forward holds
    now. Without one: every target group of the world, as the production routes forward to it (0 when
    none does; the larger weight when two do)."""
    if route_arn is not None:
        forward = {world.target_group_name(arn): w for arn, w in _forward_of(elbv2, route_arn).items()}
        ordered = {name: forward[name] for name in world.target_groups if name in forward}
        return {**ordered, **forward}  # a group from outside the world (a third party's) comes last
    production = [r.arn for r in world.routes.values() if not r.test and r.forwards] or [world.traffic_arn()]
    merged: dict[str, int] = {}
    for arn in production:
        for tg_arn, weight in _forward_of(elbv2, arn).items():
            name = world.target_group_name(tg_arn)
            merged[name] = max(weight, merged.get(name, 0))
    return {name: merged.get(name, 0) for name in world.target_groups}


def action_view(world: ProvisionedWorld, action: RouteAction) -> dict[str, Any]:
    if action.fixed_status is not None:
        return {"fixed_response": action.fixed_status}
    return {"forward": {world.target_group_name(arn): w for arn, w in action.weights.items()}}


def listeners_report(world: ProvisionedWorld, sim: FargateSimulator) -> list[dict[str, Any]]:
    """Each listener with its default action and its rules: the action now and its history."""
    actions = sim.traffic.actions()
    listeners: dict[int, dict[str, Any]] = {}
    for key, route in world.routes.items():
        view = {
            "arn": route.arn,
            "test": route.test,
            "requests_per_minute": route.requests_per_minute,
            **action_view(world, actions[key]),
            "history": [
                {"at": datetime.fromtimestamp(c.at, UTC).isoformat(), **action_view(world, c.action)}
                for c in sim.route_watch.of(key)
            ],
        }
        if route.rule is None:
            listeners[route.listener_port] = {"port": route.listener_port, "default": view, "rules": []}
        else:
            listeners[route.listener_port]["rules"].append(
                {"name": route.rule, "priority": route.priority, **view}
            )
    return list(listeners.values())
