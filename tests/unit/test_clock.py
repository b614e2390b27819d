from __future__ import annotations

from datetime import UTC, datetime

from fargate_ops import clock


def test_every_reading_follows_the_replaced_time_source() -> None:
    clock.set_time_source(lambda: 1_700_000_000.25)

    assert clock.now_epoch() == 1_700_000_000.25
    assert clock.utcnow() == datetime.fromtimestamp(1_700_000_000.25, tz=UTC)
    assert clock.iso() == "2023-11-14T22:13:20.250Z"


def test_resetting_the_source_returns_to_real_time() -> None:
    clock.set_time_source(lambda: 0.0)
    clock.set_time_source(None)

    assert clock.now_epoch() > 1_600_000_000


def test_iso_formats_a_given_epoch_in_utc() -> None:
    assert clock.iso(0) == "1970-01-01T00:00:00.000Z"


def test_sleeping_follows_the_replaced_sleep_and_resetting_restores_it() -> None:
    slept: list[float] = []
    clock.set_sleep(slept.append)
    try:
        clock.sleep(0.25)
    finally:
        clock.set_sleep(None)

    assert slept == [0.25]
    clock.sleep(0)  # the real one again: returns at once
