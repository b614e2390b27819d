"""The evaluator against IAM's documented evaluation rules (identity policies of one role)."""

from __future__ import annotations

from typing import Any

import pytest

from fargate_ops_cli.local.iam.evaluator import arn_matches, evaluate
from fargate_ops_cli.local.iam.policy import AuthRequest, PolicyDocumentError, parse_statements

SERVICE = "arn:aws:ecs:us-east-1:123456789012:service/prod/web-blue"
CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/prod"


def allowed(statements: list[dict[str, Any]], action: str, resource: str, **context: Any) -> bool:
    parsed = parse_statements({"Statement": statements}, "Role", "Policy")
    return evaluate(parsed, AuthRequest.of(action, resource, context)).allowed


def allow(action: Any, resource: Any = "*", condition: dict[str, Any] | None = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition:
        statement["Condition"] = condition
    return statement


def test_a_request_no_statement_allows_is_implicitly_denied() -> None:
    assert not allowed([allow("ecs:DescribeServices", SERVICE)], "ecs:UpdateService", SERVICE)


def test_an_explicit_deny_wins_over_an_allow() -> None:
    statements = [allow("ecs:*", "*"), {"Effect": "Deny", "Action": "ecs:UpdateService", "Resource": SERVICE}]
    parsed = parse_statements({"Statement": statements}, "Role", "Policy")

    decision = evaluate(parsed, AuthRequest.of("ecs:UpdateService", SERVICE))

    assert not decision.allowed and decision.explicit_deny
    assert allowed(statements, "ecs:DescribeServices", SERVICE)


def test_actions_match_wildcards_case_insensitively() -> None:
    assert allowed([allow("ecs:Describe*")], "ecs:DescribeServices", "*")
    assert allowed([allow("ECS:describeservices")], "ecs:DescribeServices", "*")
    assert allowed([allow("ecs:Describe?ervices")], "ecs:DescribeServices", "*")
    assert not allowed([allow("ecs:Describe*")], "ecs:UpdateService", "*")


def test_a_resource_wildcard_stays_inside_its_segment_unless_it_ends_one() -> None:
    function = "arn:aws:lambda:us-east-1:123456789012:function:fargate-ops-deploy-step"

    assert arn_matches("arn:aws:lambda:us-east-1:123456789012:function:fargate-ops-*", f"{function}:live")
    assert not arn_matches(
        "arn:aws:lambda:us-east-1:123456789012:function:f*p",
        "arn:aws:lambda:us-east-1:123456789012:function:fargate-ops:deploy-step",
    )
    assert arn_matches("arn:aws:ecs:*:123456789012:service/prod/*", SERVICE)
    assert not arn_matches("arn:aws:ecs:*:123456789012:service/staging/*", SERVICE)
    assert not arn_matches("arn:aws:ecs:us-east-1:999999999999:service/prod/*", SERVICE)


def test_an_action_without_resource_types_is_allowed_only_by_a_star() -> None:
    statements = [allow("ecs:RegisterTaskDefinition", "arn:aws:ecs:us-east-1:123456789012:task-definition/*")]

    assert not allowed(statements, "ecs:RegisterTaskDefinition", "*")
    assert allowed([allow("ecs:RegisterTaskDefinition", "*")], "ecs:RegisterTaskDefinition", "*")


def test_not_action_and_not_resource_invert_the_match() -> None:
    not_action = [{"Effect": "Allow", "NotAction": "ecs:Delete*", "Resource": "*"}]
    not_resource = [{"Effect": "Allow", "Action": "ecs:UpdateService", "NotResource": SERVICE}]

    assert allowed(not_action, "ecs:UpdateService", SERVICE)
    assert not allowed(not_action, "ecs:DeleteService", SERVICE)
    assert not allowed(not_resource, "ecs:UpdateService", SERVICE)
    assert allowed(not_resource, "ecs:UpdateService", SERVICE.replace("web-blue", "web-green"))


def test_string_equals_holds_only_for_a_listed_value() -> None:
    statements = [
        allow("iam:PassRole", "*", {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}})
    ]

    assert allowed(statements, "iam:PassRole", "*", **{"iam:PassedToService": "ecs-tasks.amazonaws.com"})
    assert not allowed(statements, "iam:PassRole", "*", **{"iam:PassedToService": "lambda.amazonaws.com"})


def test_a_condition_on_a_missing_key_is_false() -> None:
    statements = [
        allow("ecs:TagResource", "*", {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}})
    ]

    assert not allowed(statements, "ecs:TagResource", "*")


