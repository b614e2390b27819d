"""EventBridge Scheduler expressions, evaluated on the virtual clock."""

from datetime import UTC, datetime

import pytest

from fargate_ops_cli.local.schedules import ScheduleExpressionError, next_fire

MONDAY_9 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_rate_fires_after_its_interval() -> None:
    assert next_fire("rate(5 minutes)", MONDAY_9) == datetime(2026, 1, 5, 9, 5, tzinfo=UTC)


def test_cron_is_evaluated_in_the_schedule_timezone() -> None:
    # 08:00 in Paris on a January Monday is 07:00 UTC; the next one after Monday 09:00 UTC is Tuesday.
    fire = next_fire("cron(0 8 ? * MON-FRI *)", MONDAY_9, "Europe/Paris")
    assert fire == datetime(2026, 1, 6, 7, 0, tzinfo=UTC)


def test_cron_weekday_numbers_follow_aws_sunday_is_one() -> None:
    fire = next_fire("cron(0 3 ? * 1 *)", MONDAY_9)  # 1 = Sunday in AWS cron
    assert fire is not None and fire.weekday() == 6


def test_at_fires_once_then_never() -> None:
    assert next_fire("at(2026-01-05T10:00:00)", MONDAY_9) == datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    assert next_fire("at(2026-01-05T08:00:00)", MONDAY_9) is None


def test_an_unknown_expression_is_refused() -> None:
    with pytest.raises(ScheduleExpressionError):
        next_fire("every day", MONDAY_9)


def _schedule(name: str, expression: str) -> dict[str, object]:
    return {
        "Name": name,
        "ScheduleExpression": expression,
        "Target": {"Arn": f"arn:aws:lambda:us-east-1:123456789012:function:{name}"},
    }


def test_a_schedule_created_at_runtime_fires_and_one_moved_fires_only_at_its_new_time() -> None:
    """What the scaling reconciler does: its periodic run creates, then moves, a one-time schedule."""
    from fargate_ops_cli.local.clock import VirtualClock
    from fargate_ops_cli.local.schedules import ScheduleRunner

    clock = VirtualClock(MONDAY_9.timestamp())
    held = {"tick": _schedule("tick", "rate(10 minutes)")}
    runs: list[str] = []

    def invoke(arn: str, event: object) -> tuple[bool, str]:
        name = arn.rsplit(":", 1)[-1]
        runs.append(f"{name}@{int(clock.now() - MONDAY_9.timestamp())}")
        if name == "tick" and len(runs) == 1:
            held["edge"] = _schedule("edge", "at(2026-01-05T09:23:00)")
        elif name == "tick" and len(runs) == 2:
            held["edge"] = _schedule("edge", "at(2026-01-05T09:27:00)")  # moved before it fired
        return True, ""

    runner = ScheduleRunner(
        clock, invoke, lambda arn, payload: None, read_schedules=lambda: list(held.values())
    )
    runner.start(list(held.values()))
    clock.run_until(MONDAY_9.timestamp() + 1800)
    assert runs == ["tick@600", "tick@1200", "edge@1620", "tick@1800"]
