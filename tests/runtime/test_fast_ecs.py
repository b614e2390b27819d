"""moto's ECS in the local runtime finds a service by its key, not by walking every service
(local/fast_ecs.py), and finds or refuses exactly what moto would."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from moto.ecs.models import Service

from fargate_ops_cli.local.runtime import LocalRuntime

TOY = Path(__file__).parent / "fixtures" / "toy"
SERVICES = 40


@pytest.fixture
def ecs() -> Iterator[Any]:
    with LocalRuntime(TOY) as runtime:
        client = runtime.clients.client("ecs")
        client.create_cluster(clusterName="fleet")
        client.create_cluster(clusterName="other")
        client.register_task_definition(
            family="api", containerDefinitions=[{"name": "app", "image": "api:v1", "memory": 512}]
        )
        for n in range(SERVICES):
            client.create_service(cluster="fleet", serviceName=f"api-{n:02d}", taskDefinition="api")
        yield client


def arn(cluster: str, name: str) -> str:
    return f"arn:aws:ecs:us-east-1:123456789012:service/{cluster}/{name}"


def test_changing_or_tagging_one_service_does_not_build_every_services_arn(
    ecs: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[str] = []
    original = Service.arn.fget
    assert original is not None
    monkeypatch.setattr(Service, "arn", property(lambda self: built.append(self.name) or original(self)))

    ecs.update_service(cluster="fleet", service="api-30", desiredCount=2)
    ecs.tag_resource(resourceArn=arn("fleet", "api-31"), tags=[{"key": "k", "value": "v"}])

    assert set(built) <= {"api-30", "api-31"}  # moto itself walks all 40 for each


def test_a_service_is_found_by_name_or_arn_and_refused_where_moto_refuses_it(ecs: Any) -> None:
    ecs.update_service(cluster="fleet", service=arn("fleet", "api-01"), desiredCount=3)
    found = ecs.describe_services(cluster="fleet", services=["api-01"], include=["TAGS"])["services"][0]
    assert found["desiredCount"] == 3
    ecs.tag_resource(resourceArn=arn("fleet", "api-02"), tags=[{"key": "k", "value": "v"}])
    assert ecs.list_tags_for_resource(resourceArn=arn("fleet", "api-02"))["tags"] == [
        {"key": "k", "value": "v"}
    ]
    for cluster, service in (("other", "api-01"), ("fleet", "api-99")):
        with pytest.raises(ClientError, match="ServiceNotFoundException"):
            ecs.update_service(cluster=cluster, service=service, desiredCount=1)
    with pytest.raises(ClientError, match="ServiceNotFoundException"):
        ecs.tag_resource(resourceArn=arn("other", "api-01"), tags=[{"key": "k", "value": "v"}])
