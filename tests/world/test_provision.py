import pytest

from tests.world.helpers import build_world, two_slots

pytestmark = pytest.mark.usefixtures("aws")


def test_the_world_is_a_blue_green_pair_behind_one_listener() -> None:
    world = build_world(run=False, **two_slots(blue=2, green=0))
    elbv2, ecs, ec2 = world.client("elbv2"), world.client("ecs"), world.client("ec2")
    p = world.provisioned

    action = elbv2.describe_listeners(ListenerArns=[p.listener_arn])["Listeners"][0]["DefaultActions"][0]
    weights = [(g["TargetGroupArn"], g["Weight"]) for g in action["ForwardConfig"]["TargetGroups"]]
    assert weights == [(p.target_groups["web-blue-tg"], 100), (p.target_groups["web-green-tg"], 0)]
    tg = elbv2.describe_target_groups(TargetGroupArns=[p.target_groups["web-blue-tg"]])["TargetGroups"][0]
    assert (tg["TargetType"], tg["HealthCheckIntervalSeconds"], tg["HealthyThresholdCount"]) == ("ip", 5, 2)
    attributes = elbv2.describe_target_group_attributes(TargetGroupArn=tg["TargetGroupArn"])["Attributes"]
    assert {"Key": "deregistration_delay.timeout_seconds", "Value": "10"} in attributes
    dns = ec2.describe_vpc_attribute(VpcId=p.vpc_id, Attribute="enableDnsHostnames")["EnableDnsHostnames"]
    assert dns["Value"] is True

    service = ecs.describe_services(cluster=p.cluster_name, services=["web-blue"])["services"][0]
    assert service["loadBalancers"] == [
        {"targetGroupArn": p.target_groups["web-blue-tg"], "containerName": "app", "containerPort": 80}
    ]
    assert service["taskDefinition"] == p.services["web-blue"].task_definition_arn
    task_def = ecs.describe_task_definition(taskDefinition=p.services["web-blue"].task_definition_arn)[
        "taskDefinition"
    ]
    assert (task_def["networkMode"], task_def["containerDefinitions"][0]["memory"]) == ("awsvpc", 512)
    assert p.as_dict()["services"]["web-green"]["target_group_arn"] == p.target_groups["web-green-tg"]


def test_a_listener_rule_world_forwards_through_the_rule() -> None:
    world = build_world(run=False, **two_slots(), load_balancer={"listener_rule": True})
    elbv2 = world.client("elbv2")
    p = world.provisioned
    assert p.listener_rule_arn is not None and p.traffic_arn() == p.listener_rule_arn

    default = elbv2.describe_listeners(ListenerArns=[p.listener_arn])["Listeners"][0]["DefaultActions"][0]
    rule = elbv2.describe_rules(RuleArns=[p.listener_rule_arn])["Rules"][0]

    assert default["Type"] == "fixed-response"
    assert [g["Weight"] for g in rule["Actions"][0]["ForwardConfig"]["TargetGroups"]] == [100, 0]


def test_alarms_watch_the_alb_metrics_of_their_target_group() -> None:
    alarm = {
        "name": "green-5xx",
        "metric": "HTTPCode_Target_5XX_Count",
        "target_group": "web-green-tg",
        "threshold": 5,
    }
    world = build_world(run=False, **two_slots(), alarms=[alarm])

    found = world.client("cloudwatch").describe_alarms(AlarmNames=["green-5xx"])["MetricAlarms"][0]

    assert (found["Namespace"], found["Statistic"], found["Period"]) == ("AWS/ApplicationELB", "Sum", 60)
    assert [d["Name"] for d in found["Dimensions"]] == ["TargetGroup", "LoadBalancer"]
    assert found["AlarmArn"] == world.provisioned.alarms["green-5xx"]


def test_service_tags_reach_ecs() -> None:
    services = [
        {"name": "api-blue", "image": "api:v1", "tags": {"team": "payments", "fargate-ops:app": "api"}}
    ]
    world = build_world(run=False, services=services)

    arn = world.provisioned.services["api-blue"].arn
    tags = world.client("ecs").list_tags_for_resource(resourceArn=arn)["tags"]

    assert {t["key"]: t["value"] for t in tags} == {
        "team": "payments",
        "fargate-ops:app": "api",
        "fargate-ops:handover": "fargate-ops",  # handed over to fargate-ops, as every world service
    }


def test_the_world_hands_its_services_routes_and_roles_over_with_the_tag() -> None:
    from fargate_ops_cli.local.iam.enforcer import _MotoLookups

    services = [
        {"name": "web-blue", "image": "web:v1", "task_role": "web-task"},
        {"name": "web-green", "image": "web:v1"},
    ]
    world = build_world(run=False, services=services, load_balancer={"listener_rule": True})
    p = world.provisioned
    lookups = _MotoLookups(p.account_id, p.region)
    handed_over = {"fargate-ops:handover": "fargate-ops"}

    assert lookups.resource_tags(p.services["web-green"].arn) == handed_over
    assert lookups.resource_tags(p.listener_arn) == handed_over
    assert p.listener_rule_arn is not None and lookups.resource_tags(p.listener_rule_arn) == handed_over
    assert lookups.resource_tags(f"arn:aws:iam::{p.account_id}:role/web-task") == handed_over
    assert lookups.resource_tags(f"arn:aws:iam::{p.account_id}:role/not-there") == {}


def test_a_world_without_a_handover_tag_tags_nothing() -> None:
    from fargate_ops_cli.local.iam.enforcer import _MotoLookups

    world = build_world(run=False, handover_tag=None, **two_slots())
    p = world.provisioned
    lookups = _MotoLookups(p.account_id, p.region)

    assert lookups.resource_tags(p.services["web-blue"].arn) == {}
    assert lookups.resource_tags(p.listener_arn) == {}
