from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fargate_ops.domain import traffic
from fargate_ops.domain.traffic import InvalidPlanError, TrafficPlan, TrafficStep


def test_all_at_once_is_a_single_step_to_everything() -> None:
    assert traffic.all_at_once().weights == [100]


def test_canary_bakes_on_its_share_then_sends_everything() -> None:
    plan = traffic.canary(10, 300)

    assert plan.steps == (TrafficStep(10, 300), TrafficStep(100, 0))
    assert plan.total_bake_seconds == 300


def test_linear_grows_by_equal_steps_and_ends_at_everything() -> None:
    assert traffic.linear(30, 60).weights == [30, 60, 90, 100]


def test_custom_steps_drop_the_bake_after_the_last_step() -> None:
    plan = traffic.custom([(1, 60), (5, 60), (25, 120), (100, 999)])

    assert plan.weights == [1, 5, 25, 100]
    assert plan.steps[-1].bake_seconds == 0


@pytest.mark.parametrize(
    "weights",
    [[], [50], [10, 10, 100], [50, 20, 100], [0, 100], [100, 101]],
)
def test_plans_that_cannot_be_followed_are_rejected(weights: list[int]) -> None:
    with pytest.raises(InvalidPlanError):
        TrafficPlan(tuple(TrafficStep(w) for w in weights))


def test_a_step_outside_the_plan_is_an_error() -> None:
    with pytest.raises(InvalidPlanError):
        traffic.all_at_once().step(1)


def test_weights_for_a_step_send_the_rest_to_the_live_slot() -> None:
    assert traffic.weights_for(10, "tg-live", "tg-green") == {"tg-live": 90, "tg-green": 10}


@given(st.sets(st.integers(min_value=1, max_value=99), max_size=20), st.integers(min_value=0, max_value=3600))
def test_any_increasing_list_of_shares_makes_a_valid_plan_ending_at_everything(
    shares: set[int], bake: int
) -> None:
    plan = traffic.custom([(w, bake) for w in sorted(shares)] + [(100, bake)])

    assert plan.weights[-1] == 100
    assert plan.weights == sorted(set(plan.weights))
    assert plan.is_last(len(plan.steps) - 1)


@given(st.integers(min_value=1, max_value=100), st.integers(min_value=0, max_value=3600))
def test_linear_plans_never_step_by_more_than_asked(step: int, bake: int) -> None:
    weights = traffic.linear(step, bake).weights

    assert weights[-1] == 100
    assert all(0 < b - a <= step for a, b in zip([0, *weights], weights, strict=False))


@given(st.integers(min_value=0, max_value=100))
def test_listener_weights_always_add_up_to_everything(share: int) -> None:
    weights = traffic.weights_for(share, "live", "green")

    assert sum(weights.values()) == 100
    assert weights["green"] == share
