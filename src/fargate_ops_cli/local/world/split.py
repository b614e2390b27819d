"""Which requests go where this minute: each route's requests split by that route's forward weights.

Pure (no moto): traffic.py reads what every route does now from ELB, calls `split_minute`, and then
serves and publishes what the split says. Whether a target group can answer (healthy targets, fail
open, no target at all) is serving, not routing, and stays in traffic.py.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K")


def apportion(total: int, weights: dict[K, int]) -> dict[K, int]:
    """Splits `total` in proportion to `weights`, in whole requests (largest remainder, ties in order)."""
    weight_sum = sum(max(w, 0) for w in weights.values())
    if total <= 0 or weight_sum == 0:
        return {k: 0 for k in weights}
    exact = {k: Fraction(total * max(w, 0), weight_sum) for k, w in weights.items()}
    shares = {k: int(v) for k, v in exact.items()}
    order = sorted(weights, key=lambda k: -(exact[k] - shares[k]))  # stable: earlier keys win ties
    for k in order[: total - sum(shares.values())]:
        shares[k] += 1
    return shares


@dataclass(frozen=True)
class RouteAction:
    """What a route does now, as ELB holds it: forward weights (target group ARN -> weight), or a
    fixed response the load balancer answers by itself."""

    weights: dict[str, int] = field(default_factory=dict)
    fixed_status: int | None = None


@dataclass(frozen=True)
class RouteLoad:
    route: str  # the route's key: "listener 80", "rule web"
    requests: int
    action: RouteAction


@dataclass(frozen=True)
class MinuteSplit:
    by_route: dict[str, dict[str, int]]  # route key -> target group ARN -> requests
    answered_by_elb: dict[int, int]  # status code -> requests the load balancer answered itself

    def target_groups(self) -> dict[str, int]:
        """Requests per target group over every route (ALB publishes per target group, not per rule)."""
        totals: dict[str, int] = {}
        for groups in self.by_route.values():
            for arn, requests in groups.items():
                totals[arn] = totals.get(arn, 0) + requests
        return totals


def split_minute(loads: Iterable[RouteLoad]) -> MinuteSplit:
    by_route: dict[str, dict[str, int]] = {}
    answered: dict[int, int] = {}
    for load in loads:
        action = load.action
        if action.fixed_status is not None:
            answered[action.fixed_status] = answered.get(action.fixed_status, 0) + load.requests
            continue
        if load.requests and not any(w > 0 for w in action.weights.values()):
            # No forward action with weight (someone removed it): nothing to send to, ELB answers 503.
            answered[503] = answered.get(503, 0) + load.requests
        by_route[load.route] = apportion(load.requests, action.weights)
    return MinuteSplit(by_route, answered)
