"""Properties that must hold at every instant of a run, whatever the application does.

The one fargate-ops promises its users: traffic never goes to a target group that cannot serve it
(weight > 0 on a group with no healthy target means users get errors from the fail-open or ELB 503s),
on any listener or rule, test ones included (a validation hook would test a group that cannot answer).
"""

from __future__ import annotations

from typing import Protocol

from fargate_ops_cli.local.world.snapshot import WorldSnapshot


class SupportsSnapshot(Protocol):
    def snapshot(self) -> WorldSnapshot: ...


def check(world: WorldSnapshot | SupportsSnapshot) -> list[str]:
    snapshot = world if isinstance(world, WorldSnapshot) else world.snapshot()
    routes = [(r.label, r.weights) for r in snapshot.routes] or [("the listener", snapshot.weights)]
    violations = []
    for label, weights in routes:
        for tg_arn, weight in weights.items():
            if weight > 0 and snapshot.healthy_targets(tg_arn) == 0:
                name = snapshot.target_group_names.get(tg_arn, tg_arn)
                violations.append(f"target group {name} has weight {weight} on {label} but no healthy target")
    return violations
