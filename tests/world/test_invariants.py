import pytest

from fargate_ops_cli.local.world.invariants import check
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
