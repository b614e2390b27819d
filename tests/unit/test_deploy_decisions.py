from __future__ import annotations

import json

from fargate_ops.domain import deploy


def test_a_timed_out_wait_explains_itself_with_the_collected_stops() -> None:
    stops = [{"task_arn": "t1", "stop_code": "EssentialContainerExited", "exit_codes": {"app": 1}}]

    reason = deploy.rollback_reason("States.Timeout", None, readiness_timeout_seconds=600, stops=stops)

    assert reason["summary"] == "green was not ready within 600s"
    assert reason["stops"] == stops


def test_a_crash_loop_cause_carries_its_own_evidence() -> None:
    cause = json.dumps({"service": "web-green", "stops": [{"task_arn": "t9", "exit_codes": {"app": 2}}]})

    reason = deploy.rollback_reason(
        "GreenCrashLoopError", cause, readiness_timeout_seconds=600, stops=[{"x": 1}]
    )

    assert reason["summary"] == "green tasks kept stopping abnormally"
    assert reason["stops"] == [{"task_arn": "t9", "exit_codes": {"app": 2}}]


def test_a_lambda_error_cause_is_kept_as_structured_data() -> None:
    cause = json.dumps({"errorType": "ThrottlingError", "errorMessage": "ecs:UpdateService: Throttling"})

    reason = deploy.rollback_reason("ThrottlingError", cause, readiness_timeout_seconds=600)

    assert reason["cause"]["errorMessage"] == "ecs:UpdateService: Throttling"
    assert reason["summary"] == "ThrottlingError during the deploy"


def test_a_plain_text_cause_is_kept_as_text() -> None:
    reason = deploy.rollback_reason("Oops", "not json", readiness_timeout_seconds=1)

    assert reason["cause"] == "not json"


def test_the_one_line_description_names_the_last_stop_and_its_exit_codes() -> None:
    reason = {
        "summary": "green tasks kept stopping abnormally",
        "stops": [
            {"stop_code": "EssentialContainerExited", "stopped_reason": "exited", "exit_codes": {"app": 2}}
        ],
    }

    assert deploy.describe_reason(reason) == (
        "green tasks kept stopping abnormally; last stop: EssentialContainerExited exited (exit codes app=2)"
    )


def test_a_steady_state_from_before_the_update_is_stale() -> None:
    assert not deploy.steady_event_is_fresh(999.0, 1000.4)
    assert deploy.steady_event_is_fresh(1000.0, 1000.4)  # event times have whole seconds
    assert deploy.steady_event_is_fresh(None, 1000.4)


def test_the_lease_covers_readiness_and_bakes_with_a_margin() -> None:
    assert deploy.lease_seconds(600, 300) == 600 + 300 + deploy.LEASE_MARGIN_SECONDS


def test_the_crash_loop_threshold_is_reached_at_the_threshold() -> None:
    assert not deploy.crash_loop_reached(2, 3)
    assert deploy.crash_loop_reached(3, 3)


def test_a_notification_subject_names_the_outcome_and_the_reason() -> None:
    from fargate_ops.deploy.notify import message

    subject, body = message(
        {
            "deploy_id": "d1",
            "application": "web",
            "status": "ROLLED_BACK",
            "rollback_reason": {"summary": "green was not ready within 600s"},
        }
    )

    assert subject == "fargate-ops: web deploy ROLLED_BACK: green was not ready within 600s"
    assert body["status"] == "ROLLED_BACK" and body["deploy_id"] == "d1"


def test_a_rejected_deploy_is_notified_with_the_error_name() -> None:
    from fargate_ops.deploy.notify import message

    subject, _ = message({"application": "web", "failure": {"Error": "DeployInputError", "Cause": "{}"}})

    assert subject == "fargate-ops: web deploy REJECTED: DeployInputError"
