"""The two moto fixes the simulator offers the runtime's hooks: ECS ListTasks rules, CloudWatch dimensions."""

from datetime import UTC, datetime

import pytest
from moto.cloudwatch.models import Dimension
from moto.ecs.models import EC2ContainerServiceBackend

from fargate_ops_cli.local.world.moto_access import dimension_less_than, list_tasks_like_ecs
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
    world.clock.advance(60)
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
