"""The `detail` of the events the simulator emits, shaped as in events/aws/ (the real AWS samples).

Keys appear when ECS would have a value for them (connectivityAt once the ENI is attached, stopCode
once the task is stopping...), so a STOPPED event has exactly the keys of the real STOPPED sample.
"""

from __future__ import annotations

from typing import Any

from fargate_ops_cli.local.world.tasks import SimContainer, SimTask, attachment_details
from fargate_ops_cli.local.world.timefmt import ecs_millis, ecs_seconds

# Keys present once the matching time is known, in the order of the samples.
_TIMED_KEYS = (
    "connectivityAt",
    "executionStoppedAt",
    "pullStartedAt",
    "pullStoppedAt",
    "startedAt",
    "stoppingAt",
    "stoppedAt",
)


def task_state_change(task: SimTask, now: float) -> dict[str, Any]:
    attached = "connectivityAt" in task.times
    detail: dict[str, Any] = {
        "attachments": [
            {
                "id": task.attachment_id,
                "type": "eni",
                "status": task.attachment_status,
                "details": attachment_details(task)
                if attached
                else [{"name": "subnetId", "value": task.subnet_id}],
            }
        ],
        "attributes": [{"name": "ecs.cpu-architecture", "value": "x86_64"}],
        "availabilityZone": task.availability_zone,
        "capacityProviderName": task.capacity_provider,
        "clusterArn": task.cluster_arn,
        "containers": [_container(task, c) for c in task.containers],
        "cpu": task.cpu,
        "createdAt": ecs_millis(task.created_at),
        "desiredStatus": task.desired_status,
        "enableExecuteCommand": False,
        "ephemeralStorage": {"sizeInGiB": 20},
        "group": f"service:{task.service_name}",
        "launchType": "FARGATE",
        "lastStatus": task.last_status,
        "memory": task.memory,
        "overrides": {"containerOverrides": [{"name": c.name} for c in task.containers]},
        "platformVersion": "1.4.0",
        "startedBy": task.deployment_id,
        "taskArn": task.arn,
        "taskDefinitionArn": task.task_definition_arn,
        "updatedAt": ecs_millis(now),
        "version": task.version,
    }
    if attached:
        detail["connectivity"] = "CONNECTED"
    for key in _TIMED_KEYS:
        if key in task.times:
            detail[key] = ecs_millis(task.times[key])
    if task.stop_code is not None:
        detail["stopCode"] = task.stop_code
        detail["stoppedReason"] = task.stopped_reason or ""
    return detail


def _container(task: SimTask, container: SimContainer) -> dict[str, Any]:
    out: dict[str, Any] = {
        "containerArn": container.arn,
        "lastStatus": container.last_status,
        "name": container.name,
        "image": container.image,
    }
    if "startedAt" in task.times:
        out["imageDigest"] = container.image_digest
        out["runtimeId"] = container.runtime_id
    out["taskArn"] = task.arn
    if "connectivityAt" in task.times:
        out["networkInterfaces"] = [{"attachmentId": task.attachment_id, "privateIpv4Address": task.ip}]
    out["cpu"] = container.cpu
    if container.exit_code is not None:
        out["exitCode"] = container.exit_code
    if container.reason is not None:
        out["reason"] = container.reason
    return out


def service_action(event_type: str, event_name: str, cluster_arn: str, now: float) -> dict[str, Any]:
    """SERVICE_STEADY_STATE (INFO), SERVICE_TASK_START_IMPAIRED (WARN): no `version` (keyed on event id)."""
    return {
        "eventType": event_type,
        "eventName": event_name,
        "clusterArn": cluster_arn,
        "createdAt": ecs_millis(now),
    }


def deployment_state_change(event_name: str, deployment_id: str, reason: str, now: float) -> dict[str, Any]:
    event_type = "ERROR" if event_name == "SERVICE_DEPLOYMENT_FAILED" else "INFO"
    return {
        "eventType": event_type,
        "eventName": event_name,
        "deploymentId": deployment_id,
        "updatedAt": ecs_seconds(now),
        "reason": reason,
    }
