"""A boto3 call -> the authorisations AWS makes for it (the Service Authorization Reference's ARNs)."""

from __future__ import annotations

from typing import Any

import pytest

from fargate_ops_cli.local.iam.policy import AuthRequest
from fargate_ops_cli.local.iam.requests import Call, IamMappingError, authorisations

ACCOUNT = "123456789012"
MACHINE = f"arn:aws:states:us-east-1:{ACCOUNT}:stateMachine:fargate-ops-deploy"


class FakeLookups:
    def next_task_definition_revision(self, family: str) -> int:
        return 7

    def state_machine_of_task_token(self, token: str) -> str | None:
        return MACHINE if token == "known" else None

    def resource_tags(self, arn: str) -> dict[str, str]:
        return {"app": "web"} if arn.endswith("/web-blue") else {}

    def topic_key(self, topic_arn: str) -> str | None:
        return KEY if topic_arn.endswith(":encrypted") else None


KEY = f"arn:aws:kms:us-east-1:{ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab"


def auth(service_name: str, operation: str, /, **params: Any) -> list[AuthRequest]:
    return authorisations(Call(service_name, operation, params, "us-east-1", ACCOUNT), FakeLookups())


def test_update_service_authorises_on_the_service_arn_with_its_cluster() -> None:
    (request,) = auth("ecs", "UpdateService", cluster="prod", service="web-green", desiredCount=2)

    assert request.action == "ecs:UpdateService"
    assert request.resource == f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/web-green"
    assert request.context_dict()["ecs:cluster"] == f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"


def test_a_cluster_given_as_an_arn_and_no_cluster_at_all_both_name_the_service() -> None:
    cluster_arn = f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"

    (by_arn,) = auth("ecs", "UpdateService", cluster=cluster_arn, service="web")
    (default,) = auth("ecs", "UpdateService", service="web")

    assert by_arn.resource.endswith(":service/prod/web")
    assert default.resource.endswith(":service/default/web")


def test_describe_services_authorises_each_service() -> None:
    requests = auth("ecs", "DescribeServices", cluster="prod", services=["web-blue", "web-green"])

    assert [r.resource.rsplit(":", 1)[-1] for r in requests] == [
        "service/prod/web-blue",
        "service/prod/web-green",
    ]


