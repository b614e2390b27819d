"""A minute counted as its traffic flows: exact shares, whole requests that add up, fractions carried over."""

from fractions import Fraction

from fargate_ops_cli.local.world.tally import ELB_503, Carry, Flow, GroupFlow, MinuteTally, Server


def group(name: str, per_minute: int, error_rate: str = "0", latency: str = "0.02") -> GroupFlow:
    server = Server("web:v1", Fraction(1), Fraction(error_rate), Fraction(latency))
    return GroupFlow(name, Fraction(per_minute), (server,), healthy=1, unhealthy=0)


def test_a_minute_split_three_ways_gives_whole_requests_that_add_up() -> None:
    tally = MinuteTally()
    tally.add(Flow((group("a", 100), group("b", 100), group("c", 100))), 20)  # 100 a minute, a third each

    counts = tally.close(Carry())

    assert [g.requests for g in counts.groups.values()] == [34, 33, 33]


def test_two_flows_in_one_minute_count_for_the_time_each_held() -> None:
    tally = MinuteTally()
    tally.add(Flow((group("blue", 600), group("green", 0))), 45)
    tally.add(Flow((group("blue", 300), group("green", 300, error_rate="0.1", latency="0.1"))), 15)

    counts = tally.close(Carry())

    blue, green = counts.groups["blue"], counts.groups["green"]
    assert (blue.requests, green.requests, green.errors_5xx) == (525, 75, 7)
    assert green.latency is not None and green.latency.total_seconds / green.latency.count == 0.1
    assert blue.healthy is not None and blue.healthy.samples == 2


def test_what_does_not_make_a_whole_request_or_error_is_owed_to_the_next_minute() -> None:
    carry = Carry()
    errors = []
    for _ in range(4):
        tally = MinuteTally()
        tally.add(Flow((group("blue", 100, error_rate="0.005"),)), 60)
        errors.append(tally.close(carry).groups["blue"].errors_5xx)

    assert errors == [0, 1, 0, 1]  # half an error a minute


def test_a_group_without_targets_is_answered_by_the_load_balancer() -> None:
    tally = MinuteTally()
    tally.add(Flow((GroupFlow("green", Fraction(120), (), healthy=0, unhealthy=0),)), 60)

    counts = tally.close(Carry())

    assert counts.elb_answered == {ELB_503: 120} and counts.groups["green"].requests == 0
