"""Helpers for the reactions' moto tests: events re-addressed from the real AWS samples, an SNS inbox,
the timeline as the `events` command reads it."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import boto3

from fargate_ops import clients
from fargate_ops.aws.timeline_store import TimelineEntry, TimelineStore

REGION = "us-east-1"
Loader = Callable[[str], dict[str, Any]]
CRASHED = "ecs-task-state-change-stopped-essential-container-exited.json"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()


def stamp(at: float, millis: bool = True) -> str:
    moment = datetime.fromtimestamp(at, UTC)
    if millis:
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def crashed_task(
    load_event: Loader, n: int, *, at: float | None = None, version: int = 7, event_id: str | None = None
) -> dict[str, Any]:
    """The real EssentialContainerExited sample (service example-api-v1 in cluster test), as task ``n``."""
    raw = copy.deepcopy(load_event(CRASHED))
    when = T0 + 30 * n if at is None else at
    raw["id"] = event_id or f"crash-{n}-{version}"
    raw["time"] = stamp(when, millis=False)
    detail = raw["detail"]
    detail["taskArn"] = f"arn:aws:ecs:eu-central-1:111111111111:task/test/{n:032x}"
    detail["version"] = version
    detail["stoppedAt"] = detail["updatedAt"] = stamp(when)
    detail["containers"][1]["reason"] = "OutOfMemoryError: Container killed due to memory usage"
    detail["containers"][1]["exitCode"] = 137
    return raw


def stopped_normally(
    load_event: Loader, n: int, reason: str = "Scaling activity initiated by (deployment x)"
) -> Any:
    raw = crashed_task(load_event, n)
    raw["detail"]["stopCode"] = "ServiceSchedulerInitiated"
    raw["detail"]["stoppedReason"] = reason
    for container in raw["detail"]["containers"]:
        container["exitCode"] = 0
        container.pop("reason", None)
    return raw


def service_event(load_event: Loader, name: str, *, at: float, event_id: str) -> dict[str, Any]:
    """A service action sample for service ``servicetest`` of cluster ``default`` at ``at``."""
    raw = copy.deepcopy(load_event(name))
    raw["id"] = event_id
    raw["time"] = stamp(at, millis=False)
    raw["detail"]["createdAt"] = stamp(at)
    return raw


@dataclass
class Inbox:
    """An SQS queue subscribed to the topic: what subscribers received (the ``default`` message)."""

    queue_url: str

    def messages(self) -> list[dict[str, Any]]:
        sqs = boto3.client("sqs", REGION)
        received = []
        while True:
            batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get("Messages", [])
            if not batch:
                return received
            for message in batch:
                envelope = json.loads(message["Body"])
                received.append({"subject": envelope.get("Subject"), "body": json.loads(envelope["Message"])})
                sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])


def subscribe(topic_arn: str) -> Inbox:
    sqs = boto3.client("sqs", REGION)
    url = sqs.create_queue(QueueName="inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    boto3.client("sns", REGION).subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=arn)
    return Inbox(url)


def timeline(table: str, cluster: str, service: str) -> list[TimelineEntry]:
    return TimelineStore(clients.client("dynamodb"), table).entries(cluster, service)