def test_an_action_without_resource_types_authorises_on_star_with_its_condition_keys() -> None:
    (request,) = auth("ecs", "ListServices", cluster="prod")

    assert request.resource == "*"
    assert request.context_dict() == {"ecs:cluster": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/prod"}


def test_register_task_definition_passes_its_roles_to_ecs_tasks_and_tags_the_next_revision() -> None:
    requests = auth(
        "ecs",
        "RegisterTaskDefinition",
        family="web",
        taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/web-task",
        executionRoleArn=f"arn:aws:iam::{ACCOUNT}:role/web-exec",
        containerDefinitions=[],
        tags=[{"key": "fargate-ops:deploy", "value": "d1"}],
    )

    register, task_role, exec_role, tag = requests
    assert (register.action, register.resource) == ("ecs:RegisterTaskDefinition", "*")
    assert register.context_dict()["aws:tagkeys"] == ("fargate-ops:deploy",)
    assert (task_role.action, task_role.resource) == ("iam:PassRole", f"arn:aws:iam::{ACCOUNT}:role/web-task")
    assert task_role.context_dict() == {"iam:passedtoservice": "ecs-tasks.amazonaws.com"}
    assert exec_role.resource.endswith(":role/web-exec")
    assert (tag.action, tag.resource) == (
        "ecs:TagResource",
        f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/web:7",
    )
    assert tag.context_dict()["ecs:createaction"] == "RegisterTaskDefinition"
    assert tag.context_dict()["aws:requesttag/fargate-ops:deploy"] == "d1"


def test_create_service_with_tags_tags_the_service_as_create_service() -> None:
    _, tag = auth(
        "ecs", "CreateService", cluster="prod", serviceName="web-green", tags=[{"key": "app", "value": "web"}]
    )

    assert tag.resource.endswith(":service/prod/web-green")
    assert tag.context_dict()["ecs:createaction"] == "CreateService"


def test_a_tag_resource_call_of_its_own_carries_no_create_action() -> None:
    service = f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/web"

    (request,) = auth("ecs", "TagResource", resourceArn=service, tags=[{"key": "a", "value": "b"}])

    assert request.resource == service
    assert "ecs:createaction" not in request.context_dict()


def test_a_transaction_authorises_each_item_on_its_table() -> None:
    requests = auth(
        "dynamodb",
        "TransactWriteItems",
        TransactItems=[
            {"Put": {"TableName": "ops", "Item": {}}},
            {"ConditionCheck": {"TableName": "ops", "Key": {}}},
            {"Delete": {"TableName": "other", "Key": {}}},
        ],
    )

    assert [(r.action, r.resource.rsplit(":", 1)[-1]) for r in requests] == [
        ("dynamodb:PutItem", "table/ops"),
        ("dynamodb:ConditionCheckItem", "table/ops"),
        ("dynamodb:DeleteItem", "table/other"),
    ]


def test_a_query_on_an_index_authorises_on_the_index() -> None:
    (request,) = auth("dynamodb", "Query", TableName="ops", IndexName="by-app")

    assert request.resource == f"arn:aws:dynamodb:us-east-1:{ACCOUNT}:table/ops/index/by-app"


def test_lambda_invoke_is_invoke_function_on_the_function_and_qualifier() -> None:
    (by_name,) = auth("lambda", "Invoke", FunctionName="fargate-ops-deploy-step", Qualifier="live")
    (by_arn,) = auth("lambda", "Invoke", FunctionName=f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:hook")

    assert by_name.action == "lambda:InvokeFunction"
    assert by_name.resource == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:fargate-ops-deploy-step:live"
    assert by_arn.resource == f"arn:aws:lambda:us-east-1:{ACCOUNT}:function:hook"


def test_send_task_success_authorises_on_the_tokens_state_machine() -> None:
    (request,) = auth("stepfunctions", "SendTaskSuccess", taskToken="known", output="{}")

    assert (request.action, request.resource) == ("states:SendTaskSuccess", MACHINE)
    assert auth("stepfunctions", "SendTaskFailure", taskToken="unknown") == []


def test_elb_reweighting_authorises_on_the_listener_and_reads_on_star() -> None:
    listener = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/app/demo-alb/0123/4567"

    (modify,) = auth("elbv2", "ModifyListener", ListenerArn=listener, DefaultActions=[])
    (describe,) = auth("elbv2", "DescribeListeners", ListenerArns=[listener])

    assert (modify.action, modify.resource) == ("elasticloadbalancing:ModifyListener", listener)
    assert (describe.action, describe.resource) == ("elasticloadbalancing:DescribeListeners", "*")


def test_an_arn_of_the_wrong_resource_type_is_refused_as_a_mapping_error() -> None:
    target_group = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:targetgroup/web/0123"

    with pytest.raises(IamMappingError, match="listener"):
        auth("elbv2", "ModifyListener", ListenerArn=target_group)


def test_a_call_the_mapping_does_not_know_is_an_error_not_a_pass() -> None:
    with pytest.raises(IamMappingError):
        auth("ecs", "DeleteCluster", cluster="prod")


def test_bounding_an_ecs_scalable_target_also_authorises_update_service_on_its_service() -> None:
    requests = auth(
        "application-autoscaling",
        "RegisterScalableTarget",
        ServiceNamespace="ecs",
        ResourceId="service/prod/api",
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=2,
        MaxCapacity=10,
    )

    by_action = {r.action: r for r in requests}
    target = by_action["application-autoscaling:RegisterScalableTarget"]
    assert target.context_dict()["application-autoscaling:service-namespace"] == "ecs"
    assert target.context_dict()["application-autoscaling:scalable-dimension"] == "ecs:service:DesiredCount"
    assert by_action["ecs:UpdateService"].resource == f"arn:aws:ecs:us-east-1:{ACCOUNT}:service/prod/api"
    assert by_action["ecs:DescribeServices"].resource.endswith(":service/prod/api")


def test_put_events_authorises_each_entry_with_its_source_and_detail_type() -> None:
    requests = auth(
        "events",
        "PutEvents",
        Entries=[
            {"Source": "fargate-ops", "DetailType": "Scaling Action", "Detail": "{}"},
            {"Source": "other", "DetailType": "x", "Detail": "{}", "EventBusName": "ops"},
        ],
    )

    assert [r.resource.rsplit(":", 1)[-1] for r in requests] == ["event-bus/default", "event-bus/ops"]
    assert [r.context_dict()["events:source"] for r in requests] == ["fargate-ops", "other"]


def test_a_schedule_with_a_role_passes_it_to_the_scheduler() -> None:
    role = f"arn:aws:iam::{ACCOUNT}:role/edge"
    requests = auth(
        "scheduler",
        "CreateSchedule",
        Name="fargate-ops-scaling-edge",
        ScheduleExpression="at(2026-11-23T00:00:00)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={"Arn": "arn:aws:lambda:us-east-1:123456789012:function:f", "RoleArn": role},
    )

    assert requests[0].resource.endswith(":schedule/default/fargate-ops-scaling-edge")
    assert (requests[1].action, requests[1].resource) == ("iam:PassRole", role)
    assert requests[1].context_dict()["iam:passedtoservice"] == "scheduler.amazonaws.com"


def test_publishing_to_an_encrypted_topic_also_needs_its_key_as_the_publisher() -> None:
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:"
    assert auth("sns", "Publish", TopicArn=topic + "encrypted", Message="m") == [
        AuthRequest.of("sns:Publish", topic + "encrypted"),
        AuthRequest.of("kms:GenerateDataKey", KEY),
        AuthRequest.of("kms:Decrypt", KEY),
    ]
    assert auth("sns", "Publish", TopicArn=topic + "plain", Message="m") == [
        AuthRequest.of("sns:Publish", topic + "plain")
    ]


def test_tagging_an_eni_authorises_on_its_arn_with_the_tag_keys_the_call_writes() -> None:
    tags = [{"Key": "fargate-ops:orphan-since", "Value": "2026-01-01T00:00:00Z"}]

    (request,) = auth("ec2", "CreateTags", Resources=["eni-0abc"], Tags=tags)

    assert request.resource == f"arn:aws:ec2:us-east-1:{ACCOUNT}:network-interface/eni-0abc"
    assert request.context_dict()["aws:tagkeys"] == ("fargate-ops:orphan-since",)


def test_deleting_an_eni_or_a_log_group_authorises_on_its_arn() -> None:
    (eni,) = auth("ec2", "DeleteNetworkInterface", NetworkInterfaceId="eni-0abc")
    (group,) = auth("logs", "DeleteLogGroup", logGroupName="/ecs/web")

    assert eni.resource == f"arn:aws:ec2:us-east-1:{ACCOUNT}:network-interface/eni-0abc"
    assert group.resource == f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/web"


def test_an_untag_names_the_keys_it_removes_so_a_tag_key_condition_is_not_vacuous() -> None:
    arn = f"arn:aws:logs:us-east-1:{ACCOUNT}:log-group:/ecs/web"

    (request,) = auth("logs", "UntagResource", resourceArn=arn, tagKeys=["owner"])

    assert request.context_dict()["aws:tagkeys"] == ("owner",)


def test_an_ec2_call_on_something_else_than_an_eni_is_not_mapped() -> None:
    with pytest.raises(IamMappingError):
        auth("ec2", "CreateTags", Resources=["i-0abc"], Tags=[{"Key": "k", "Value": "v"}])
