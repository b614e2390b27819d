"""The cleanup's token bucket waits on the package's clock, and says how long before it waits."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from fargate_ops import clock
from fargate_ops.cleanup.pacing import TokenBucket


@pytest.fixture
def now() -> Iterator[list[float]]:
    at = [1000.0]
    clock.set_time_source(lambda: at[0])
    clock.set_sleep(lambda seconds: at.__setitem__(0, at[0] + seconds))
    yield at
    clock.set_time_source(None)
    clock.set_sleep(None)


def test_a_bucket_of_half_a_token_a_second_takes_twenty_seconds_for_eleven_writes(now: list[float]) -> None:
    bucket = TokenBucket(rate=0.5, burst=1)

    for _ in range(11):
        bucket.take()

    assert now[0] - 1000.0 == pytest.approx(20.0)
    assert bucket.waited == pytest.approx(20.0)


def test_a_full_burst_is_taken_without_waiting_and_the_next_token_is_announced(now: list[float]) -> None:
    bucket = TokenBucket(rate=1.0, burst=3)

    for _ in range(3):
        bucket.take()

    assert now[0] == 1000.0
    assert bucket.wait_needed() == pytest.approx(1.0)


def test_a_bucket_refuses_a_rate_that_never_refills() -> None:
    with pytest.raises(ValueError, match="positive rate"):
        TokenBucket(rate=0, burst=1)
