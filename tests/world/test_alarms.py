"""CloudWatch alarms evaluated each minute from the ALB metrics CloudWatch has ingested (an ingestion delay
after each minute: test_cloudwatch.py)."""

import json
from typing import Any

import pytest

from tests.world.helpers import World, build_world, two_slots

pytestmark = pytest.mark.usefixtures("aws")

# The "CloudWatch Alarm State Change" example of the CloudWatch user guide (Alarm events and EventBridge).
DETAIL_KEYS = {"alarmName", "configuration", "previousState", "state"}
STATE_KEYS = {"reason", "reasonData", "timestamp", "value"}
METRIC_KEYS = {"id", "metricStat", "returnData"}
DELAY = 120  # the default ingestion delay


def green_errors(threshold: float = 5, **alarm: Any) -> dict[str, Any]:
    return {
        "name": "green-5xx",
        "metric": "HTTPCode_Target_5XX_Count",
        "target_group": "web-green-tg",
        "threshold": threshold,
        "description": "green answers 5xx",
        **alarm,
    }


def half_traffic_on_green(world: World) -> None:
    groups = [
        {"TargetGroupArn": world.tg("web-blue-tg"), "Weight": 50},
        {"TargetGroupArn": world.tg("web-green-tg"), "Weight": 50},
    ]
    world.client("elbv2").modify_listener(
        ListenerArn=world.provisioned.listener_arn,
        DefaultActions=[{"Type": "forward", "ForwardConfig": {"TargetGroups": groups}}],
    )


def alarm_state(world: World, name: str) -> dict[str, Any]:
    alarm: dict[str, Any] = world.client("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"][0]
    return alarm


def test_an_alarm_fires_on_green_errors_and_emits_its_state_change() -> None:
    world = build_world(**two_slots(blue=1, green=1, image="web:v2"), alarms=[green_errors()])
    world.sim.set_image_behaviour("web:v2", {"error_rate": 0.1})
    half_traffic_on_green(world)

    world.clock.advance(60 + DELAY)

    changes = world.sink.of("CloudWatch Alarm State Change")
    assert [(c.source, c.detail["previousState"]["value"], c.detail["state"]["value"]) for c in changes] == [
        ("aws.cloudwatch", "INSUFFICIENT_DATA", "OK"),  # a minute in: nothing readable, not breaching
        ("aws.cloudwatch", "OK", "ALARM"),
    ]
    detail = changes[-1].detail
    assert detail.keys() == DETAIL_KEYS and detail["state"].keys() == STATE_KEYS
    assert changes[-1].resources == [world.provisioned.alarms["green-5xx"]]
    metric = detail["configuration"]["metrics"][0]
    assert metric.keys() == METRIC_KEYS
    assert metric["metricStat"]["metric"]["dimensions"]["TargetGroup"].startswith("targetgroup/web-green-tg/")
    assert detail["state"]["reason"].startswith(
        "Threshold Crossed: 1 out of the last 1 datapoints [30.0 (05/01/26 09:00:00)]"
    )
    assert json.loads(detail["state"]["reasonData"])["recentDatapoints"] == [30.0]
    assert detail["state"]["timestamp"] == "2026-01-05T09:03:00.000+0000"
    assert alarm_state(world, "green-5xx")["StateValue"] == "ALARM"


def test_an_alarm_returns_to_ok_when_the_errors_stop() -> None:
    world = build_world(**two_slots(blue=1, green=1, image="web:v2"), alarms=[green_errors()])
    world.sim.set_image_behaviour("web:v2", {"error_rate": 0.1})
    half_traffic_on_green(world)
    world.clock.advance(60 + DELAY)

    world.sim.set_image_behaviour("web:v2", "healthy")
    # The minutes that failed before stay readable in the evaluation range (3 periods) for 2 more minutes.
    world.clock.advance(120)
    assert alarm_state(world, "green-5xx")["StateValue"] == "ALARM"
    world.clock.advance(60)

    last = world.sink.of("CloudWatch Alarm State Change")[-1].detail
    assert (last["previousState"]["value"], last["state"]["value"]) == ("ALARM", "OK")
    assert last["previousState"].keys() == STATE_KEYS
    assert alarm_state(world, "green-5xx")["StateValue"] == "OK"


def test_an_alarm_needs_its_datapoints_to_alarm() -> None:
    slow = {
        "name": "slow",
        "metric": "TargetResponseTime",
        "threshold": 0.2,
        "evaluation_periods": 3,
        "datapoints_to_alarm": 2,
    }
    world = build_world(**two_slots(blue=1), alarms=[slow], images={"web:v1": {"latency_ms": 500}})

    world.clock.advance(60 + DELAY)  # one breaching datapoint readable: 1 of 3, not 2
    assert [c.detail["state"]["value"] for c in world.sink.of("CloudWatch Alarm State Change")] == ["OK"]
    world.clock.advance(60)

    states = [c.detail["state"]["value"] for c in world.sink.of("CloudWatch Alarm State Change")]
    assert states == ["OK", "ALARM"]
    assert (
        "minimum 2 datapoints for OK -> ALARM transition" in world.sink.events[-1].detail["state"]["reason"]
    )


def test_a_quiet_alarm_stays_ok_without_traffic() -> None:
    world = build_world(**two_slots(blue=1, green=1), alarms=[green_errors()])

    world.clock.advance(300)

    changes = world.sink.of("CloudWatch Alarm State Change")
    assert [c.detail["state"]["value"] for c in changes] == ["OK"]
    assert "treated as [NonBreaching]" in changes[0].detail["state"]["reason"]