def test_a_negated_operator_on_a_missing_key_is_true() -> None:
    statements = [allow("ecs:TagResource", "*", {"StringNotEquals": {"ecs:CreateAction": "CreateService"}})]

    assert allowed(statements, "ecs:TagResource", "*")
    assert not allowed(statements, "ecs:TagResource", "*", **{"ecs:CreateAction": "CreateService"})


def test_if_exists_holds_when_the_key_is_missing() -> None:
    statements = [allow("ecs:UpdateService", "*", {"ArnLikeIfExists": {"ecs:cluster": CLUSTER}})]

    assert allowed(statements, "ecs:UpdateService", SERVICE)
    assert not allowed(statements, "ecs:UpdateService", SERVICE, **{"ecs:cluster": CLUSTER + "-b"})


def test_null_tests_whether_the_key_is_present() -> None:
    absent = [allow("ecs:CreateService", "*", {"Null": {"aws:RequestTag/team": "true"}})]
    present = [allow("ecs:CreateService", "*", {"Null": {"aws:RequestTag/team": "false"}})]

    assert allowed(absent, "ecs:CreateService", "*")
    assert not allowed(present, "ecs:CreateService", "*")
    assert allowed(present, "ecs:CreateService", "*", **{"aws:RequestTag/team": "web"})


def test_arn_like_matches_a_cluster_pattern_segment_by_segment() -> None:
    statements = [
        allow(
            "ecs:ListServices", "*", {"ArnLike": {"ecs:cluster": "arn:aws:ecs:*:123456789012:cluster/prod*"}}
        )
    ]

    assert allowed(statements, "ecs:ListServices", "*", **{"ecs:cluster": CLUSTER})
    assert not allowed(statements, "ecs:ListServices", "*", **{"ecs:cluster": CLUSTER.replace("prod", "dev")})


def test_condition_keys_are_case_insensitive() -> None:
    statements = [allow("ecs:ListServices", "*", {"ArnEquals": {"ECS:Cluster": CLUSTER}})]

    assert allowed(statements, "ecs:ListServices", "*", **{"ecs:cluster": CLUSTER})


def test_for_all_values_needs_every_value_listed_and_holds_with_none() -> None:
    statements = [
        allow("ecs:TagResource", "*", {"ForAllValues:StringEquals": {"aws:TagKeys": ["team", "app"]}})
    ]

    assert allowed(statements, "ecs:TagResource", "*", **{"aws:TagKeys": ("app", "team")})
    assert not allowed(statements, "ecs:TagResource", "*", **{"aws:TagKeys": ("app", "owner")})
    assert allowed(statements, "ecs:TagResource", "*")


def test_for_any_value_needs_one_value_listed_and_fails_with_none() -> None:
    statements = [allow("ecs:TagResource", "*", {"ForAnyValue:StringLike": {"aws:TagKeys": "fargate-ops:*"}})]

    assert allowed(statements, "ecs:TagResource", "*", **{"aws:TagKeys": ("app", "fargate-ops:slot")})
    assert not allowed(statements, "ecs:TagResource", "*", **{"aws:TagKeys": ("app",)})
    assert not allowed(statements, "ecs:TagResource", "*")


def test_every_condition_of_a_statement_must_hold() -> None:
    statements = [
        allow(
            "ecs:UpdateService",
            "*",
            {"ArnEquals": {"ecs:cluster": CLUSTER}, "StringEquals": {"aws:ResourceTag/app": "web"}},
        )
    ]

    assert allowed(
        statements, "ecs:UpdateService", SERVICE, **{"ecs:cluster": CLUSTER, "aws:ResourceTag/app": "web"}
    )
    assert not allowed(statements, "ecs:UpdateService", SERVICE, **{"ecs:cluster": CLUSTER})


def test_bool_compares_true_and_false() -> None:
    statements = [
        {
            "Effect": "Deny",
            "Action": "*",
            "Resource": "*",
            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
        }
    ]
    parsed = parse_statements({"Statement": [*statements, allow("*")]}, "Role", "Policy")

    assert not evaluate(
        parsed, AuthRequest.of("sqs:SendMessage", "*", {"aws:SecureTransport": "false"})
    ).allowed
    assert evaluate(parsed, AuthRequest.of("sqs:SendMessage", "*", {"aws:SecureTransport": "true"})).allowed


def test_an_operator_the_evaluator_does_not_model_is_refused_not_guessed() -> None:
    statements = [
        allow("ecs:UpdateService", "*", {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}})
    ]

    with pytest.raises(PolicyDocumentError, match="DateGreaterThan"):
        allowed(statements, "ecs:UpdateService", SERVICE, **{"aws:CurrentTime": "2026-02-01T00:00:00Z"})
