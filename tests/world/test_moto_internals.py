"""Fails loudly when a moto upgrade moves an internal the world simulator reads or writes."""

import inspect

import pytest

from fargate_ops_cli.local.world import moto_access as m
from tests.world.helpers import build_world, two_slots


def test_the_simulator_s_moto_classes_still_take_what_it_passes() -> None:
    task_params = set(inspect.signature(m.Task.__init__).parameters)
    assert {
        "cluster",
        "task_definition",
        "backend",
        "group",
        "launch_type",
        "started_by",
        "networking_configuration",
        "platform_version",
    } <= task_params
    assert set(inspect.signature(m.FakeHealthStatus.__init__).parameters) >= {
        "instance_id",
        "port",
        "health_port",
        "status",
        "reason",
        "description",
    }
    assert hasattr(m.FakeTargetGroup, "health_for")
    from moto.cloudwatch.models import Alarm

    assert hasattr(Alarm, "update_state")


@pytest.mark.usefixtures("aws")
def test_the_backend_attributes_the_simulator_uses_are_still_there() -> None:
    world = build_world(**two_slots(blue=1))
    b = world.sim.ctx.backends
    service = b.ecs.services["fargate-ops-demo:web-blue"]
    for name in (
        "deployments",
        "running_count",
        "pending_count",
        "events",
        "load_balancers",
        "network_configuration",
        "desired_count",
        "task_definition",
        "status",
    ):
        assert hasattr(service, name), f"moto ECS Service lost {name}"
    task = next(iter(b.ecs.tasks["fargate-ops-demo"].values()))
    assert hasattr(task, "_transitions") and hasattr(task, "attachments") and hasattr(task, "containers")
    tg = b.elbv2.target_groups[world.tg("web-blue-tg")]
    for name in ("targets", "attributes", "health_check_interval_seconds", "healthy_threshold_count"):
        assert hasattr(tg, name), f"moto FakeTargetGroup lost {name}"
    listener = b.elbv2.describe_listeners(None, [world.provisioned.listener_arn])[0]
    assert listener.default_actions[0].data["Type"] == "forward"
    assert hasattr(b.cloudwatch, "alarms") and hasattr(b.cloudwatch, "put_metric_data")
    assert hasattr(b.ec2, "enis") and hasattr(b.ec2, "get_subnet")


@pytest.mark.usefixtures("aws")
def test_the_ecr_internals_the_pull_check_reads_are_still_there() -> None:
    world = build_world(**two_slots(blue=1))
    ecr = world.client("ecr")
    ecr.create_repository(repositoryName="api")
    manifest = '{"schemaVersion": 2, "mediaType": "application/vnd.docker.distribution.manifest.v2+json"}'
    ecr.put_image(repositoryName="api", imageTag="v1", imageManifest=manifest)
    backend = world.sim.ctx.backends.ecr
    digest = backend.repositories["api"].images[0].get_image_digest()

    assert m.ecr_has_image(backend, "api", "v1", None) and m.ecr_has_image(backend, "api", None, digest)
    assert not m.ecr_has_image(backend, "api", "v2", None) and not m.ecr_has_image(backend, "web", "v1", None)
