"""The moto fixes the simulator offers the runtime's hooks: ECS ListTasks rules, CloudWatch dimensions, and
the CreateService fields moto drops."""

from datetime import UTC, datetime

import pytest
from moto.cloudwatch.models import Dimension
from moto.ecs.models import EC2ContainerServiceBackend
from moto.ecs.responses import EC2ContainerServiceResponse

from fargate_ops_cli.local.world.moto_access import (
    create_service_keeping_settings,
    dimension_less_than,
    list_tasks_like_ecs,
)
from fargate_ops_cli.local.world.provision import metric_dimension
from tests.world.helpers import START, build_world, two_slots

pytestmark = pytest.mark.usefixtures("aws")


def test_list_tasks_filters_by_service_and_defaults_to_running(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        EC2ContainerServiceBackend, "list_tasks", list_tasks_like_ecs(EC2ContainerServiceBackend.list_tasks)
    )
    world = build_world(**two_slots(blue=2, green=1))
    ecs = world.client("ecs")
    ecs.update_service(cluster="fargate-ops-demo", service="web-blue", desiredCount=1)
    world.clock.advance(60)

    blue = ecs.list_tasks(cluster="fargate-ops-demo", serviceName="web-blue")["taskArns"]
    stopped = ecs.list_tasks(cluster="fargate-ops-demo", serviceName="web-blue", desiredStatus="STOPPED")[
        "taskArns"
    ]
    green = ecs.list_tasks(cluster="fargate-ops-demo", serviceName="web-green")["taskArns"]

    live = world.sim.snapshot()
    assert blue == [t.arn for t in live.tasks_of("web-blue", live_only=True)]
    assert len(stopped) == 1 and stopped[0] not in blue
    assert green == [t.arn for t in live.tasks_of("web-green", live_only=True)]


def test_get_metric_data_finds_alb_metrics_whatever_the_dimension_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(Dimension, "__lt__", dimension_less_than)
    world = build_world(**two_slots(blue=1))
    world.clock.advance(60 + world.spec.cloudwatch.ingestion_delay_seconds)  # the minute is readable
    dims = [
        {"Name": "LoadBalancer", "Value": metric_dimension(world.provisioned.load_balancer_arn)},
        {"Name": "TargetGroup", "Value": metric_dimension(world.tg("web-blue-tg"))},
    ]
    query = {
        "Id": "m",
        "MetricStat": {
            "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": "RequestCount", "Dimensions": dims},
            "Period": 60,
            "Stat": "Sum",
        },
    }

    result = world.client("cloudwatch").get_metric_data(
        MetricDataQueries=[query],
        StartTime=datetime.fromtimestamp(START, UTC),
        EndTime=datetime.fromtimestamp(START + 60, UTC),
    )["MetricDataResults"][0]

    assert result["Values"] == [600.0]


def test_create_service_keeps_the_circuit_breaker_grace_period_and_capacity_provider(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(
        EC2ContainerServiceResponse,
        "create_service",
        create_service_keeping_settings(EC2ContainerServiceResponse.create_service),
    )
    world = build_world(**two_slots(blue=1))
    ecs = world.client("ecs")
    settings = {
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {"enable": True, "rollback": True},
            "maximumPercent": 200,
            "minimumHealthyPercent": 100,
        },
        "healthCheckGracePeriodSeconds": 90,
        "capacityProviderStrategy": [{"capacityProvider": "FARGATE_SPOT", "weight": 1}],
    }

    ecs.create_service(
        cluster="fargate-ops-demo", serviceName="twin", taskDefinition="web-blue:1", **settings
    )
    twin = ecs.describe_services(cluster="fargate-ops-demo", services=["twin"])["services"][0]

    assert {k: twin.get(k) for k in settings} == settings
    assert "launchType" not in twin  # ECS has none beside a capacity provider strategy
