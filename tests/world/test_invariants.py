import pytest

from fargate_ops_cli.local.world.invariants import UnservedWeight, check
from tests.world.helpers import World, build_world, two_slots

pytestmark = pytest.mark.usefixtures("aws")


def shift(world: World, blue: int, green: int) -> None:
    groups = [
        {"TargetGroupArn": world.tg("web-blue-tg"), "Weight": blue},
        {"TargetGroupArn": world.tg("web-green-tg"), "Weight": green},
    ]
    world.client("elbv2").modify_listener(
        ListenerArn=world.provisioned.listener_arn,
        DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}],
    )


def test_a_warm_world_violates_nothing() -> None:
    world = build_world(**two_slots(blue=2, green=0))

    assert check(world.sim) == []


def test_weight_on_a_group_without_healthy_targets_is_a_violation() -> None:
    world = build_world(**two_slots(blue=2, green=0))

    shift(world, 90, 10)

    assert check(world.sim.snapshot()) == [
        "target group web-green-tg has weight 10 on listener 80 but no healthy target"
    ]


def test_weight_is_fine_once_the_group_has_a_healthy_target() -> None:
    world = build_world(**two_slots(blue=2, green=0))
    world.client("ecs").update_service(cluster="fargate-ops-demo", service="web-green", desiredCount=1)
    world.clock.advance(30)  # RUNNING, still in its initial health checks

    shift(world, 90, 10)
    assert world.sim.check_invariants() != []
    world.clock.advance(15)

    assert world.sim.check_invariants() == []


def test_unserved_weight_is_tolerated_for_one_events_delivery_and_reported_once_past_it() -> None:
    world = build_world(**two_slots(blue=2, green=0))
    unserved = UnservedWeight(tolerance_seconds=5)
    assert unserved.check(world.sim, now=0) == []

    shift(world, 90, 10)  # just after the check at 0: it may have lasted since then

    assert unserved.check(world.sim, now=5) == []  # 5 s: within one event's delivery
    (late,) = unserved.check(world.sim, now=10)
    assert late.startswith(
        "target group web-green-tg has weight 10 on listener 80 but no healthy target for 10s"
    )
    assert unserved.check(world.sim, now=15) == []  # told once per episode


def test_without_a_tolerance_any_unserved_weight_a_check_sees_is_reported() -> None:
    world = build_world(**two_slots(blue=2, green=0))
    unserved = UnservedWeight(tolerance_seconds=0)
    unserved.check(world.sim, now=0)

    shift(world, 90, 10)

    assert len(unserved.check(world.sim, now=5)) == 1
