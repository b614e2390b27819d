"""Pulls from the account's ECR in the simulator: a task of an image ECR does not hold fails to start."""

import json

import pytest

from tests.world.helpers import World, build_world

CLUSTER = "fargate-ops-demo"
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v1"
MANIFEST = json.dumps(
    {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "layers": [{"digest": "sha256:" + "2" * 64}],
    }
)

pytestmark = pytest.mark.usefixtures("aws")


def scale_up(world: World) -> None:
    world.client("ecs").update_service(cluster=CLUSTER, service="api", desiredCount=1)
    world.clock.advance(120)


def api_world() -> World:
    return build_world(services=[{"name": "api", "image": IMAGE, "desired_count": 0}])


def test_a_task_whose_image_was_deleted_from_ecr_fails_to_start_with_cannot_pull() -> None:
    world = api_world()
    ecr = world.client("ecr")
    ecr.create_repository(repositoryName="api")
    ecr.put_image(repositoryName="api", imageTag="v1", imageManifest=MANIFEST)
    ecr.batch_delete_image(repositoryName="api", imageIds=[{"imageTag": "v1"}])

    scale_up(world)

    stopped = world.sink.tasks("STOPPED")
    assert stopped and stopped[0].detail["stopCode"] == "TaskFailedToStart"
    assert stopped[0].detail["stoppedReason"].startswith("CannotPullContainerError")
    assert IMAGE in stopped[0].detail["stoppedReason"]
    assert world.sink.tasks("RUNNING") == []


def test_a_task_whose_image_ecr_holds_starts() -> None:
    world = api_world()
    ecr = world.client("ecr")
    ecr.create_repository(repositoryName="api")
    ecr.put_image(repositoryName="api", imageTag="v1", imageManifest=MANIFEST)

    scale_up(world)

    assert len(world.sink.tasks("RUNNING")) == 1 and world.sink.tasks("STOPPED") == []


def test_an_image_outside_the_accounts_ecr_pulls_as_its_behaviour_says() -> None:
    world = build_world(
        services=[{"name": "api", "image": "public.ecr.aws/nginx/nginx:1", "desired_count": 0}]
    )

    scale_up(world)

    assert len(world.sink.tasks("RUNNING")) == 1
