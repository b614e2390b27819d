"""The rules that turn a service's events into (few) notifications: pure, no AWS."""

from __future__ import annotations

from collections.abc import Iterable

from hypothesis import given
from hypothesis import strategies as st

from fargate_ops.domain.alert_policy import AlertPolicy
from fargate_ops.domain.alert_state import (
    CIRCUIT_BREAKER,
    PLACEMENT_FAILURE,
    START_IMPAIRED,
    AbnormalStop,
    AlertKind,
    Decision,
    ServiceAlerts,
    admit,
)
from fargate_ops.domain.alerts import (
    on_circuit_breaker,
    on_service_event,
    on_spot_interruption,
    on_steady_state,
)
from fargate_ops.domain.crash_loop import on_abnormal_stop

POLICY = AlertPolicy()  # 3 abnormal stops within 600 s, 5 Spot interruptions an hour, 5 notifications an hour
T0 = 1_767_600_000.0


def stop(n: int, at: float, fp: str = "api:7|EssentialContainerExited||app=137|app:OOM") -> AbnormalStop:
    return AbnormalStop(at=at, task=f"task-{n}", fingerprint=fp, evidence={"task_id": f"task-{n}"})


def feed(
    stops: Iterable[AbnormalStop], state: ServiceAlerts | None = None
) -> tuple[ServiceAlerts, list[Decision]]:
    current = state or ServiceAlerts()
    decisions = []
    for s in stops:
        decision = on_abnormal_stop(current, s, POLICY)
        decisions.append(decision)
        current = decision.state or current
    return current, decisions


def alerts(decisions: Iterable[Decision]) -> list[AlertKind]:
    return [d.alert.kind for d in decisions if d.alert is not None]


# crash loops -------------------------------------------------------------------------------------


def test_two_abnormal_stops_are_counted_but_not_told() -> None:
    state, decisions = feed([stop(1, T0), stop(2, T0 + 60)])

    assert alerts(decisions) == []
    assert len(state.stops) == 2 and state.crash_loop is None


def test_the_third_abnormal_stop_within_the_window_opens_a_crash_loop_and_tells_once() -> None:
    state, decisions = feed([stop(1, T0), stop(2, T0 + 60), stop(3, T0 + 120)])

    assert alerts(decisions) == [AlertKind.CRASH_LOOP]
    assert state.crash_loop is not None
    assert decisions[-1].alert is not None and decisions[-1].alert.facts["abnormal_stops"] == 3


def test_three_stops_spread_over_more_than_the_window_are_not_a_crash_loop() -> None:
    _, decisions = feed([stop(1, T0), stop(2, T0 + 400), stop(3, T0 + 800)])

    assert alerts(decisions) == []


def test_more_stops_with_the_same_evidence_stay_quiet() -> None:
    _, decisions = feed([stop(n, T0 + 30 * n) for n in range(10)])

    assert alerts(decisions) == [AlertKind.CRASH_LOOP]


def test_a_stop_with_new_evidence_during_a_crash_loop_is_told() -> None:
    state, _ = feed([stop(n, T0 + 30 * n) for n in range(3)])

    decision = on_abnormal_stop(state, stop(9, T0 + 200, fp="api:8|EssentialContainerExited||app=1|"), POLICY)

    assert decision.alert is not None and decision.alert.facts["new_evidence"] is True


def test_a_task_already_counted_is_not_counted_again() -> None:
    state, _ = feed([stop(1, T0)])

    assert on_abnormal_stop(state, stop(1, T0), POLICY).state is None


@given(st.permutations(range(6)), st.lists(st.integers(0, 5), max_size=6))
def test_one_alert_whatever_the_order_and_the_duplicates(order: list[int], repeats: list[int]) -> None:
    stops = [stop(n, T0 + 20 * n) for n in order] + [stop(n, T0 + 20 * n) for n in repeats]

    _, decisions = feed(stops)

    assert alerts(decisions) == [AlertKind.CRASH_LOOP]


def test_steady_state_then_a_quiet_window_ends_the_crash_loop() -> None:
    state, _ = feed([stop(n, T0 + 30 * n) for n in range(3)])
    steady = on_steady_state(state, T0 + 120, POLICY).state
    assert steady is not None

    # Ten quiet minutes later the service crashes again: a new crash loop needs three new stops.
    state, decisions = feed([stop(10 + n, T0 + 120 + 700 + 30 * n) for n in range(3)], steady)

    assert alerts(decisions) == [AlertKind.CRASH_LOOP]


def test_steady_state_between_crashes_does_not_end_the_crash_loop() -> None:
    state, _ = feed([stop(n, T0 + 30 * n) for n in range(3)])
    steady = on_steady_state(state, T0 + 100, POLICY).state
    assert steady is not None

    _, decisions = feed([stop(10 + n, T0 + 150 + 30 * n) for n in range(3)], steady)

    assert alerts(decisions) == []


