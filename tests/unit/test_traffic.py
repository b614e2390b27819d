"""Traffic step plans and strategies: examples, then properties over every plan a person can write."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fargate_ops.domain import traffic
from fargate_ops.domain.strategy import MAX_BAKE_SECONDS, InvalidStrategyError, parse_duration, parse_strategy
from fargate_ops.domain.traffic import InvalidPlanError, TrafficPlan, TrafficStep


def test_all_at_once_is_one_step_to_everything() -> None:
    assert traffic.all_at_once().percents == [100]


def test_a_canary_bakes_its_share_then_sends_everything() -> None:
    plan = traffic.canary(10, 300)

    assert plan.steps == (TrafficStep(10, 300), TrafficStep(100, 0))
    assert plan.total_bake_seconds == 300


def test_linear_steps_end_at_everything_even_when_the_step_does_not_divide_it() -> None:
    assert traffic.linear(30, 60).percents == [30, 60, 90, 100]


def test_a_custom_plan_keeps_its_gates() -> None:
    plan = traffic.custom([(1, 60, None), (5, 60, "approval"), (100, 0, None)])

    assert plan.gates == 1
    assert plan.with_first_gate().gates == 2


@pytest.mark.parametrize(
    "steps",
    [
        [],
        [TrafficStep(50), TrafficStep(40), TrafficStep(100)],
        [TrafficStep(0), TrafficStep(100)],
        [TrafficStep(50)],
        [TrafficStep(50, -1), TrafficStep(100)],
        [TrafficStep(100, 60)],
    ],
)
def test_plans_that_cannot_be_followed_are_refused(steps: list[TrafficStep]) -> None:
    with pytest.raises(InvalidPlanError):
        TrafficPlan(tuple(steps))


def test_a_step_outside_the_plan_is_refused() -> None:
    with pytest.raises(InvalidPlanError):
        traffic.all_at_once().step(1)


def test_weights_for_a_step_send_the_rest_to_the_live_slot() -> None:
    assert traffic.weights_for(10, "tg-live", "tg-green") == {"tg-live": 90, "tg-green": 10}


@pytest.mark.parametrize(
    ("live", "percent", "green"), [(4, 25, 1), (4, 26, 2), (3, 10, 1), (10, 50, 5), (2, 100, 2), (0, 10, 1)]
)
def test_green_gets_tasks_for_its_share_rounded_up(live: int, percent: int, green: int) -> None:
    assert traffic.green_share_count(live, percent) == green


@pytest.mark.parametrize(
    ("text", "seconds"), [(300, 300), ("300", 300), ("90s", 90), ("5m", 300), ("1h30m", 5400)]
)
def test_durations_read_as_people_write_them(text: Any, seconds: int) -> None:
    assert parse_duration(text, "bake") == seconds


@pytest.mark.parametrize("text", ["", "5 minutes", -3, 1.5, True, "1d", MAX_BAKE_SECONDS + 1])
def test_what_is_not_a_duration_names_the_field(text: Any) -> None:
    with pytest.raises(InvalidStrategyError) as caught:
        parse_duration(text, "strategy.bake")

    assert caught.value.field == "strategy.bake"


# --- properties ------------------------------------------------------------------------------------

bakes = st.integers(min_value=0, max_value=MAX_BAKE_SECONDS)
gates = st.sampled_from([None, "approval"])


@st.composite
def written_steps(draw: st.DrawFn) -> list[dict[str, Any]]:
    """Any list of steps a person could write correctly: increasing percents ending at 100."""
    percents = [*sorted(draw(st.sets(st.integers(min_value=1, max_value=99), max_size=12))), 100]
    steps: list[dict[str, Any]] = [{"percent": p, "bake": draw(bakes), "gate": draw(gates)} for p in percents]
    steps[-1]["bake"] = 0
    return steps


@st.composite
def any_strategy(draw: st.DrawFn) -> Any:
    kind = draw(
        st.sampled_from(["all-at-once", "canary", "linear", "steps", "canary-preset", "linear-preset"])
    )
    if kind == "canary":
        return {"type": "canary", "percent": draw(st.integers(1, 99)), "bake": draw(bakes)}
    if kind == "linear":
        return {"type": "linear", "step_percent": draw(st.integers(1, 99)), "interval": draw(bakes)}
    if kind == "steps":
        return {"type": "steps", "steps": draw(written_steps())}
    if kind == "canary-preset":
        return f"canary-{draw(st.integers(1, 99))}-percent-{draw(st.integers(1, 60))}-minutes"
    if kind == "linear-preset":
        return f"linear-{draw(st.integers(1, 99))}-percent-every-{draw(st.integers(1, 60))}-minutes"
    return "all-at-once"


@given(any_strategy())
def test_every_valid_strategy_plans_increasing_steps_within_bounds_ending_at_everything(
    strategy: Any,
) -> None:
    normalized, plan = parse_strategy(strategy)

    percents = plan.percents
    assert percents[-1] == 100
    assert all(0 < p <= 100 for p in percents)
    assert percents == sorted(set(percents))  # strictly increasing
    increments = [b - a for a, b in zip([0, *percents], percents, strict=False)]
    assert sum(increments) == 100 and all(i > 0 for i in increments)
    assert plan.steps[-1].bake_seconds == 0
    assert plan.total_bake_seconds == sum(s.bake_seconds for s in plan.steps)
    assert all(0 <= s.bake_seconds <= MAX_BAKE_SECONDS for s in plan.steps)
    assert parse_strategy(normalized)[1] == plan  # the normalized form plans the same


@given(st.integers(min_value=1, max_value=99), bakes)
def test_linear_plans_never_step_by_more_than_asked(step: int, bake: int) -> None:
    percents = traffic.linear(step, bake).percents

    assert all(0 < b - a <= step for a, b in zip([0, *percents], percents, strict=False))
    assert len(percents) == math.ceil(100 / step)


@given(written_steps())
def test_custom_steps_are_followed_as_written(steps: list[dict[str, Any]]) -> None:
    _, plan = parse_strategy({"type": "steps", "steps": steps})

    assert [(s.percent, s.bake_seconds, s.gate) for s in plan.steps] == [
        (s["percent"], s["bake"], s["gate"]) for s in steps
    ]


@given(written_steps(), st.data())
def test_a_step_list_broken_anywhere_names_the_step_and_field(
    steps: list[dict[str, Any]], data: st.DataObject
) -> None:
    index = data.draw(st.integers(min_value=0, max_value=len(steps) - 1))
    field, bad = data.draw(
        st.sampled_from(
            [
                ("percent", 0),
                ("percent", 101),
                ("percent", "ten"),
                ("bake", -1),
                ("bake", "soon"),
                ("gate", "vote"),
                ("colour", "blue"),
            ]
        )
    )
    broken = [dict(s) for s in steps]
    broken[index][field] = bad

    with pytest.raises(InvalidStrategyError) as caught:
        parse_strategy({"type": "steps", "steps": broken})

    assert caught.value.field.startswith("strategy.steps.")


@given(st.integers(min_value=0, max_value=100))
def test_listener_weights_always_add_up_to_everything(share: int) -> None:
    weights = traffic.weights_for(share, "live", "green")

    assert sum(weights.values()) == 100
    assert weights["green"] == share


@given(st.integers(min_value=0, max_value=1000), st.integers(min_value=1, max_value=100))
def test_green_never_gets_more_tasks_than_live_nor_none(live: int, percent: int) -> None:
    count = traffic.green_share_count(live, percent)

    assert 1 <= count <= max(live, 1)
    assert count >= max(live, 1) * percent / 100
