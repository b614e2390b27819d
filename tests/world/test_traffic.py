"""ALB traffic and metrics: requests split by the listener's weights, errors and latency per image.

Datapoints become readable an ingestion delay after their minute (test_cloudwatch.py): each test waits
that long before it reads."""

from typing import Any

import pytest

from fargate_ops_cli.local.world.traffic import apportion
from tests.world.helpers import World, build_world, metric, two_slots

pytestmark = pytest.mark.usefixtures("aws")

DELAY = 120  # the default ingestion delay


def forward(world: World, blue: int, green: int) -> list[dict[str, Any]]:
    return [
        {
            "Type": "forward",
            "ForwardConfig": {
                "TargetGroups": [
                    {"TargetGroupArn": world.tg("web-blue-tg"), "Weight": blue},
                    {"TargetGroupArn": world.tg("web-green-tg"), "Weight": green},
                ]
            },
        }
    ]


def test_requests_split_by_the_listener_weights() -> None:
    world = build_world(**two_slots(blue=2, green=2), traffic={"requests_per_minute": 600})

    world.client("elbv2").modify_listener(
        ListenerArn=world.provisioned.listener_arn, DefaultActions=forward(world, 90, 10)
    )
    world.clock.advance(60 + DELAY)

    assert metric(world, "RequestCount", "Sum", "web-blue-tg") == [540.0]
    assert metric(world, "RequestCount", "Sum", "web-green-tg") == [60.0]
    assert metric(world, "RequestCount", "Sum", None) == [600.0]
    assert metric(world, "HealthyHostCount", "Minimum", "web-green-tg") == [2.0]


def test_weights_on_a_listener_rule_are_read_from_the_rule() -> None:
    world = build_world(**two_slots(blue=1, green=1), load_balancer={"listener_rule": True})
    rule_arn = world.provisioned.listener_rule_arn
    assert rule_arn is not None

    world.client("elbv2").modify_rule(RuleArn=rule_arn, Actions=forward(world, 1, 3))
    world.clock.advance(60 + DELAY)

    assert metric(world, "RequestCount", "Sum", "web-blue-tg") == [150.0]
    assert metric(world, "RequestCount", "Sum", "web-green-tg") == [450.0]


def test_each_image_answers_with_its_error_rate_and_latency() -> None:
    world = build_world(
        **two_slots(blue=1, green=1),
        traffic={"requests_per_minute": 100, "base_latency_ms": 20},
    )
    world.sim.set_image_behaviour("web:v1", {"error_rate": 0.005, "latency_ms": 230})

    world.clock.advance(600 + DELAY)

    # 0.5% of 100 requests a minute: half an error a minute, carried over exactly.
    assert metric(world, "HTTPCode_Target_5XX_Count", "Sum", "web-blue-tg", minutes=10) == [1.0] * 5
    assert metric(world, "TargetResponseTime", "Average", "web-blue-tg", minutes=1) == [0.25]
    assert metric(world, "HTTPCode_Target_2XX_Count", "Sum", None, minutes=2) == [100.0, 99.0]


def test_a_weighted_group_without_targets_gets_load_balancer_503s() -> None:
    world = build_world(**two_slots(blue=1, green=0))

    world.client("elbv2").modify_listener(
        ListenerArn=world.provisioned.listener_arn, DefaultActions=forward(world, 50, 50)
    )
    world.clock.advance(60 + DELAY)

    assert metric(world, "HTTPCode_ELB_5XX_Count", "Sum", None) == [300.0]
    assert metric(world, "RequestCount", "Sum", "web-green-tg") == []  # no target answered: no target metrics


@pytest.mark.parametrize(
    ("total", "weights", "expected"),
    [
        (600, {"a": 90, "b": 10}, {"a": 540, "b": 60}),
        (10, {"a": 1, "b": 1, "c": 1}, {"a": 4, "b": 3, "c": 3}),
        (7, {"a": 0, "b": 0}, {"a": 0, "b": 0}),
        (1, {"a": 999, "b": 1}, {"a": 1, "b": 0}),
    ],
)
def test_apportion_gives_whole_requests_that_add_up(
    total: int, weights: dict[str, int], expected: dict[str, int]
) -> None:
    assert apportion(total, weights) == expected
