"""What the reconciler writes for one service: min/max with autoscaling, desiredCount without, saved first."""

from __future__ import annotations

from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from fargate_ops.domain.scaling import Found, Saved, plan
from fargate_ops.domain.schedule import Capacity, Reason

PERIOD = Reason("period", "office-hours")
SAVED = Reason("saved", "saved")


def wanted(desired: int | None = None, low: int | None = None, high: int | None = None) -> Capacity:
    return Capacity(desired, low, high, PERIOD)


def test_without_a_scalable_target_the_desired_count_is_written_and_what_was_found_saved_first() -> None:
    decided = plan(wanted(desired=4), Found(desired=1), saved=None)
    assert (decided.desired, decided.bounds) == (4, None)
    assert decided.save == Saved(1)


def test_with_a_scalable_target_only_min_and_max_are_written_never_the_desired_count() -> None:
    decided = plan(wanted(low=2, high=10), Found(desired=3, min=1, max=4), saved=None)
    assert (decided.desired, decided.bounds) == (None, (2, 10))
    assert decided.save == Saved(3, 1, 4)


def test_a_desired_count_alone_pins_an_autoscaled_service_to_it() -> None:
    decided = plan(wanted(desired=0), Found(desired=3, min=1, max=4), saved=Saved(3, 1, 4))
    assert decided.bounds == (0, 0) and decided.desired is None and decided.save is None


def test_min_and_max_alone_clamp_a_plain_service_desired_count() -> None:
    assert plan(wanted(low=2, high=5), Found(desired=9), saved=None).desired == 5
    assert plan(wanted(low=2, high=5), Found(desired=3), saved=None).changes is False


def test_the_end_of_the_windows_restores_what_was_saved_and_forgets_it() -> None:
    decided = plan(Capacity(None, None, None, SAVED), Found(desired=0, min=0, max=0), Saved(3, 1, 4))
    assert decided.bounds == (1, 4) and decided.restore is True


def test_a_service_the_schedule_never_changed_is_left_alone_when_its_windows_end() -> None:
    decided = plan(Capacity(None, None, None, SAVED), Found(desired=7), saved=None)
    assert not decided.changes and not decided.restore


@given(
    desired=st.integers(0, 20),
    found=st.integers(0, 20),
    autoscaled=st.booleans(),
)
def test_a_service_already_as_wanted_gets_no_write(desired: int, found: int, autoscaled: bool) -> None:
    """Idempotence: applying a plan and planning again writes nothing."""
    service = Found(found, 0, 20) if autoscaled else Found(found)
    first = plan(wanted(desired=desired), service, saved=None)
    if autoscaled:
        low, high = first.bounds or (service.min, service.max)
        assert low is not None and high is not None
        after = Found(max(low, min(high, found)), low, high)
    else:
        after = Found(first.desired if first.desired is not None else found)
    again = plan(wanted(desired=desired), after, saved=first.save)
    assert not again.changes and again.save is None


def test_an_answer_describes_its_reason() -> None:
    now = datetime(2026, 11, 24, tzinfo=UTC)
    decided = plan(Capacity(2, None, None, Reason("override", "api", until=now)), Found(0), None)
    assert decided.describe() == f"scaled to desired 2 (override of api until {now.isoformat()})"
