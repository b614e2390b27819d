"""Green against blue over a bake: pass, fail with the numbers, or skipped when there is too little to say;
never on data it has not seen (the window, its completeness, the inconclusive policy)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fargate_ops.domain.analysis import (
    FAIL,
    INCONCLUSIVE,
    PASS,
    SKIPPED,
    DataWait,
    TargetGroupStats,
    Thresholds,
    Window,
    analysis_window,
    data_state,
    inconclusive,
    load_balancer_dimension,
    missing_minutes,
    target_group_dimension,
    verdict,
)

NINE = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()


def at(minutes: float) -> float:
    return NINE + 60 * minutes


LIMITS = Thresholds(max_5xx_rate_delta=0.01, max_latency_ratio=1.5, min_requests=100)
BLUE = TargetGroupStats(requests=5400, errors_5xx=0, latency_seconds=0.020)


def test_a_green_as_good_as_blue_passes() -> None:
    result = verdict(0, TargetGroupStats(600, 0, 0.021), BLUE, LIMITS)

    assert result.verdict == PASS


def test_a_green_with_more_5xx_than_allowed_fails_with_both_rates_in_the_reason() -> None:
    result = verdict(2, TargetGroupStats(600, 30, 0.020), BLUE, LIMITS)

    assert result.verdict == FAIL
    assert "green 5xx rate 5.00% (30/600) vs blue 0.00% (0/5400)" in result.reason
    assert result.as_dict()["step_index"] == 2
    assert result.as_dict()["green"] == {
        "requests": 600,
        "errors_5xx": 30,
        "error_rate": 0.05,
        "p_latency": 0.02,
    }


def test_a_bad_minute_for_everyone_does_not_blame_green() -> None:
    blue = TargetGroupStats(5400, 270, 0.020)  # 5% for blue too

    assert verdict(0, TargetGroupStats(600, 33, 0.020), blue, LIMITS).verdict == PASS


def test_a_slower_green_fails_on_the_latency_ratio() -> None:
    result = verdict(0, TargetGroupStats(600, 0, 0.040), BLUE, LIMITS)

    assert result.verdict == FAIL
    assert "x2.00 > max ratio x1.5" in result.reason


def test_too_few_green_requests_is_inconclusive_not_a_failure() -> None:
    result = verdict(0, TargetGroupStats(40, 40, 0.5), BLUE, LIMITS)

    assert result.verdict == SKIPPED
    assert "40 requests" in result.reason


def test_no_green_request_at_all_is_inconclusive_even_without_a_minimum() -> None:
    assert (
        verdict(0, TargetGroupStats(0, 0, None), BLUE, Thresholds(max_5xx_rate_delta=0.01)).verdict == SKIPPED
    )


@given(
    st.integers(min_value=1, max_value=10_000),
    st.integers(min_value=1, max_value=10_000),
    st.floats(min_value=0, max_value=1),
    st.floats(min_value=0, max_value=1),
)
def test_green_fails_exactly_when_it_is_worse_than_blue_by_more_than_the_delta(
    green_requests: int, blue_requests: int, green_rate: float, blue_rate: float
) -> None:
    green = TargetGroupStats(green_requests, int(green_requests * green_rate), 0.02)
    blue = TargetGroupStats(blue_requests, int(blue_requests * blue_rate), 0.02)

    result = verdict(0, green, blue, Thresholds(max_5xx_rate_delta=0.01))

    assert (result.verdict == FAIL) == (green.error_rate - blue.error_rate > 0.01)


@pytest.mark.parametrize(
    "arn",
    [
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2",
        "arn:aws:elasticloadbalancing:us-east-1:123456789012:listener-rule/app/shop/50dc6c495c0c9188/f2f7dc8efc522ab2/9683b2d02a6cabee",
    ],
)
def test_the_load_balancer_dimension_comes_from_a_listener_or_rule_arn(arn: str) -> None:
    assert load_balancer_dimension(arn) == "app/shop/50dc6c495c0c9188"


def test_the_target_group_dimension_is_the_arns_resource() -> None:
    arn = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web-green-tg/73e2d6bc24d8a067"

    assert target_group_dimension(arn) == "targetgroup/web-green-tg/73e2d6bc24d8a067"


# The window and its completeness ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("shifted", "bake_ended", "window"),
    [
        (1.25, 6.25, (2, 7)),  # a 5-minute bake from 09:01:15: 09:02 to the end of 09:06
        (1.25, 2.25, (2, 3)),  # a 1-minute bake: the one whole minute after the shift
        (0, 5, (0, 5)),  # on the minute: exactly the bake
        (1.25, 1.75, (2, 3)),  # promoted before a whole minute passed: still one whole minute
    ],
)
def test_the_window_is_the_whole_minutes_at_the_steps_weights(
    shifted: float, bake_ended: float, window: tuple[int, int]
) -> None:
    assert analysis_window(at(shifted), at(bake_ended)) == Window(int(at(window[0])), int(at(window[1])))


@given(st.floats(min_value=0, max_value=10_000), st.floats(min_value=0, max_value=10_000))
def test_every_minute_of_a_window_starts_after_the_shift_and_by_the_end_of_the_bakes_minute(
    shifted_offset: float, bake_seconds: float
) -> None:
    shifted = NINE + shifted_offset
    window = analysis_window(shifted, shifted + bake_seconds)

    assert window.minutes and window.start % 60 == 0 and window.end % 60 == 0
    assert min(window.minutes) >= shifted
    assert window.end <= max(shifted + bake_seconds, window.start) + 60


def test_a_window_is_complete_when_the_load_balancer_has_every_minute() -> None:
    window = analysis_window(at(2), at(5))

    assert missing_minutes(window, [at(2), at(3), at(4)]) == ()
    assert missing_minutes(window, [at(2), at(9)]) == (int(at(3)), int(at(4)))


@pytest.mark.parametrize(
    ("missing", "waited", "state"),
    [((), 0, "complete"), ((1,), 299, "wait"), ((1,), 300, "inconclusive"), ((), 900, "complete")],
)
def test_an_incomplete_window_waits_until_its_bound_then_is_inconclusive(
    missing: tuple[int, ...], waited: float, state: str
) -> None:
    assert data_state(missing, waited, 300) == state


@pytest.mark.parametrize("policy", ["fail", "pause", "pass"])
def test_an_inconclusive_step_says_what_was_missing_and_what_its_policy_does(policy: str) -> None:
    window = analysis_window(at(2), at(3))
    result = inconclusive(1, window, DataWait(300, (int(at(2)),)), policy)  # type: ignore[arg-type]

    assert result.verdict == INCONCLUSIVE != PASS
    assert "no load balancer datapoint for 09:02 of the window 09:02-09:03" in result.reason
    assert f"analysis.inconclusive is {policy}" in result.reason
    entry = result.as_dict()
    assert entry["policy"] == policy and entry["data"]["missing_minutes"] == ["2026-01-05T09:02:00Z"]


def test_a_verdict_records_its_window_and_how_long_it_waited() -> None:
    window = analysis_window(at(2), at(7))

    entry = verdict(
        0, TargetGroupStats(600, 0, 0.02), BLUE, LIMITS, window=window, data=DataWait(180)
    ).as_dict()

    assert entry["window"] == {"start": "2026-01-05T09:02:00Z", "end": "2026-01-05T09:07:00Z", "minutes": 5}
    assert entry["data"]["waited_seconds"] == 180 and "ingested" in entry["data"]["why"]
