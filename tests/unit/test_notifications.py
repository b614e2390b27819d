"""How an alert reads: subject, text, the Chatbot schema, the structured body, the logs link."""

from __future__ import annotations

import json
from typing import Any

from fargate_ops.domain.alert_state import PLACEMENT_FAILURE, Alert, AlertKind
from fargate_ops.domain.notifications import ServiceRef, console_log_url, log_link, render

REF = ServiceRef("prod", "api", "us-east-1", "123456789012")
NOW = 1_767_600_000.0
STOP = {
    "task_id": "1846d424c17c4e0a9f0e1c2b3a4d5e6f",
    "at": "2026-01-05T09:02:20.000Z",
    "stop_code": "EssentialContainerExited",
    "stopped_reason": "Essential container in task exited",
    "revision": "api:7",
    "task_definition": "arn:aws:ecs:us-east-1:123456789012:task-definition/api:7",
    "containers": [
        {"name": "envoy", "exit_code": 0, "image": "envoy:1", "reason": None},
        {
            "name": "app",
            "exit_code": 137,
            "reason": "OutOfMemoryError: Container killed due to memory usage",
            "image": "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v7",
            "image_digest": "sha256:abc",
        },
    ],
}
CRASH = Alert(
    AlertKind.CRASH_LOOP,
    "CRASH_LOOP",
    {"abnormal_stops": 3, "threshold": 3, "window_seconds": 600, "latest": STOP, "stops": [STOP]},
)
AWSLOGS = {
    "containerDefinitions": [
        {
            "name": "app",
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/api",
                    "awslogs-region": "us-east-1",
                    "awslogs-stream-prefix": "ecs",
                },
            },
        }
    ]
}


def notification(alert: Alert = CRASH, **kwargs: Any) -> Any:
    return render(alert, REF, notification_id="n1", now=NOW, **kwargs)


def test_a_crash_loop_subject_names_the_service_the_exit_code_and_the_reason() -> None:
    subject = notification().subject

    assert subject.startswith("fargate-ops: api in prod is crash-looping: app exit 137 (OutOfMemoryError")


def test_the_text_shows_the_evidence_a_person_needs() -> None:
    text = notification(logs=log_link(AWSLOGS, "app", STOP["task_id"], "us-east-1")).text

    assert "3 abnormal task stops within 10 minutes" in text
    assert "api:v7 @ sha256:abc" in text
    assert "task-definition/api:7" in text
    assert "Logs: https://us-east-1.console.aws.amazon.com/cloudwatch/home" in text
    assert "fargate-ops events prod/api" in text


def test_the_default_message_is_a_chatbot_custom_notification_with_the_facts_beside_it() -> None:
    body = notification().body()

    assert (body["version"], body["source"]) == ("1.0", "custom")
    assert body["content"]["textType"] == "client-markdown"
    assert body["metadata"]["threadId"] == "fargate-ops/prod/api"
    assert body["metadata"]["relatedResources"] == ["arn:aws:ecs:us-east-1:123456789012:service/prod/api"]
    assert body["fargate_ops"]["kind"] == "crash_loop"
    assert body["fargate_ops"]["latest"]["containers"][1]["exit_code"] == 137


def test_chatbot_email_and_everything_else_each_get_their_own_shape() -> None:
    message = json.loads(notification().sns_message())

    assert set(message) == {"default", "https", "email"}
    assert "fargate_ops" not in json.loads(message["https"])
    assert message["email"].startswith("api (prod) is crash-looping")
    assert json.loads(message["default"])["fargate_ops"]["origin"] == "reactions"


def test_held_back_notifications_are_mentioned_in_the_next_one() -> None:
    sent = notification(suppressed_before=2, per_hour=5)

    assert "2 earlier notification(s) for this service were held back: at most 5 per hour" in sent.text
    assert sent.structured()["suppressed_before"] == 2


def test_a_placement_failure_reads_as_ecs_cannot_place_tasks() -> None:
    alert = Alert(
        AlertKind.SERVICE_EVENT,
        PLACEMENT_FAILURE,
        {"event_name": PLACEMENT_FAILURE, "reason": "RESOURCE:FARGATE", "at": NOW},
    )

    assert (
        notification(alert).subject == "fargate-ops: api in prod: ECS cannot place tasks (RESOURCE:FARGATE)"
    )


def test_the_logs_link_points_at_the_tasks_stream_encoded_as_the_console_wants() -> None:
    link = log_link(AWSLOGS, "app", "abc123", "eu-west-1")

    assert link.url == (
        "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1"
        "#logsV2:log-groups/log-group/$252Fecs$252Fapi/log-events/ecs$252Fapp$252Fabc123"
    )


def test_without_awslogs_the_notification_says_logs_are_not_configured() -> None:
    definition = {"containerDefinitions": [{"name": "app"}]}

    link = log_link(definition, "app", "abc123", "us-east-1")

    assert link.url is None
    assert link.note == "logs are not configured in CloudWatch Logs (app uses no log configuration)"


def test_a_log_group_without_a_stream_prefix_links_to_the_group() -> None:
    assert console_log_url("us-east-1", "/ecs/api", None).endswith("log-group/$252Fecs$252Fapi")
