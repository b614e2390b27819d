"""Green without a healthy target loses its weight on the event, unless someone else owns the listener now."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fargate_ops.aws.records import WaitRecord
from fargate_ops.reactions.deploy_waits.green_health import TAKEN_BY, take_weight_if_unserved

BLUE, GREEN, LISTENER = "tg/blue", "tg/green", "arn:listener"


def forward(blue: int, green: int) -> list[dict[str, Any]]:
    groups = [{"TargetGroupArn": BLUE, "Weight": blue}, {"TargetGroupArn": GREEN, "Weight": green}]
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]


@dataclass
class FakeElb:
    live: list[dict[str, Any]]
    healthy: int = 0
    written: list[dict[str, int]] = field(default_factory=list)

    def healthy_targets(self, arn: str) -> int:
        return self.healthy

    def actions(self, arn: str) -> list[dict[str, Any]]:
        return self.live

    def set_weights(self, arn: str, weights: dict[str, int], current_actions: Any = None) -> bool:
        self.written.append(dict(weights))
        self.live = forward(weights[BLUE], weights[GREEN])
        return True

    def verify_weights(self, arn: str, weights: dict[str, int]) -> None:
        assert self.live == forward(weights[BLUE], weights[GREEN])


@dataclass
class FakeStore:
    record: dict[str, Any]
    appended: list[dict[str, Any]] = field(default_factory=list)

    def get_deploy(self, deploy_id: str) -> dict[str, Any]:
        return self.record

    def append_weights(self, deploy_id: str, execution: str, entry: dict[str, Any]) -> None:
        self.appended.append(entry)


@dataclass
class FakeReactor:
    elbv2: FakeElb
    store: FakeStore


WAIT = WaitRecord("shop", "web-green", "t", "d1", "bake", task_definition="web:2", since=0.0, expires_at=0)


def record(green_weight: int) -> dict[str, Any]:
    return {
        "status": "RUNNING",
        "execution": "exec-1",
        "listener_arn": LISTENER,
        "live": {"target_group_arn": BLUE},
        "green": {"target_group_arn": GREEN},
        "weights": {BLUE: 100 - green_weight, GREEN: green_weight},
    }


def test_green_with_weight_and_no_healthy_target_gives_it_back_to_blue_and_records_it() -> None:
    reactor = FakeReactor(FakeElb(forward(90, 10)), FakeStore(record(10)))

    done = take_weight_if_unserved(WAIT, reactor)  # type: ignore[arg-type]

    assert done == "green has no healthy target: its weight went back to blue"
    assert reactor.elbv2.written == [{BLUE: 100, GREEN: 0}]
    (entry,) = reactor.store.appended
    assert entry["weights"] == {BLUE: 100, GREEN: 0} and entry["by"] == TAKEN_BY


def test_a_listener_someone_else_changed_is_left_alone_for_the_next_shift_to_stop_on() -> None:
    reactor = FakeReactor(FakeElb(forward(50, 50)), FakeStore(record(10)))

    done = take_weight_if_unserved(WAIT, reactor)  # type: ignore[arg-type]

    assert done is not None and done.endswith("left alone")
    assert reactor.elbv2.written == [] and reactor.store.appended == []


def test_green_with_a_healthy_target_or_without_weight_is_not_touched() -> None:
    serving = FakeReactor(FakeElb(forward(90, 10), healthy=1), FakeStore(record(10)))
    idle = FakeReactor(FakeElb(forward(100, 0)), FakeStore(record(0)))

    assert take_weight_if_unserved(WAIT, serving) is None  # type: ignore[arg-type]
    assert take_weight_if_unserved(WAIT, idle) is None  # type: ignore[arg-type]
    assert serving.elbv2.written == idle.elbv2.written == []
