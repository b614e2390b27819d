"""Probes: calls the deployed template does not allow are refused as AWS refuses them.

Each probe acts as a deployed execution role (`as_principal`, as the Lambda host and the state
machine's threads do) against the real template deployed with narrow parameters, and makes the call
through boto3, so the refusal goes through the same hook a handler's call would.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError

from fargate_ops_cli.local.clients import as_principal, as_world
from fargate_ops_cli.local.iam.policy import AuthRequest
from fargate_ops_cli.local.runtime import LocalRuntime

pytestmark = [pytest.mark.local, pytest.mark.xdist_group("iam-probes")]

NARROW = {
    "ClusterNamePattern": "prod",
    "ServiceNamePattern": "web-*",
    "TaskRoleNamePattern": "web-task-*",
}
ACCOUNT = "123456789012"
REGION = "us-east-1"
HANDOVER = "fargate-ops:handover"


@pytest.fixture(scope="module")
def runtime() -> Iterator[LocalRuntime]:
    with LocalRuntime() as runtime:
        runtime.deploy_stack(parameters=NARROW)
        with as_world():
            ecs = runtime.clients.client("ecs")
            ecs.create_cluster(clusterName="prod")
            ecs.create_cluster(clusterName="dev")
            # What the platform team handed over carries the tag; web-blue was not handed over.
            definition = ecs.register_task_definition(
                family="web", containerDefinitions=[{"name": "web", "image": "web:v1", "memory": 512}]
            )["taskDefinition"]["taskDefinitionArn"]
            for name, tags in (("web-green", [{"key": HANDOVER, "value": "fargate-ops"}]), ("web-blue", [])):
                ecs.create_service(cluster="prod", serviceName=name, taskDefinition=definition, tags=tags)
            iam = runtime.clients.client("iam")
            for role in ("web-task-app", "web-task-exec", "admin"):
                iam.create_role(
                    RoleName=role,
                    AssumeRolePolicyDocument="{}",
                    Tags=[{"Key": HANDOVER, "Value": "fargate-ops"}],
                )
            iam.create_role(RoleName="web-task-untagged", AssumeRolePolicyDocument="{}")
        yield runtime


def role_of(runtime: LocalRuntime, function_logical_id: str) -> str:
    with as_world():
        arn = runtime.stack.function_arn(function_logical_id)  # type: ignore[union-attr]
        role: str = runtime.clients.client("lambda").get_function(FunctionName=arn)["Configuration"]["Role"]
    return role


def refusal(call: Any) -> dict[str, Any]:
    with pytest.raises(ClientError) as caught:
        call()
    error: dict[str, Any] = caught.value.response["Error"]
    return error


def test_update_service_outside_the_service_name_pattern_is_denied_with_aws_words(
    runtime: LocalRuntime,
) -> None:
    ecs = runtime.clients.client("ecs")
    with as_principal(role_of(runtime, "DeployStepFunction"), "fargate-ops-deploy-step"):
        error = refusal(lambda: ecs.update_service(cluster="prod", service="api-green", desiredCount=1))
        ecs.update_service(cluster="prod", service="web-green", desiredCount=1)  # handed over: allowed

    role_name = role_of(runtime, "DeployStepFunction").rsplit("/", 1)[-1]
    assert error["Code"] == "AccessDeniedException"
    assert error["Message"] == (
        f"User: arn:aws:sts::{ACCOUNT}:assumed-role/{role_name}/fargate-ops-deploy-step is not authorized"
        f" to perform: ecs:UpdateService on resource: arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/api-green"
        " because no identity-based policy allows the ecs:UpdateService action"
    )
    assert runtime.iam is not None and runtime.iam.denials[-1].action == "ecs:UpdateService"


def test_update_service_on_a_service_not_handed_over_is_denied(runtime: LocalRuntime) -> None:
    ecs = runtime.clients.client("ecs")
    with as_principal(role_of(runtime, "DeployStepFunction"), "fargate-ops-deploy-step"):
        error = refusal(lambda: ecs.update_service(cluster="prod", service="web-blue", desiredCount=1))

    assert error["Code"] == "AccessDeniedException"
    assert (
        "ecs:UpdateService on resource: arn:aws:ecs:us-east-1:123456789012:service/prod/web-blue"
        in (error["Message"])
    )


def test_passing_a_role_not_handed_over_is_denied(runtime: LocalRuntime) -> None:
    ecs = runtime.clients.client("ecs")
    registration = {
        "family": "web",
        "containerDefinitions": [{"name": "web", "image": "web:v2", "memory": 512}],
        "taskRoleArn": f"arn:aws:iam::{ACCOUNT}:role/web-task-untagged",
    }
    with as_principal(role_of(runtime, "DeployStepFunction"), "fargate-ops-deploy-step"):
        error = refusal(lambda: ecs.register_task_definition(**registration))

    assert f"iam:PassRole on resource: arn:aws:iam::{ACCOUNT}:role/web-task-untagged" in error["Message"]


def test_passing_a_role_outside_the_task_role_pattern_is_denied(runtime: LocalRuntime) -> None:
    ecs = runtime.clients.client("ecs")
    registration = {
        "family": "web",
        "containerDefinitions": [{"name": "web", "image": "web:v2", "memory": 512}],
        "executionRoleArn": f"arn:aws:iam::{ACCOUNT}:role/web-task-exec",
    }
    with as_principal(role_of(runtime, "DeployStepFunction"), "fargate-ops-deploy-step"):
        error = refusal(
            lambda: ecs.register_task_definition(
                **registration, taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/admin"
            )
        )
        ecs.register_task_definition(**registration, taskRoleArn=f"arn:aws:iam::{ACCOUNT}:role/web-task-app")

    assert error["Code"] == "AccessDeniedException"
    assert f"iam:PassRole on resource: arn:aws:iam::{ACCOUNT}:role/admin" in error["Message"]


def test_tagging_a_task_definition_outside_its_registration_is_denied(runtime: LocalRuntime) -> None:
    ecs = runtime.clients.client("ecs")
    revision = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/web:1"
    with as_principal(role_of(runtime, "DeployStepFunction"), "fargate-ops-deploy-step"):
        error = refusal(lambda: ecs.tag_resource(resourceArn=revision, tags=[{"key": "a", "value": "b"}]))

    assert error["Code"] == "AccessDeniedException"
    assert "ecs:TagResource" in error["Message"]


def test_tag_resource_with_another_create_action_is_denied(runtime: LocalRuntime) -> None:
    assert runtime.iam is not None
    role = role_of(runtime, "DeployStepFunction")
    revision = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/web:3"

    registering = runtime.iam.decide(
        role, AuthRequest.of("ecs:TagResource", revision, {"ecs:CreateAction": "RegisterTaskDefinition"})
    )
    creating = runtime.iam.decide(
        role, AuthRequest.of("ecs:TagResource", revision, {"ecs:CreateAction": "CreateService"})
    )

    assert registering.allowed
    assert not creating.allowed


def test_the_cleanup_reads_every_cluster_but_deletes_only_marked_slots_in_its_pattern(
    runtime: LocalRuntime,
) -> None:
    # "In use" is decided over the whole account (a staging service's revision stays), so every
    # cluster is read; a delete needs the cluster pattern and the orphan mark.
    ecs = runtime.clients.client("ecs")
    with as_principal(role_of(runtime, "CleanupFunction"), "fargate-ops-cleanup"):
        ecs.list_services(cluster="dev")
        error = refusal(lambda: ecs.delete_service(cluster="prod", service="web-green"))

    assert error["Code"] == "AccessDeniedException"
    assert "ecs:DeleteService" in error["Message"]


def test_an_operator_call_is_counted_but_not_checked(runtime: LocalRuntime) -> None:
    assert runtime.iam is not None
    before = len(runtime.iam.denials)

    runtime.clients.client("ecs").list_services(cluster="dev")  # no principal: a human's credentials

    assert len(runtime.iam.denials) == before
    assert runtime.api_calls().get("ecs:ListServices", 0) >= 1


def test_the_roles_policies_are_the_transformed_templates_with_parameters_resolved(
    runtime: LocalRuntime,
) -> None:
    assert runtime.iam is not None and runtime.stack is not None
    role = runtime.iam.store.for_role(role_of(runtime, "DeployStepFunction"))
    assert role is not None
    by_policy = {s.ref.policy: s for s in role.statements}
    topic = runtime.stack.outputs["NotificationTopicArn"]

    # SNSPublishMessagePolicy, expanded by aws-sam-translator and resolved to the stack's topic
    assert by_policy["DeployStepFunctionRolePolicy0"].resources == (topic,)
    # the managed policy SAM attaches to every function, from AWS's document
    assert (
        "logs:PutLogEvents"
        in by_policy["arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"].actions
    )
    slots = next(s for s in role.statements if s.ref.sid == "SlotServices")
    assert slots.resources == (f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/web-*",)


MARK = "fargate-ops:orphan-since"


def test_the_cleanup_deletes_a_slot_in_its_pattern_only_once_it_carries_the_mark(
    runtime: LocalRuntime,
) -> None:
    ecs = runtime.clients.client("ecs")
    with as_world():
        definition = ecs.list_task_definitions(familyPrefix="web")["taskDefinitionArns"][0]
        arn = ecs.create_service(cluster="prod", serviceName="web-idle", taskDefinition=definition)[
            "service"
        ]["serviceArn"]
    with as_principal(role_of(runtime, "CleanupFunction"), "fargate-ops-cleanup"):
        unmarked = refusal(lambda: ecs.delete_service(cluster="prod", service="web-idle"))
        ecs.tag_resource(resourceArn=arn, tags=[{"key": MARK, "value": "2026-01-01T00:00:00Z"}])
        ecs.delete_service(cluster="prod", service="web-idle")

    assert "ecs:DeleteService" in unmarked["Message"]


def test_the_cleanup_tags_target_groups_only_with_the_mark_and_deletes_only_marked_ones(
    runtime: LocalRuntime,
) -> None:
    elbv2 = runtime.clients.client("elbv2")
    with as_world():
        arn = elbv2.create_target_group(Name="left-behind", TargetType="lambda")["TargetGroups"][0][
            "TargetGroupArn"
        ]
    with as_principal(role_of(runtime, "CleanupFunction"), "fargate-ops-cleanup"):
        other_tag = refusal(
            lambda: elbv2.add_tags(ResourceArns=[arn], Tags=[{"Key": "owner", "Value": "me"}])
        )
        unmarked = refusal(lambda: elbv2.delete_target_group(TargetGroupArn=arn))
        elbv2.add_tags(ResourceArns=[arn], Tags=[{"Key": MARK, "Value": "2026-01-01T00:00:00Z"}])
        elbv2.delete_target_group(TargetGroupArn=arn)

    assert other_tag["Code"] == unmarked["Code"] == "AccessDenied"
    assert "elasticloadbalancing:AddTags" in other_tag["Message"]
    assert "elasticloadbalancing:DeleteTargetGroup" in unmarked["Message"]
    with as_world():
        assert all(g["TargetGroupArn"] != arn for g in elbv2.describe_target_groups()["TargetGroups"])


def test_publishing_to_a_topic_under_a_key_the_role_is_not_given_is_denied(runtime: LocalRuntime) -> None:
    assert runtime.stack is not None
    sns, kms = runtime.clients.client("sns"), runtime.clients.client("kms")
    topic = runtime.stack.outputs["NotificationTopicArn"]
    with as_world():
        own_key = sns.get_topic_attributes(TopicArn=topic)["Attributes"]["KmsMasterKeyId"]
        other_key = kms.create_key()["KeyMetadata"]["Arn"]
    role = role_of(runtime, "EcsEventsFunction")
    try:
        with as_principal(role, "fargate-ops-ecs-events"):
            sns.publish(TopicArn=topic, Message="under the topic's own key")
        with as_world():  # someone re-keys the topic; the role's statements name the stack's key only
            sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=other_key)
        with as_principal(role, "fargate-ops-ecs-events"):
            denied = refusal(lambda: sns.publish(TopicArn=topic, Message="under a key the role may not use"))
    finally:
        with as_world():
            sns.set_topic_attributes(TopicArn=topic, AttributeName="KmsMasterKeyId", AttributeValue=own_key)

    assert "kms:GenerateDataKey" in denied["Message"] and other_key in denied["Message"]
