"""The hook's own behaviour: who is checked, the cache, resource tags, AWS's refusal per service."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from fargate_ops_cli.local.clients import Principal
from fargate_ops_cli.local.iam.enforcer import IamEnforcer
from fargate_ops_cli.local.iam.loader import PolicyStore, RolePolicies
from fargate_ops_cli.local.iam.policy import parse_statements
from tests.iam.test_requests import FakeLookups

ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/stack-DeployStepFunctionRole-X"
ME = Principal(ROLE, "deploy-step")


def enforcer(*statements: dict[str, Any], interpreter: bool = False) -> IamEnforcer:
    parsed = parse_statements({"Statement": list(statements)}, "DeployStepFunctionRole", "Policy0")
    store = PolicyStore({ROLE: RolePolicies(ROLE, "DeployStepFunctionRole", tuple(parsed))})
    return IamEnforcer(store, ACCOUNT, "us-east-1", lambda: 0.0, lambda: interpreter, FakeLookups())


def model(service: str, operation: str) -> Any:
    return SimpleNamespace(name=operation, service_model=SimpleNamespace(service_name=service))


def test_a_resource_tag_condition_sees_the_resources_tags() -> None:
    tagged = {"Effect": "Allow", "Action": "ecs:UpdateService", "Resource": "*"}
    tagged["Condition"] = {"StringEquals": {"aws:ResourceTag/app": "web"}}  # type: ignore[assignment]
    check = enforcer(tagged)

    assert check(ME, model("ecs", "UpdateService"), {"cluster": "prod", "service": "web-blue"}) is None
    refused = check(ME, model("ecs", "UpdateService"), {"cluster": "prod", "service": "api-blue"})

    assert refused["Error"]["Code"] == "AccessDeniedException"


def test_each_service_refuses_with_its_own_error_code() -> None:
    check = enforcer({"Effect": "Allow", "Action": "ecs:DescribeServices", "Resource": "*"})
    listener = f"arn:aws:elasticloadbalancing:us-east-1:{ACCOUNT}:listener/app/alb/1/2"
    topic = f"arn:aws:sns:us-east-1:{ACCOUNT}:topic"

    elb = check(ME, model("elbv2", "ModifyListener"), {"ListenerArn": listener})
    sns = check(ME, model("sns", "Publish"), {"TopicArn": topic, "Message": "x"})
    ddb = check(ME, model("dynamodb", "GetItem"), {"TableName": "ops", "Key": {}})

    assert (elb["Error"]["Code"], elb["ResponseMetadata"]["HTTPStatusCode"]) == ("AccessDenied", 403)
    assert (sns["Error"]["Code"], sns["ResponseMetadata"]["HTTPStatusCode"]) == ("AuthorizationError", 403)
    assert ddb["Error"]["Code"] == "AccessDeniedException"


def test_an_explicit_deny_is_worded_as_aws_words_it() -> None:
    check = enforcer(
        {"Effect": "Allow", "Action": "ecs:*", "Resource": "*"},
        {"Effect": "Deny", "Action": "ecs:UpdateService", "Resource": "*"},
    )

    refused = check(ME, model("ecs", "UpdateService"), {"cluster": "prod", "service": "web-blue"})

    assert refused["Error"]["Message"].endswith("with an explicit deny in an identity-based policy")
    assert check.denials[0].explicit


def test_an_operator_call_is_not_checked_but_an_unattributed_interpreter_call_is_refused() -> None:
    params = {"cluster": "prod", "service": "web-blue"}

    assert enforcer()(None, model("ecs", "UpdateService"), params) is None
    refused = enforcer(interpreter=True)(None, model("ecs", "UpdateService"), params)

    assert refused["Error"]["Code"] == "AccessDeniedException"


def test_a_decision_is_made_once_per_role_action_resource_and_context() -> None:
    check = enforcer({"Effect": "Allow", "Action": "ecs:DescribeServices", "Resource": "*"})
    params = {"cluster": "prod", "services": ["web-blue"]}

    for _ in range(3):
        check(ME, model("ecs", "DescribeServices"), params)

    assert len(check._cache) == 1
    assert check.checked_calls == 3
    assert check.summary()["statements_used"][0]["alone"] == ["ecs:DescribeServices"]


def test_the_resource_tags_of_an_ecr_repository_are_read_for_aws_resource_tag() -> None:
    import boto3
    from moto import mock_aws

    from fargate_ops_cli.local.iam.enforcer import _MotoLookups

    with mock_aws():
        ecr = boto3.client("ecr", region_name="us-east-1")
        arn = ecr.create_repository(repositoryName="shop", tags=[{"Key": "team", "Value": "web"}])[
            "repository"
        ]["repositoryArn"]

        assert _MotoLookups(ACCOUNT, "us-east-1").resource_tags(arn) == {"team": "web"}
