from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fargate_ops.domain.stops import NORMAL_STOP_CODES, is_abnormal_stop, stop_decided
from fargate_ops.models.events import TaskStateChange, parse_event

SERVICE = "ecs-svc/9300480928766973637"
exit_codes = st.dictionaries(
    st.text(min_size=1, max_size=8), st.one_of(st.none(), st.integers(-1, 255)), min_size=1, max_size=4
)


@pytest.mark.parametrize(
    ("stop_code", "codes", "reason"),
    [
        ("EssentialContainerExited", {"app": 1}, "Essential container in task exited"),
        ("EssentialContainerExited", {"envoy": 0, "app": 137}, "Essential container in task exited"),
        (
            "TaskFailedToStart",
            {"app": None},
            "CannotPullContainerError: pull image manifest has been retried",
        ),
        (
            "ServiceSchedulerInitiated",
            {"app": 143},
            "Task failed ELB health checks in (target-group arn:...)",
        ),
        ("ServiceSchedulerInitiated", {"app": 143}, "Task failed container health checks"),
        ("EssentialContainerExited", {"app": None}, "Essential container in task exited"),
    ],
)
def test_crashes_failed_starts_and_failed_health_checks_are_abnormal(
    stop_code: str, codes: dict[str, int | None], reason: str
) -> None:
    assert is_abnormal_stop(stop_code, codes, reason, SERVICE)


@pytest.mark.parametrize(
    ("stop_code", "reason"),
    [
        ("ServiceSchedulerInitiated", "Scaling activity initiated by (deployment ecs-svc/123)"),
        ("ServiceSchedulerInitiated", "Task stopped by the scheduler: replaced by a newer deployment"),
        ("SpotInterruption", "Your Spot Task was interrupted."),
        ("TerminationNotice", "Your Spot Task was interrupted."),
        ("UserInitiated", "Task stopped by user"),
        ("InfrastructureHealth", "ECS is performing maintenance on the underlying infrastructure"),
    ],
)
def test_scale_in_replacement_interruptions_and_manual_stops_are_normal(stop_code: str, reason: str) -> None:
    assert not is_abnormal_stop(stop_code, {"app": 143}, reason, SERVICE)


def test_an_essential_container_exiting_cleanly_is_normal() -> None:
    assert not is_abnormal_stop("EssentialContainerExited", {"app": 0, "sidecar": 0}, "exited", SERVICE)


def test_only_essential_containers_count_when_they_are_known() -> None:
    codes = {"app": 0, "log-router": 1}

    assert not is_abnormal_stop("EssentialContainerExited", codes, "exited", SERVICE, essential={"app"})
    assert is_abnormal_stop("EssentialContainerExited", codes, "exited", SERVICE, essential={"log-router"})


def test_one_off_tasks_never_count_as_a_service_crash() -> None:
    assert not is_abnormal_stop("EssentialContainerExited", {"job": 1}, "exited", "my-cron-runner")


def test_an_unknown_stop_code_falls_back_on_exit_codes() -> None:
    assert is_abnormal_stop("SomethingNew", {"app": 2}, None, SERVICE)
    assert not is_abnormal_stop(None, {"app": 0}, None, SERVICE)


def test_the_real_essential_container_exited_sample_is_abnormal(
    load_event: Callable[[str], dict[str, Any]],
) -> None:
    event = parse_event(load_event("ecs-task-state-change-stopped-essential-container-exited.json"))
    assert isinstance(event, TaskStateChange)
    detail = event.detail

    assert detail.exit_codes == {"envoy": 0, "app": 2}
    assert is_abnormal_stop(detail.stop_code, detail.exit_codes, detail.stopped_reason, detail.started_by)


def test_the_real_spot_termination_notice_sample_is_normal(
    load_event: Callable[[str], dict[str, Any]],
) -> None:
    event = parse_event(load_event("ecs-task-state-change-fargate-spot-termination-notice.PARTIAL.json"))
    assert isinstance(event, TaskStateChange)
    detail = event.detail

    assert not is_abnormal_stop(detail.stop_code, detail.exit_codes, detail.stopped_reason, detail.started_by)


@given(st.sampled_from(sorted(NORMAL_STOP_CODES)), exit_codes, st.text(max_size=40))
def test_normal_stop_codes_never_count_unless_a_health_check_failed(
    stop_code: str, codes: dict[str, int | None], reason: str
) -> None:
    assert is_abnormal_stop(stop_code, codes, reason, SERVICE) == ("health check" in reason.lower())


@given(exit_codes, st.text(max_size=40))
def test_a_non_zero_exit_of_an_essential_container_always_counts(
    codes: dict[str, int | None], reason: str
) -> None:
    codes = {**codes, "app": 1}

    assert is_abnormal_stop("EssentialContainerExited", codes, reason, SERVICE)


@given(st.one_of(st.none(), st.text(max_size=30)), exit_codes, st.text(max_size=40))
def test_failing_to_start_always_counts_for_service_tasks(
    stop_code_noise: str | None, codes: dict[str, int | None], reason: str
) -> None:
    assert is_abnormal_stop("TaskFailedToStart", codes, reason, SERVICE)


@pytest.mark.parametrize(
    ("last_status", "desired_status", "decided"),
    [
        ("STOPPED", "STOPPED", True),
        ("RUNNING", "STOPPED", True),  # the containers exited or Spot gave notice: ECS knows why already
        ("PENDING", "STOPPED", True),  # a failed start
        ("PROVISIONING", "STOPPED", True),
        ("DEACTIVATING", "STOPPED", False),  # the same stop again, on its way
        ("STOPPING", "STOPPED", False),
        ("DEPROVISIONING", "STOPPED", False),
        ("RUNNING", "RUNNING", False),
        ("PENDING", "RUNNING", False),
        (None, None, False),
    ],
)
def test_a_stop_is_decided_when_ecs_sets_desired_stopped_or_the_task_is_stopped(
    last_status: str | None, desired_status: str | None, decided: bool
) -> None:
    assert stop_decided(last_status, desired_status) is decided
