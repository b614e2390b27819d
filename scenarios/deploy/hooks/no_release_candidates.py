"""A validation hook that enforces a release policy: a release candidate image never gets production
traffic. It reads the image green runs (ECS) and fails the validation for a tag with "-rc"."""

import boto3


class ValidationFailedError(Exception):
    pass


def handler(event, context):
    ecs = boto3.client("ecs")
    service = ecs.describe_services(cluster=event["cluster"], services=[event["green"]["service"]])
    task_definition = service["services"][0]["taskDefinition"]
    containers = ecs.describe_task_definition(taskDefinition=task_definition)["taskDefinition"][
        "containerDefinitions"
    ]
    for container in containers:
        if "-rc" in container["image"].rsplit(":", 1)[-1]:
            raise ValidationFailedError(
                f"green runs {container['image']}: release candidates do not get production traffic"
            )
    return {"checked": event["deploy_id"]}
