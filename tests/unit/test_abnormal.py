"""Sorting stops into crashes, Spot interruptions and normal stops; fingerprints of a failure."""

from __future__ import annotations

import pytest

from fargate_ops.domain.abnormal import (
    StopKind,
    classify_stop,
    failing_containers,
    fingerprint,
    normalise_reason,
)

SERVICE = "ecs-svc/9300480928766973637"
REVISION = "arn:aws:ecs:eu-central-1:111111111111:task-definition/example-api-v1:20"


def test_an_essential_container_exiting_non_zero_is_abnormal_and_says_which() -> None:
    stop = classify_stop("EssentialContainerExited", {"envoy": 0, "app": 137}, "exited", SERVICE)

    assert stop.kind is StopKind.ABNORMAL
    assert stop.why == "essential container exited (app exit 137)"


def test_a_failed_health_check_is_abnormal_even_with_a_scheduler_stop_code() -> None:
    stop = classify_stop(
        "ServiceSchedulerInitiated",
        {"app": 143},
        "Task failed ELB health checks in (target-group arn:x)",
        SERVICE,
    )

    assert (stop.kind, stop.why) == (StopKind.ABNORMAL, "failed its health checks")


@pytest.mark.parametrize("stop_code", ["TerminationNotice", "SpotInterruption"])
def test_spot_interruptions_are_their_own_kind(stop_code: str) -> None:
    assert classify_stop(stop_code, {}, "Your Spot Task was interrupted.", None).kind is StopKind.SPOT


@pytest.mark.parametrize(
    ("stop_code", "reason", "started_by", "why"),
    [
        (
            "ServiceSchedulerInitiated",
            "Scaling activity initiated by (deployment ecs-svc/1)",
            SERVICE,
            "scale-in or replacement by a deployment",
        ),
        ("UserInitiated", "Task stopped by user", SERVICE, "stopped on request"),
        ("InfrastructureHealth", "maintenance", SERVICE, "moved off unhealthy infrastructure by AWS"),
        ("EssentialContainerExited", "exited", "my-cron", "a one-off task (started by my-cron)"),
    ],
)
def test_normal_stops_say_why_they_are_normal(stop_code: str, reason: str, started_by: str, why: str) -> None:
    stop = classify_stop(stop_code, {"app": 1 if started_by == "my-cron" else 0}, reason, started_by)

    assert stop.kind is StopKind.NORMAL
    assert stop.why.startswith(why)


def test_failing_containers_are_the_non_zero_ones_or_all_when_none_exited() -> None:
    assert failing_containers({"envoy": 0, "app": 2}) == {"app": 2}
    assert failing_containers({"app": None, "sidecar": None}) == {"app": None, "sidecar": None}
    assert failing_containers({"app": 0}) == {"app": 0}


def test_reasons_lose_the_arns_and_ids_that_differ_between_tasks() -> None:
    reason = (
        "Task failed ELB health checks in (target-group arn:aws:elasticloadbalancing:r:1:targetgroup/a/b)"
    )

    assert normalise_reason(reason) == "Task failed ELB health checks in"


def test_two_tasks_crashing_the_same_way_share_a_fingerprint() -> None:
    one = fingerprint(
        REVISION, "EssentialContainerExited", "exited", {"envoy": 0, "app": 137}, {"app": "OOM"}
    )
    two = fingerprint(
        REVISION, "EssentialContainerExited", "exited", {"envoy": 0, "app": 137}, {"app": "OOM"}
    )

    assert one == two


@pytest.mark.parametrize(
    "change",
    [
        {"task_definition": REVISION.replace(":20", ":21")},
        {"exit_codes": {"envoy": 0, "app": 1}},
        {"reasons": {"app": "CannotStartContainerError"}},
        {"stop_code": "TaskFailedToStart"},
    ],
)
def test_a_new_revision_exit_code_reason_or_stop_code_is_new_evidence(change: dict[str, object]) -> None:
    base: dict[str, object] = {
        "task_definition": REVISION,
        "stop_code": "EssentialContainerExited",
        "exit_codes": {"envoy": 0, "app": 137},
        "reasons": {"app": "OOM"},
    }
    changed = {**base, **change}

    def fp(parts: dict[str, object]) -> str:
        return fingerprint(
            parts["task_definition"],  # type: ignore[arg-type]
            parts["stop_code"],  # type: ignore[arg-type]
            "exited",
            parts["exit_codes"],  # type: ignore[arg-type]
            parts["reasons"],  # type: ignore[arg-type]
        )

    assert fp(base) != fp(changed)
