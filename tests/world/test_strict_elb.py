"""ELBv2 forward actions in the local runtime are refused where AWS refuses them (local/strict_elb.py).

Each test is a probe: moto 5.2.5 alone accepts the action; with the runtime's hooks it is refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from fargate_ops_cli.local import strict_elb
from tests.world.helpers import World, build_world, two_slots

pytestmark = pytest.mark.usefixtures("aws")


@pytest.fixture
def strict(monkeypatch: pytest.MonkeyPatch) -> None:
    for owner, name, replacement in strict_elb.patches():
        monkeypatch.setattr(owner, name, replacement)


@pytest.fixture
def world(strict: None) -> World:
    return build_world(run=False, **two_slots())


@pytest.fixture
def rule_world(strict: None) -> World:
    return build_world(run=False, **two_slots(load_balancer={"listener_rule": True}))


def forward(groups: list[tuple[str, Any]], **extra: Any) -> list[dict[str, Any]]:
    config: dict[str, Any] = {"TargetGroups": [{"TargetGroupArn": arn, "Weight": w} for arn, w in groups]}
    config.update(extra.pop("config", {}))
    return [{"Type": "forward", "ForwardConfig": config, **extra}]


def refusal(call: Any) -> tuple[str, str]:
    with pytest.raises(ClientError) as refused:
        call()
    error = refused.value.response["Error"]
    return str(error["Code"]), str(error["Message"])


def set_listener(world: World, actions: list[dict[str, Any]]) -> Any:
    return world.client("elbv2").modify_listener(
        ListenerArn=world.provisioned.listener_arn, DefaultActions=actions
    )


def more_target_groups(world: World, count: int) -> list[str]:
    elbv2 = world.client("elbv2")
    vpc = elbv2.describe_target_groups(TargetGroupArns=[world.tg("web-blue-tg")])["TargetGroups"][0]["VpcId"]
    return [
        elbv2.create_target_group(Name=f"extra-{i}", Protocol="HTTP", Port=80, VpcId=vpc, TargetType="ip")[
            "TargetGroups"
        ][0]["TargetGroupArn"]
        for i in range(count)
    ]


def test_a_weight_above_999_is_refused_with_aws_s_message(world: World) -> None:
    blue, green = world.tg("web-blue-tg"), world.tg("web-green-tg")
    code, message = refusal(lambda: set_listener(world, forward([(blue, 1000), (green, 0)])))
    assert (code, message) == ("ValidationError", strict_elb.WEIGHT_OUT_OF_RANGE)


def test_a_negative_weight_is_refused_on_a_listener_rule(rule_world: World) -> None:
    blue, green = rule_world.tg("web-blue-tg"), rule_world.tg("web-green-tg")
    rule = rule_world.provisioned.listener_rule_arn
    code, _ = refusal(
        lambda: rule_world.client("elbv2").modify_rule(
            RuleArn=rule, Actions=forward([(blue, -1), (green, 1)])
        )
    )
    assert code == "ValidationError"


def test_weights_0_and_999_are_the_bounds_and_are_accepted(world: World) -> None:
    blue, green = world.tg("web-blue-tg"), world.tg("web-green-tg")
    set_listener(world, forward([(blue, 999), (green, 0)]))
    listener = world.client("elbv2").describe_listeners(ListenerArns=[world.provisioned.listener_arn])
    groups = listener["Listeners"][0]["DefaultActions"][0]["ForwardConfig"]["TargetGroups"]
    assert [g["Weight"] for g in groups] == [999, 0]


def test_a_forward_action_holds_at_most_five_target_groups(world: World) -> None:
    groups = [world.tg("web-blue-tg"), world.tg("web-green-tg"), *more_target_groups(world, 4)]
    code, _ = refusal(lambda: set_listener(world, forward([(arn, 1) for arn in groups])))
    assert code == "ValidationError"
    set_listener(world, forward([(arn, 1) for arn in groups[:5]]))


def test_a_target_group_that_does_not_exist_is_refused_by_modify_listener(world: World) -> None:
    blue = world.tg("web-blue-tg")
    gone = blue.replace("web-blue-tg", "nowhere-tg")
    code, _ = refusal(lambda: set_listener(world, forward([(blue, 1), (gone, 1)])))
    assert code == "TargetGroupNotFound"


def test_a_target_group_arn_beside_a_forward_config_must_be_its_only_group(world: World) -> None:
    blue, green = world.tg("web-blue-tg"), world.tg("web-green-tg")
    code, _ = refusal(lambda: set_listener(world, forward([(blue, 1), (green, 1)], TargetGroupArn=blue)))
    assert code == "ValidationError"
    set_listener(world, forward([(blue, 1)], TargetGroupArn=blue))


def test_enabled_stickiness_needs_a_duration_of_at_most_seven_days(world: World) -> None:
    blue, green = world.tg("web-blue-tg"), world.tg("web-green-tg")
    pair = [(blue, 50), (green, 50)]
    for stickiness in ({"Enabled": True}, {"Enabled": True, "DurationSeconds": 604_801}):
        code, _ = refusal(
            lambda s=stickiness: set_listener(world, forward(pair, config={"TargetGroupStickinessConfig": s}))
        )
        assert code == "ValidationError", stickiness
    set_listener(
        world,
        forward(pair, config={"TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": 3600}}),
    )