def test_a_repeated_steady_state_with_nothing_open_changes_nothing() -> None:
    assert on_steady_state(ServiceAlerts(), T0, POLICY) == Decision(None, None, "steady state, nothing open")


# ECS's own words -------------------------------------------------------------------------------


def test_start_impaired_during_a_crash_loop_is_quiet() -> None:
    state, _ = feed([stop(n, T0 + 30 * n) for n in range(3)])

    assert on_service_event(state, START_IMPAIRED, T0 + 100, None, POLICY).alert is None


def test_start_impaired_after_abnormal_stops_opens_the_crash_loop_with_their_evidence() -> None:
    state, _ = feed([stop(1, T0), stop(2, T0 + 30)])

    decision = on_service_event(state, START_IMPAIRED, T0 + 60, None, POLICY)

    assert decision.alert is not None and decision.alert.kind is AlertKind.CRASH_LOOP
    assert decision.alert.facts["ecs_event"] == START_IMPAIRED
    assert decision.state is not None and decision.state.crash_loop is not None
    _, later = feed([stop(3, T0 + 90)], decision.state)
    assert alerts(later) == []


def test_start_impaired_without_abnormal_stops_is_a_service_warning() -> None:
    decision = on_service_event(ServiceAlerts(), START_IMPAIRED, T0, None, POLICY)

    assert decision.alert is not None and decision.alert.kind is AlertKind.SERVICE_EVENT


def test_a_placement_failure_is_told_once_until_steady_state() -> None:
    first = on_service_event(ServiceAlerts(), PLACEMENT_FAILURE, T0, "RESOURCE:FARGATE", POLICY)
    assert first.state is not None and first.alert is not None

    again = on_service_event(first.state, PLACEMENT_FAILURE, T0 + 60, "RESOURCE:FARGATE", POLICY)
    recovered = on_steady_state(first.state, T0 + 120, POLICY).state
    assert recovered is not None
    after = on_service_event(recovered, PLACEMENT_FAILURE, T0 + 180, "RESOURCE:FARGATE", POLICY)

    assert again.alert is None
    assert after.alert is not None


def test_a_late_steady_state_from_before_the_warning_does_not_close_it() -> None:
    first = on_service_event(ServiceAlerts(), PLACEMENT_FAILURE, T0, "RESOURCE:CPU", POLICY)
    assert first.state is not None

    assert on_steady_state(first.state, T0 - 60, POLICY).state is None


def test_a_warning_still_open_after_a_day_is_told_again() -> None:
    first = on_service_event(ServiceAlerts(), PLACEMENT_FAILURE, T0, None, POLICY)
    assert first.state is not None

    assert on_service_event(first.state, PLACEMENT_FAILURE, T0 + 86_400, None, POLICY).alert is not None


def test_a_circuit_breaker_failure_and_its_rollback_are_told_once() -> None:
    failed = on_circuit_breaker(ServiceAlerts(), "SERVICE_DEPLOYMENT_FAILED", T0, "ecs-svc/1", "r", POLICY)
    assert failed.state is not None and failed.alert is not None

    rollback = on_circuit_breaker(
        failed.state, "SERVICE_DEPLOYMENT_IN_PROGRESS", T0 + 5, "ecs-svc/1", "r", POLICY
    )

    assert failed.alert.key == CIRCUIT_BREAKER
    assert rollback.alert is None


# Fargate Spot ------------------------------------------------------------------------------------


def test_spot_interruptions_are_counted_and_told_only_at_the_threshold() -> None:
    state = ServiceAlerts()
    told = []
    for n in range(7):
        decision = on_spot_interruption(state, T0 + 60 * n, f"task-{n}", POLICY)
        state = decision.state or state
        told.append(decision.alert is not None)

    assert told == [False, False, False, False, True, False, False]
    assert len(state.spot) == 7


def test_the_notice_and_the_stop_of_one_spot_task_count_once() -> None:
    first = on_spot_interruption(ServiceAlerts(), T0, "task-1", POLICY)
    assert first.state is not None

    assert on_spot_interruption(first.state, T0 + 120, "task-1", POLICY).state is None


# the rate limit ------------------------------------------------------------------------------------


def test_at_most_n_notifications_an_hour_then_the_next_one_says_how_many_were_held_back() -> None:
    state = ServiceAlerts()
    sent = []
    for n in range(7):
        state, ok, _ = admit(state, T0 + 60 * n, POLICY)
        sent.append(ok)
    state, ok, held_back = admit(state, T0 + 3600, POLICY)

    assert sent == [True] * 5 + [False] * 2
    assert (ok, held_back) == (True, 2)


def test_the_state_survives_its_round_trip_through_the_table() -> None:
    state, _ = feed([stop(n, T0 + 30 * n) for n in range(3)])
    state = on_service_event(state, PLACEMENT_FAILURE, T0, "x", POLICY).state or state
    state = on_spot_interruption(state, T0, "task-s", POLICY).state or state
    state, _, _ = admit(state, T0, POLICY)

    assert ServiceAlerts.from_dict(state.as_dict()) == state
