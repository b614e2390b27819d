from __future__ import annotations

import json

from fargate_ops.domain import crash_loop, deploy


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

    assert reason["summary"] == "green tasks kept stopping abnormally (crash loop)"
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


def test_an_inconclusive_analysis_that_rolls_back_says_so() -> None:
    cause = json.dumps({"reason": "inconclusive: after waiting 300s, CloudWatch has no ... rolling back"})

    reason = deploy.rollback_reason("AnalysisInconclusiveError", cause, readiness_timeout_seconds=300)

    assert reason["summary"].startswith("analysis inconclusive: after waiting 300s")


def test_a_readiness_timeout_and_an_approval_timeout_say_different_things() -> None:
    ready = deploy.rollback_reason(
        "States.Timeout", None, readiness_timeout_seconds=300, state="AwaitStepReady"
    )
    approval = deploy.rollback_reason(
        "States.Timeout",
        None,
        readiness_timeout_seconds=300,
        approval_timeout_seconds=3600,
        state="AwaitApproval",
    )

    assert ready["summary"] == "green was not ready within 300s"
    assert approval["summary"] == "approval was not given within 3600s"
    assert approval["state"] == "AwaitApproval"


def test_an_alarm_names_itself_and_an_analysis_shows_its_numbers() -> None:
    alarm_cause = json.dumps({"alarms": [{"name": "web-5xx", "reason": "Threshold Crossed"}]})
    analysis_cause = json.dumps(
        {
            "errorType": "AnalysisFailedError",
            "errorMessage": json.dumps({"reason": "green 5xx rate 5.00% vs 0.00%"}),
        }
    )

    alarm = deploy.rollback_reason("AlarmFiringError", alarm_cause, readiness_timeout_seconds=1)
    analysis = deploy.rollback_reason("AnalysisFailedError", analysis_cause, readiness_timeout_seconds=1)

    assert alarm["summary"] == "alarm web-5xx went to ALARM"
    assert analysis["summary"] == "analysis failed: green 5xx rate 5.00% vs 0.00%"
    assert analysis["cause"] == {"reason": "green 5xx rate 5.00% vs 0.00%"}


def test_an_abort_quotes_the_operator() -> None:
    reason = deploy.rollback_reason(
        "DeployAbortedError", "aborted by operator: bad checkout", readiness_timeout_seconds=1, state="Bake"
    )

    assert reason["summary"] == "aborted by operator: bad checkout"


def test_a_failed_validation_names_the_hooks_error() -> None:
    reason = deploy.rollback_reason(
        "SmokeTestFailed", "{}", readiness_timeout_seconds=1, state="ValidationHook"
    )

    assert reason["summary"] == "validation before production traffic failed: SmokeTestFailed"


def test_the_crash_loop_threshold_is_reached_at_the_threshold() -> None:
    assert not crash_loop.crash_loop_reached(2, 3)
    assert crash_loop.crash_loop_reached(3, 3)


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
