"""CloudWatch as it behaves: datapoints readable only after an ingestion delay, minutes counted as the
traffic flowed, alarms evaluated on what CloudWatch can read."""

from typing import Any

import pytest

from fargate_ops_cli.local import moto_hooks
from tests.world.helpers import START, World, build_world, metric_result, two_slots

pytestmark = pytest.mark.usefixtures("aws")

DELAY = 120  # the default ingestion delay


def forward(world: World, blue: int, green: int) -> list[dict[str, Any]]:
    groups = [
        {"TargetGroupArn": world.tg("web-blue-tg"), "Weight": blue},
        {"TargetGroupArn": world.tg("web-green-tg"), "Weight": green},
    ]
    return [{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}]


def per_minute(world: World, name: str, target_group: str | None, stat: str = "Sum") -> dict[int, float]:
    """The first 10 minutes: minute index -> value, for the minutes CloudWatch can read now."""
    result = metric_result(world, name, stat, target_group, minutes=10)
    return {
        int((t.timestamp() - START) // 60): v
        for t, v in zip(result["Timestamps"], result["Values"], strict=True)
    }


def alarm_changes(world: World) -> list[tuple[float, str]]:
    return [
        (e.time - START, e.detail["state"]["value"]) for e in world.sink.of("CloudWatch Alarm State Change")
    ]


def test_a_minutes_datapoints_are_not_readable_until_the_ingestion_delay_has_passed() -> None:
    world = build_world(**two_slots(blue=2), traffic={"requests_per_minute": 600})

    world.clock.advance(60 + DELAY - 1)
    assert per_minute(world, "RequestCount", None) == {}
    world.clock.advance(1)

    assert per_minute(world, "RequestCount", None) == {0: 600.0}  # stamped with its own minute


def test_a_scenario_sets_its_own_ingestion_delay() -> None:
    world = build_world(**two_slots(blue=2), cloudwatch={"ingestion_delay_seconds": 90})

    world.clock.advance(60 + 89)
    assert per_minute(world, "RequestCount", "web-blue-tg") == {}
    world.clock.advance(1)  # half way between two minute ticks: CloudWatch does not wait for one

    assert per_minute(world, "RequestCount", "web-blue-tg") == {0: 600.0}


def test_a_weight_change_mid_minute_splits_that_minutes_requests() -> None:
    world = build_world(**two_slots(blue=2, green=2), traffic={"requests_per_minute": 600})
    with moto_hooks.world_hooks(world.sim):
        world.clock.advance(30)
        world.client("elbv2").modify_listener(
            ListenerArn=world.provisioned.listener_arn, DefaultActions=forward(world, 50, 50)
        )
        world.clock.advance(60 + 60 + DELAY - 30)

    # Minute 0: 30 s all on blue (300), then 30 s half and half (150 each); minute 1 half and half.
    assert per_minute(world, "RequestCount", "web-blue-tg") == {0: 450.0, 1: 300.0}
    assert per_minute(world, "RequestCount", "web-green-tg") == {0: 150.0, 1: 300.0}
    assert per_minute(world, "RequestCount", None) == {0: 600.0, 1: 600.0}


def test_between_two_reconciles_a_weight_change_counts_from_the_next_one_without_the_hook() -> None:
    world = build_world(**two_slots(blue=2, green=2), traffic={"requests_per_minute": 600})

    world.clock.advance(32)
    world.client("elbv2").modify_listener(
        ListenerArn=world.provisioned.listener_arn, DefaultActions=forward(world, 50, 50)
    )
    world.clock.advance(60 + DELAY - 32)

    # The simulator sees the change at its reconcile at 35 s: 25 s of 600 a minute, half to green.
    assert per_minute(world, "RequestCount", "web-green-tg") == {0: 125.0}


def test_an_image_that_starts_failing_mid_minute_fails_only_the_requests_after() -> None:
    world = build_world(**two_slots(blue=2), traffic={"requests_per_minute": 600, "base_latency_ms": 20})

    world.clock.advance(30)
    world.sim.set_image_behaviour("web:v1", {"error_rate": 0.1, "latency_ms": 80})
    world.clock.advance(30 + DELAY)

    assert per_minute(world, "HTTPCode_Target_5XX_Count", "web-blue-tg") == {0: 30.0}  # 10% of 300
    latency = per_minute(world, "TargetResponseTime", "web-blue-tg", stat="Average")
    assert latency[0] == pytest.approx(0.06)  # half the minute at 20 ms, half at 100 ms


def test_an_alarm_does_not_fire_on_data_not_yet_ingested() -> None:
    alarm = {"name": "green-5xx", "metric": "HTTPCode_Target_5XX_Count", "target_group": "web-green-tg"}
    world = build_world(
        **two_slots(blue=1, green=1, image="web:v2"),
        images={"web:v2": {"error_rate": 0.1}},
        alarms=[{**alarm, "threshold": 5}],
    )
    world.client("elbv2").modify_listener(
        ListenerArn=world.provisioned.listener_arn, DefaultActions=forward(world, 50, 50)
    )

    world.clock.advance(60 + DELAY - 1)
    assert alarm_changes(world) == [(60, "OK")]  # nothing readable yet: missing, treated as not breaching
    world.clock.advance(1)

    assert alarm_changes(world) == [(60, "OK"), (180, "ALARM")]
    reason = world.sink.events[-1].detail["state"]["reason"]
    assert reason.startswith("Threshold Crossed: 1 out of the last 1 datapoints [30.0 (05/01/26 09:00:00)]")


def test_an_alarm_with_a_longer_period_adds_up_its_minutes() -> None:
    alarm = {"name": "errors", "metric": "HTTPCode_Target_5XX_Count", "period_seconds": 120, "threshold": 10}
    world = build_world(
        **two_slots(blue=1),
        traffic={"requests_per_minute": 100},
        images={"web:v1": {"error_rate": 0.06}},
        alarms=[alarm],
    )

    # 6 errors a minute: one minute readable (6) is under 10; two minutes of one period (12) are over.
    world.clock.advance(60 + DELAY)
    assert alarm_changes(world)[-1][1] == "OK"
    world.clock.advance(60)

    assert alarm_changes(world)[-1] == (240, "ALARM")
