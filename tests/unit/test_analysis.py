"""Green against blue over a bake: pass, fail with the numbers, or skipped when there is too little to say."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fargate_ops.domain.analysis import (
    FAIL,
    PASS,
    SKIPPED,
    TargetGroupStats,
    Thresholds,
    load_balancer_dimension,
    target_group_dimension,
    verdict,
)

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
