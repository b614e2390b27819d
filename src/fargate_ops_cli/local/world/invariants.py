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


class UnservedWeight:
    """The promise as the application can keep it: weight on a target group without a healthy target
    for no longer than one event's delivery.

    The application learns that green lost its last healthy target from ECS's event about the task
    (ELB emits none for target health), and takes green's weight away when that event is delivered. So a
    short overlap is unavoidable, in AWS too: the target leaves at once, ECS notices a target that fails
    its health checks on its next look (one reconcile step of the world, ``reconcile_seconds``), and
    EventBridge may deliver the event late (the scenario's ``event_delivery.max_delay_seconds``; 0 when
    delivery is immediate). ``tolerance_seconds`` is their sum: anything longer is the application's
    fault.

    Checks come every few seconds, so a state's duration is counted from the last check that did *not*
    see it (the longest it can have lasted): with no tolerance this is the instantaneous ``check``.
    """

    def __init__(self, tolerance_seconds: float) -> None:
        self.tolerance_seconds = tolerance_seconds
        self._since: dict[str, float] = {}
        self._last_check: float | None = None
        self._reported: set[str] = set()

    def check(self, world: WorldSnapshot | SupportsSnapshot, now: float) -> list[str]:
        seen = set(check(world))
        previous = self._last_check if self._last_check is not None else now
        self._since = {problem: self._since.get(problem, previous) for problem in seen}
        self._reported &= seen
        self._last_check = now
        late = [
            (problem, now - since)
            for problem, since in sorted(self._since.items())
            if now - since > self.tolerance_seconds and problem not in self._reported
        ]
        self._reported.update(problem for problem, _ in late)  # once per episode, when it passes the bound
        return [
            f"{problem} for {lasted:.0f}s (longer than one event's delivery, {self.tolerance_seconds:.0f}s)"
            for problem, lasted in late
        ]
