"""The image check before a scale-up from zero, against moto: held at zero and told once while the image
is gone, scaled up at the first run after it is back, images outside the account's ECR passed unchecked."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest

from fargate_ops import clients, clock
from fargate_ops.aws.scaling import ScalingAdapter
from fargate_ops.aws.scaling_images import ImageChecker
from fargate_ops.aws.sns import SnsAdapter
from fargate_ops.aws.store import Store
from fargate_ops.aws.store_scaling import ScalingStore
from fargate_ops.scaling.image_gate import ImageGate
from fargate_ops.scaling.reconciler import Reconciler, ReconcileSettings
from tests.adapters.conftest import REGION, World

OFFICE = datetime(2026, 11, 24, 1, 0, tzinfo=UTC).timestamp()  # Tuesday 10:00 in Tokyo
SCHEDULE = {
    "name": "office",
    "timezone": "Asia/Tokyo",
    "periods": [{"begin": "09:00", "end": "18:00", "weekdays": "mon-fri", "desired": 3}],
    "default": {"desired": 0},
}
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1"
SIDECAR = "public.ecr.aws/aws-observability/aws-otel-collector:v0.40.0"
MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "layers": [{"digest": "sha256:" + "3" * 64}],
    }
)


@pytest.fixture
def published(topic_arn: str) -> Callable[[], list[dict[str, Any]]]:
    """Everything the topic received so far (an SQS queue subscribed to it)."""
    sqs, sns = boto3.client("sqs", REGION), boto3.client("sns", REGION)
    queue = sqs.create_queue(QueueName="told")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    sns.subscribe(TopicArn=topic_arn, Protocol="sqs", Endpoint=queue_arn)
    received: list[dict[str, Any]] = []

    def drain() -> list[dict[str, Any]]:
        for message in sqs.receive_message(QueueUrl=queue, MaxNumberOfMessages=10).get("Messages", []):
            received.append(json.loads(message["Body"]))
        return received

    return drain


@pytest.fixture
def reconciler(table: str, world: World, topic_arn: str) -> Reconciler:
    scaling = ScalingStore(clients.client("dynamodb"), table)
    scaling.put_schedule(SCHEDULE, at="t", create=True)
    ecs = boto3.client("ecs", REGION)
    revision = ecs.register_task_definition(
        family="api",
        containerDefinitions=[
            {"name": "app", "image": IMAGE, "memory": 512, "essential": True},
            {"name": "otel", "image": SIDECAR, "memory": 128, "essential": False},
        ],
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="1024",
    )["taskDefinition"]["taskDefinitionArn"]
    ecs.update_service(cluster="prod", service="web-green", taskDefinition=revision, desiredCount=0)
    ecs.tag_resource(
        resourceArn=f"arn:aws:ecs:{REGION}:123456789012:service/prod/web-green",
        tags=[{"key": "fargate-ops:schedule", "value": "office"}],
    )
    boto3.client("ecr", REGION).create_repository(repositoryName="api")
    gate = ImageGate(
        ImageChecker(clients.client("ecs"), clients.client("ecr")),
        SnsAdapter(clients.client("sns"), topic_arn),
        scaling,
        14,
    )
    aws = ScalingAdapter(
        clients.client("ecs"),
        clients.client("application-autoscaling"),
        clients.client("events"),
        clients.client("scheduler"),
        clients.client("resourcegroupstaggingapi"),
    )
    settings = ReconcileSettings("fargate-ops:schedule", "edge", "arn:aws:iam::123456789012:role/edge")
    return Reconciler(aws, scaling, Store(clients.client("dynamodb"), table), settings, None, gate=gate)


@pytest.fixture(autouse=True)
def _clock() -> object:
    clock.set_time_source(lambda: OFFICE)
    yield
    clock.set_time_source(None)


def green() -> dict[str, Any]:
    found: dict[str, Any] = boto3.client("ecs", REGION).describe_services(
        cluster="prod", services=["web-green"], include=["TAGS"]
    )["services"][0]
    return found


def push() -> None:
    boto3.client("ecr", REGION).put_image(repositoryName="api", imageTag="v1", imageManifest=MANIFEST)


def test_a_scale_up_from_zero_whose_image_is_gone_is_held_and_told_once(
    reconciler: Reconciler, published: Callable[[], list[dict[str, Any]]]
) -> None:
    first = reconciler.run(lambda: ["prod"])
    second = reconciler.run(lambda: ["prod"])

    assert green()["desiredCount"] == 0 and first.actions == [] and second.actions == []
    assert first.errors[0]["error"] == f"scale-up held: image gone: {IMAGE} (not found)"
    assert second.errors == first.errors  # every run checks again
    told = published()
    assert len(told) == 1 and "scale-up held" in told[0]["Subject"]
    assert json.loads(told[0]["Message"])["gone_images"] == {IMAGE: "not found"}
    tags = {t["key"]: t["value"] for t in green()["tags"]}
    assert tags["fargate-ops:scaling-error"].startswith("scale-up held: image gone")


def test_once_the_image_is_back_the_next_run_scales_up_and_says_what_it_could_not_check(
    reconciler: Reconciler, published: Callable[[], list[dict[str, Any]]]
) -> None:
    reconciler.run(lambda: ["prod"])
    push()

    report = reconciler.run(lambda: ["prod"])

    assert green()["desiredCount"] == 3
    assert report.actions[0]["images_not_checked"] == [SIDECAR]
    assert len(published()) == 1  # the hold's only


def test_an_image_gone_again_after_it_came_back_is_told_again(
    reconciler: Reconciler, published: Callable[[], list[dict[str, Any]]]
) -> None:
    reconciler.run(lambda: ["prod"])
    push()
    reconciler.run(lambda: ["prod"])
    boto3.client("ecs", REGION).update_service(cluster="prod", service="web-green", desiredCount=0)
    boto3.client("ecr", REGION).batch_delete_image(repositoryName="api", imageIds=[{"imageTag": "v1"}])

    reconciler.run(lambda: ["prod"])

    assert green()["desiredCount"] == 0 and len(published()) == 2


def test_a_service_already_running_is_not_checked(reconciler: Reconciler) -> None:
    boto3.client("ecs", REGION).update_service(cluster="prod", service="web-green", desiredCount=1)

    report = reconciler.run(lambda: ["prod"])

    assert report.errors == [] and green()["desiredCount"] == 3
