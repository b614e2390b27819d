from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import Any

import boto3
import pytest

from fargate_ops import clients
from fargate_ops.aws.elbv2 import Elbv2Adapter
from fargate_ops.errors import ListenerNotFoundError

CountCalls = Callable[[str], Counter[str]]


@pytest.fixture
def elbv2() -> Elbv2Adapter:
    return Elbv2Adapter(clients.client("elbv2"))


def listener_weights(arn: str) -> dict[str, int]:
    actions = boto3.client("elbv2").describe_listeners(ListenerArns=[arn])["Listeners"][0]["DefaultActions"]
    return {g["TargetGroupArn"]: g["Weight"] for g in actions[0]["ForwardConfig"]["TargetGroups"]}


def test_weights_are_read_from_a_listener(elbv2: Elbv2Adapter, world: Any) -> None:
    assert elbv2.weights(world.listener_arn) == {world.blue_tg: 100, world.green_tg: 0}


def test_weights_are_read_from_a_listener_rule(elbv2: Elbv2Adapter, world: Any) -> None:
    assert elbv2.weights(world.rule_arn) == {world.blue_tg: 100, world.green_tg: 0}


def test_new_weights_are_set_on_the_listener(elbv2: Elbv2Adapter, world: Any) -> None:
    changed = elbv2.set_weights(world.listener_arn, {world.blue_tg: 0, world.green_tg: 100})

    assert changed is True
    assert listener_weights(world.listener_arn) == {world.blue_tg: 0, world.green_tg: 100}


def test_weights_already_in_place_are_not_sent_again(
    elbv2: Elbv2Adapter, world: Any, api_calls: CountCalls
) -> None:
    calls = api_calls("elbv2")

    changed = elbv2.set_weights(world.listener_arn, {world.blue_tg: 100, world.green_tg: 0})

    assert changed is False
    assert calls == Counter({"DescribeListeners": 1})


def test_actions_the_caller_already_holds_spare_the_describe_call(
    elbv2: Elbv2Adapter, world: Any, api_calls: CountCalls
) -> None:
    held = elbv2.actions(world.listener_arn)
    calls = api_calls("elbv2")

    changed = elbv2.set_weights(
        world.listener_arn, {world.blue_tg: 10, world.green_tg: 90}, current_actions=held
    )

    assert changed is True
    assert calls == Counter({"ModifyListener": 1})
    assert listener_weights(world.listener_arn) == {world.blue_tg: 10, world.green_tg: 90}


def test_a_listener_arn_is_modified_with_modify_listener_only(
    elbv2: Elbv2Adapter, world: Any, api_calls: CountCalls
) -> None:
    calls = api_calls("elbv2")

    elbv2.set_weights(world.listener_arn, {world.blue_tg: 0, world.green_tg: 100})

    assert calls["ModifyListener"] == 1 and calls["ModifyRule"] == 0


def test_a_rule_arn_is_modified_with_modify_rule_and_leaves_the_listener_alone(
    elbv2: Elbv2Adapter, world: Any, api_calls: CountCalls
) -> None:
    calls = api_calls("elbv2")

    elbv2.set_weights(world.rule_arn, {world.blue_tg: 0, world.green_tg: 100})

    assert calls["ModifyRule"] == 1 and calls["ModifyListener"] == 0
    assert elbv2.weights(world.rule_arn) == {world.blue_tg: 0, world.green_tg: 100}
    assert listener_weights(world.listener_arn) == {world.blue_tg: 100, world.green_tg: 0}


def test_a_missing_listener_is_a_listener_not_found_error(elbv2: Elbv2Adapter, world: Any) -> None:
    missing = world.listener_arn.rsplit("/", 1)[0] + "/0000000000000000"

    with pytest.raises(ListenerNotFoundError):
        elbv2.weights(missing)
