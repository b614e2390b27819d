from __future__ import annotations

import pytest

from fargate_ops.domain.slots import Slot, forward_shares, is_idle_slot, live_and_idle
from fargate_ops.errors import PreflightError

BLUE = Slot("web-blue", "tg-blue")
GREEN = Slot("web-green", "tg-green")


def test_the_slot_whose_target_group_carries_traffic_is_live() -> None:
    assert live_and_idle([BLUE, GREEN], {"tg-blue": 0, "tg-green": 100}) == (GREEN, BLUE)


def test_the_first_slot_can_be_live_too() -> None:
    assert live_and_idle([BLUE, GREEN], {"tg-blue": 1, "tg-green": 0}) == (BLUE, GREEN)


@pytest.mark.parametrize("weights", [{"tg-blue": 50, "tg-green": 50}, {"tg-blue": 0, "tg-green": 0}])
def test_a_deploy_does_not_start_unless_exactly_one_slot_carries_traffic(weights: dict[str, int]) -> None:
    with pytest.raises(PreflightError, match="exactly one slot"):
        live_and_idle([BLUE, GREEN], weights)


def test_a_slot_the_listener_does_not_forward_to_fails_the_preflight() -> None:
    with pytest.raises(PreflightError, match="tg-green"):
        live_and_idle([BLUE, GREEN], {"tg-blue": 100, "tg-other": 0})


def test_an_application_has_two_slots() -> None:
    with pytest.raises(PreflightError):
        live_and_idle([BLUE], {"tg-blue": 100})


def test_a_service_whose_target_group_gets_no_traffic_beside_one_that_does_is_an_idle_slot() -> None:
    listener = forward_shares(
        [
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [
                        {"TargetGroupArn": "tg-blue", "Weight": 100},
                        {"TargetGroupArn": "tg-green", "Weight": 0},
                    ]
                },
            }
        ]
    )
    assert is_idle_slot(["tg-green"], [listener])
    assert not is_idle_slot(["tg-blue"], [listener])


def test_a_target_group_with_traffic_anywhere_or_nowhere_forwarded_is_no_idle_slot() -> None:
    rule = forward_shares([{"Type": "forward", "TargetGroupArn": "tg-green"}])  # a plain forward: all
    default = {"tg-blue": 100, "tg-green": 0}
    assert not is_idle_slot(["tg-green"], [default, rule])
    assert not is_idle_slot(["tg-other"], [default])  # no listener forwards to it: not a slot
    assert not is_idle_slot(["tg-green"], [{"tg-green": 0}])  # nothing is live beside it
