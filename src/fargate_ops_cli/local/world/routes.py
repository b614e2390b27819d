"""The world's listeners and rules as created in moto: one `ProvisionedRoute` per listener default
action and per rule, each knowing its ARN, the target groups its declared forward names, whether it
is a test route, and its requests a minute."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from fargate_ops_cli.local.world.spec import WorldSpec
from fargate_ops_cli.local.world.split import RouteAction


@dataclass(frozen=True)
class ProvisionedRoute:
    key: str  # "listener 80" (a default action) or "rule web"
    label: str  # "listener 80", "rule web (listener 80)"
    arn: str  # the listener's ARN for a default action, else the rule's
    listener_arn: str
    listener_port: int
    rule: str | None
    priority: int | None
    test: bool
    target_groups: tuple[str, ...]  # names, as the declared forward lists them
    requests_per_minute: int

    @property
    def forwards(self) -> bool:
        return bool(self.target_groups)


def create_routes(
    elbv2: Any, spec: WorldSpec, lb_arn: str, tg_arns: dict[str, str]
) -> list[ProvisionedRoute]:
    """CreateListener for each listener (its default action), then CreateRule for each of its rules."""
    requests = spec.requests_per_route()
    by_port: dict[int, str] = {}
    rule_arns: dict[tuple[int, int], str] = {}
    for listener in spec.listeners():
        by_port[listener.port] = elbv2.create_listener(
            LoadBalancerArn=lb_arn,
            Protocol="HTTP",
            Port=listener.port,
            DefaultActions=listener.default.elbv2(tg_arns),
        )["Listeners"][0]["ListenerArn"]
        for rule in listener.rules:
            rule_arns[(listener.port, rule.priority)] = elbv2.create_rule(
                ListenerArn=by_port[listener.port],
                Priority=rule.priority,
                Actions=rule.elbv2(tg_arns),
                Conditions=rule.conditions.elbv2(),
            )["Rules"][0]["RuleArn"]
    return [
        ProvisionedRoute(
            key=route.key,
            label=route.label,
            arn=by_port[route.listener_port]
            if route.priority is None
            else rule_arns[(route.listener_port, route.priority)],
            listener_arn=by_port[route.listener_port],
            listener_port=route.listener_port,
            rule=route.rule,
            priority=route.priority,
            test=route.test,
            target_groups=tuple(route.target_groups),
            requests_per_minute=requests[route.key],
        )
        for route in spec.routes()
    ]


def routes_forwarding_to(
    routes: Iterable[ProvisionedRoute], target_groups: Iterable[str], test: bool
) -> list[ProvisionedRoute]:
    """The production (or test) routes whose declared forward holds every one of `target_groups`."""
    wanted = set(target_groups)
    return [r for r in routes if r.test == test and wanted and wanted <= set(r.target_groups)]


@dataclass(frozen=True)
class RouteChange:
    at: float
    route: str  # key
    action: RouteAction


class RouteWatch:
    """Every change of every route's action, as the simulator sees it at each reconcile (5 virtual s):
    who wrote which listener or rule when (the report's `listeners[].history`)."""

    def __init__(self) -> None:
        self.changes: list[RouteChange] = []
        self._last: dict[str, RouteAction] = {}

    def observe(self, now: float, actions: dict[str, RouteAction]) -> None:
        for key, action in actions.items():
            if self._last.get(key) != action:
                self._last[key] = action
                self.changes.append(RouteChange(now, key, action))

    def of(self, key: str) -> list[RouteChange]:
        return [c for c in self.changes if c.route == key]
