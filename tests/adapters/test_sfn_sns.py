from __future__ import annotations

import json

import boto3
import pytest
from botocore.stub import Stubber

from fargate_ops import clients
from fargate_ops.aws.sfn import StepFunctionsAdapter
from fargate_ops.aws.sns import SnsAdapter, clean_subject
from fargate_ops.errors import ThrottlingError


@pytest.fixture
def sfn() -> StepFunctionsAdapter:  # the real adapter here, not the conftest fake
    return StepFunctionsAdapter(clients.client("stepfunctions"))


@pytest.mark.parametrize("code", ["TaskTimedOut", "InvalidToken", "TaskDoesNotExist"])
def test_completing_a_wait_that_is_already_over_is_not_an_error(sfn: StepFunctionsAdapter, code: str) -> None:
    stubber = Stubber(sfn._sfn)
    stubber.add_client_error("send_task_success", service_error_code=code)
    stubber.add_client_error("send_task_failure", service_error_code=code)

    with stubber:
        assert sfn.send_success("token", {"ready": True}) is False
        assert sfn.send_failure("token", "GreenCrashLoopError", {"stops": []}) is False


def test_a_failure_is_sent_with_a_json_cause(sfn: StepFunctionsAdapter) -> None:
    stubber = Stubber(sfn._sfn)
    expected = {"taskToken": "token", "error": "GreenCrashLoopError", "cause": json.dumps({"stops": [1]})}
    stubber.add_response("send_task_failure", {}, expected)

    with stubber:
        assert sfn.send_failure("token", "GreenCrashLoopError", {"stops": [1]}) is True

    stubber.assert_no_pending_responses()


def test_a_throttled_completion_is_raised_for_the_caller_to_retry(sfn: StepFunctionsAdapter) -> None:
    stubber = Stubber(sfn._sfn)
    stubber.add_client_error("send_task_success", service_error_code="ThrottlingException")

    with stubber, pytest.raises(ThrottlingError):
        sfn.send_success("token", {})


def test_a_notification_has_a_short_clean_subject_and_a_json_body(topic_arn: str) -> None:
    sqs = boto3.client("sqs")
    queue_url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    boto3.client("sns").subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)

    SnsAdapter(clients.client("sns"), topic_arn).publish(
        "fargate-ops: web\ndeploy é " + "x" * 200, {"status": "OK"}
    )

    envelope = json.loads(sqs.receive_message(QueueUrl=queue_url)["Messages"][0]["Body"])
    assert len(envelope["Subject"]) <= 100 and "\n" not in envelope["Subject"]
    assert json.loads(envelope["Message"]) == {"status": "OK"}


def test_a_subject_is_never_empty() -> None:
    assert clean_subject("\n\t") == "fargate-ops"
