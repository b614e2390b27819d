"""Every kind of subject says why within its first 80 characters, and stays within SNS's 100.

Each test uses names as long as real ones get (a production service in a regional cluster, an
application with a team prefix): the why must not be pushed out by who it is about.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from fargate_ops.deploy.notify import message
from fargate_ops.domain.alert_state import PLACEMENT_FAILURE, Alert, AlertKind
from fargate_ops.domain.notifications import ServiceRef, render
from fargate_ops.domain.subjects import MAX_SUBJECT_CHARS, WHY_WITHIN

LONG_REF = ServiceRef("prod-eu-west-1-main", "payments-api-production-blue", "eu-west-1", "123456789012")
LONG_APP = "team-payments-checkout-api"
CRASH_STOP = {
    "task_arn": "arn:aws:ecs:eu-west-1:123456789012:task/prod/1846d424c17c4e0a",
    "stop_code": "EssentialContainerExited",
    "stopped_reason": "Essential container in task exited",
    "exit_codes": {"envoy": 0, "app": 137},
}


def first_80(subject: str) -> str:
    assert len(subject) <= MAX_SUBJECT_CHARS, subject
    return subject[:WHY_WITHIN]


def deploy_subject(**document: Any) -> str:
    subject, _ = message({"application": LONG_APP, **document})
    return subject


def watch_subject(alert: Alert) -> str:
    return render(alert, LONG_REF, notification_id="n1", now=1_767_600_000.0).subject


# the deploy engine's -------------------------------------------------------------------------------


def test_a_crash_loop_rollback_gives_the_exit_code_and_the_stop_code() -> None:
    reason = {
        "error": "GreenCrashLoopError",
        "summary": "green tasks kept stopping abnormally (crash loop)",
        "stops": [CRASH_STOP],
    }

    subject = deploy_subject(status="ROLLED_BACK", rollback_reason=reason)

    assert "crash loop: app exit 137" in first_80(subject)
    assert subject.endswith("(EssentialContainerExited)")


def test_a_failed_start_gives_its_stop_code_and_reason() -> None:
    stop = {
        "stop_code": "TaskFailedToStart",
        "stopped_reason": "CannotPullContainerError: not found",
        "exit_codes": {"app": None},
    }
    reason = {"error": "GreenCrashLoopError", "summary": "crash loop", "stops": [stop]}

    subject = deploy_subject(status="ROLLED_BACK", rollback_reason=reason)

    assert "crash loop: TaskFailedToStart" in first_80(subject)
    assert "CannotPull" in subject


def test_an_alarm_rollback_names_the_alarm() -> None:
    reason = {"error": "AlarmFiringError", "summary": "alarm payments-green-5xx went to ALARM"}

    assert "alarm payments-green-5xx" in first_80(
        deploy_subject(status="ROLLED_BACK", rollback_reason=reason)
    )


def test_a_failed_analysis_gives_its_figure() -> None:
    reason = {
        "error": "AnalysisFailedError",
        "summary": (
            "analysis failed: green 5xx rate 5.00% (60/1200) vs blue 0.00% (0/10800): "
            "+5.00% > max delta 1.00%"
        ),
    }

    assert "green 5xx rate 5.00%" in first_80(deploy_subject(status="ROLLED_BACK", rollback_reason=reason))


@pytest.mark.parametrize(
    ("error", "text"),
    [
        ("LeaseHeldError", "team-payments-checkout-api in prod is being deployed by release-41"),
        ("DeployInputError", "strategy.percent: Input should be less than 100"),
        ("PreflightError", "web-green is not a slot of team-payments-checkout-api"),
    ],
)
def test_a_rejected_deploy_gives_the_reason_not_the_error_class(error: str, text: str) -> None:
    cause = json.dumps({"errorMessage": text, "errorType": error, "stackTrace": ["  File ..."]})

    subject = deploy_subject(failure={"Error": error, "Cause": cause, "State": "Plan"})

    assert "REJECTED" in subject and error not in subject
    assert text[:30] in first_80(subject)


def test_a_rejected_deploy_without_a_message_falls_back_to_the_error_class() -> None:
    subject = deploy_subject(failure={"Error": "States.Timeout", "Cause": ""})

    assert first_80(subject).endswith("REJECTED: States.Timeout")


def test_a_success_says_so_early() -> None:
    assert "SUCCEEDED" in first_80(deploy_subject(status="SUCCEEDED"))


# the watch side's -----------------------------------------------------------------------------------


def test_a_crash_loop_outside_a_deploy_gives_the_exit_code() -> None:
    latest = {
        "stop_code": "EssentialContainerExited",
        "containers": [{"name": "envoy", "exit_code": 0}, {"name": "app", "exit_code": 137, "reason": "OOM"}],
    }
    alert = Alert(
        AlertKind.CRASH_LOOP, "CRASH_LOOP", {"abnormal_stops": 3, "latest": latest, "stops": [latest]}
    )

    assert "crash-looping: app exit 137" in first_80(watch_subject(alert))


def test_a_service_event_gives_what_ecs_cannot_do_and_why() -> None:
    facts = {"event_name": PLACEMENT_FAILURE, "reason": "RESOURCE:FARGATE", "at": 1_767_600_000.0}
    alert = Alert(AlertKind.SERVICE_EVENT, PLACEMENT_FAILURE, facts)

    assert "cannot place tasks (RESOURCE:FARGATE)" in first_80(watch_subject(alert))


def test_a_circuit_breaker_rollback_names_the_deployment() -> None:
    facts = {
        "event_name": "SERVICE_DEPLOYMENT_FAILED",
        "deployment_id": "ecs-svc/1234567890123456789",
        "at": 0,
    }
    alert = Alert(AlertKind.CIRCUIT_BREAKER, "CIRCUIT_BREAKER", facts)

    subject = watch_subject(alert)

    assert "deployment failed" in first_80(subject) and subject.endswith("(ecs-svc/1234567890123456789)")


def test_a_spot_wave_gives_its_count() -> None:
    alert = Alert(AlertKind.SPOT, "SPOT", {"interruptions": 4, "window_seconds": 600, "threshold": 3})

    assert "4 Fargate Spot interruptions" in first_80(watch_subject(alert))


def test_a_long_name_is_shortened_and_a_long_reason_cut_at_its_end() -> None:
    reason = {"error": "AnalysisFailedError", "summary": "analysis failed: " + "x" * 200}

    subject = deploy_subject(status="ROLLED_BACK", rollback_reason=reason)

    assert len(subject) == MAX_SUBJECT_CHARS and subject.endswith("...")
    assert "analysis: xxx" in first_80(subject) and LONG_APP not in subject
