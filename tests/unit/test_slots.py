from __future__ import annotations

import pytest

from fargate_ops.domain.slots import Slot, live_and_idle
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
