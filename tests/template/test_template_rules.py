"""Meta-tests over template.yaml: the project's template rules (lint/template_checks.py).

The first tests hold the real template to every rule. The rest prove that each rule fails on a bad
template, by breaking one thing in a copy of the compliant fixture: a check that never fails checks
nothing.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from lint.template_checks import (
    CHECKS,
    WILDCARD_ONLY_ACTIONS,
    Finding,
    check_async_failure_destinations,
    check_checkov_skips,
    check_log_groups,
    check_logical_ids,
    check_pass_role_conditions,
    check_state_machines,
    check_wildcard_resources,
    of_type,
)

REPO_ROOT = Path(__file__).resolve().parents[2]

Template = dict[str, Any]


def messages(findings: list[Finding]) -> str:
    return "\n".join(str(f) for f in findings)


def statements(template: Template, function: str) -> list[dict[str, Any]]:
    """The inline statements of the fixture function's last policy document."""
    policies = template["Resources"][function]["Properties"].setdefault("Policies", [])
    if not policies or "Statement" not in policies[-1]:
        policies.append({"Statement": []})
    body: list[dict[str, Any]] = policies[-1]["Statement"]
    return body


# --- the real template ----------------------------------------------------------------------------


@pytest.mark.parametrize("rule", sorted(CHECKS))
def test_template_yaml_follows_rule(template: Template, rule: str) -> None:
    findings = CHECKS[rule](template, REPO_ROOT)
    assert not findings, f"template.yaml breaks rule {rule}:\n{messages(findings)}"


def test_template_yaml_declares_functions_and_state_machines(template: Template) -> None:
    # Guards against the rules passing vacuously on a template that lost its resources.
    assert of_type(template, "AWS::Serverless::Function"), "template.yaml declares no functions"
    assert of_type(template, "AWS::Serverless::StateMachine"), "template.yaml declares no state machines"


def test_compliant_fixture_follows_every_rule(compliant: Template, fixture_dir: Path) -> None:
    for rule, check in CHECKS.items():
        assert check(compliant, fixture_dir) == [], rule


# --- log groups -----------------------------------------------------------------------------------


def test_function_without_log_group_is_reported(compliant: Template) -> None:
    del compliant["Resources"]["ScaleWindowsLogGroup"]

    findings = check_log_groups(compliant)

    assert len(findings) == 1
    assert "ScaleWindowsFunction has no AWS::Logs::LogGroup" in findings[0].message


def test_log_group_without_retention_is_reported(compliant: Template) -> None:
    del compliant["Resources"]["EcsEventsLogGroup"]["Properties"]["RetentionInDays"]

    findings = check_log_groups(compliant)

    assert [f.path for f in findings] == [("Resources", "EcsEventsLogGroup", "Properties")]


def test_logging_config_pointing_outside_the_template_is_reported(compliant: Template) -> None:
    props = compliant["Resources"]["DeployStepFunction"]["Properties"]
    props["LoggingConfig"] = {"LogGroup": "/shared/somewhere-else"}

    assert "LoggingConfig.LogGroup" in messages(check_log_groups(compliant))


def test_log_group_named_with_join_counts(compliant: Template) -> None:
    compliant["Resources"]["ScaleWindowsLogGroup"]["Properties"]["LogGroupName"] = {
        "Fn::Join": ["", ["/aws/lambda/", {"Ref": "ScaleWindowsFunction"}]]
    }

    assert check_log_groups(compliant) == []


def test_log_group_of_another_function_does_not_count(compliant: Template) -> None:
    compliant["Resources"]["ScaleWindowsLogGroup"]["Properties"]["LogGroupName"] = {
        "Fn::Sub": "/aws/lambda/${EcsEventsFunction}"
    }

    assert "ScaleWindowsFunction" in messages(check_log_groups(compliant))


def test_globals_logging_config_applies_to_every_function(compliant: Template) -> None:
    for name in ("EcsEventsLogGroup", "ScaleWindowsLogGroup"):
        del compliant["Resources"][name]
    del compliant["Resources"]["DeployStepFunction"]["Properties"]["LoggingConfig"]
    compliant["Globals"]["Function"]["LoggingConfig"] = {"LogGroup": {"Ref": "DeployStepLogGroup"}}

    assert check_log_groups(compliant) == []


# --- failure destinations -------------------------------------------------------------------------


def test_eventbridge_event_without_dead_letter_config_is_reported(compliant: Template) -> None:
    event = compliant["Resources"]["EcsEventsFunction"]["Properties"]["Events"]["TaskStateChange"]
    del event["Properties"]["DeadLetterConfig"]

    findings = check_async_failure_destinations(compliant)

    assert [f.path for f in findings] == [
        ("Resources", "EcsEventsFunction", "Properties", "Events", "TaskStateChange")
    ]


def test_schedule_without_on_failure_destination_is_reported(compliant: Template) -> None:
    del compliant["Resources"]["ScaleWindowsFunction"]["Properties"]["EventInvokeConfig"]

    assert "ScheduleV2 event EveryFiveMinutes" in messages(check_async_failure_destinations(compliant))


def test_standalone_event_invoke_config_counts_as_on_failure(compliant: Template) -> None:
    del compliant["Resources"]["ScaleWindowsFunction"]["Properties"]["EventInvokeConfig"]
    compliant["Resources"]["ScaleWindowsInvokeConfig"] = {
        "Type": "AWS::Lambda::EventInvokeConfig",
        "Properties": {
            "FunctionName": {"Ref": "ScaleWindowsFunction"},
            "Qualifier": "$LATEST",
            "DestinationConfig": {"OnFailure": {"Destination": {"Fn::GetAtt": ["FailureQueue", "Arn"]}}},
        },
    }

    assert check_async_failure_destinations(compliant) == []


def test_state_machine_event_without_dead_letter_config_is_reported(compliant: Template) -> None:
    compliant["Resources"]["DeployStateMachine"]["Properties"]["Events"] = {
        "Nightly": {"Type": "ScheduleV2", "Properties": {"ScheduleExpression": "cron(0 2 * * ? *)"}}
    }

    assert "DeployStateMachine" in messages(check_async_failure_destinations(compliant))


def test_plain_events_rule_target_without_dead_letter_config_is_reported(compliant: Template) -> None:
    compliant["Resources"]["OrphanRule"] = {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "ScheduleExpression": "rate(1 hour)",
            "Targets": [{"Id": "cleanup", "Arn": {"Fn::GetAtt": ["EcsEventsFunction", "Arn"]}}],
        },
    }

    assert "target cleanup of rule OrphanRule" in messages(check_async_failure_destinations(compliant))


def test_plain_events_rule_to_function_with_on_failure_is_fine(compliant: Template) -> None:
    compliant["Resources"]["HourlyRule"] = {
        "Type": "AWS::Events::Rule",
        "Properties": {
            "ScheduleExpression": "rate(1 hour)",
            "Targets": [{"Id": "scale", "Arn": {"Fn::GetAtt": ["ScaleWindowsFunction", "Arn"]}}],
        },
    }

    assert check_async_failure_destinations(compliant) == []


# --- IAM: Resource "*" ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "action",
    ["ecs:UpdateService", "ecs:*", "*", "ecs:Register*", "iam:PassRole", "dynamodb:PutItem"],
)
def test_mutating_action_on_any_resource_is_reported(compliant: Template, action: str) -> None:
    statements(compliant, "EcsEventsFunction").append({"Effect": "Allow", "Action": action, "Resource": "*"})

    findings = check_wildcard_resources(compliant)

    assert len(findings) == 1
    assert action in findings[0].message


@pytest.mark.parametrize(
    "action",
    [
        "ecs:DescribeServices",
        "elasticloadbalancing:Describe*",
        "cloudwatch:GetMetricData",
        "xray:PutTraceSegments",
        "xray:Put*",
        "states:SendTaskHeartbeat",
        "ECS:registertaskdefinition",
    ],
)
def test_read_and_wildcard_only_actions_may_use_any_resource(compliant: Template, action: str) -> None:
    statements(compliant, "EcsEventsFunction").append(
        {"Effect": "Allow", "Action": [action], "Resource": ["*"]}
    )

    assert check_wildcard_resources(compliant) == []


def test_deny_statements_may_use_any_resource(compliant: Template) -> None:
    statements(compliant, "EcsEventsFunction").append({"Effect": "Deny", "Action": "ecs:*", "Resource": "*"})

    assert check_wildcard_resources(compliant) == []


def test_not_action_is_reported(compliant: Template) -> None:
    statements(compliant, "EcsEventsFunction").append(
        {"Effect": "Allow", "NotAction": "iam:*", "Resource": "arn:aws:s3:::bucket"}
    )

    assert "NotAction" in messages(check_wildcard_resources(compliant))


def test_iam_role_resources_are_checked_too(compliant: Template) -> None:
    compliant["Resources"]["TaskRole"] = {
        "Type": "AWS::IAM::Role",
        "Properties": {
            "AssumeRolePolicyDocument": {"Statement": []},
            "Policies": [
                {
                    "PolicyName": "inline",
                    "PolicyDocument": {
                        "Statement": {"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}
                    },
                }
            ],
        },
    }

    findings = check_wildcard_resources(compliant)

    assert [f.path for f in findings] == [
        ("Resources", "TaskRole", "Properties", "Policies", 0, "PolicyDocument", "Statement")
    ]


def test_every_wildcard_only_action_says_why() -> None:
    for action, reason in WILDCARD_ONLY_ACTIONS.items():
        assert re.fullmatch(r"[a-z0-9-]+:[A-Za-z*]+", action), action
        assert reason.strip(), f"{action} needs the reason AWS supports only '*' for it"


# --- IAM: PassRole --------------------------------------------------------------------------------


def test_pass_role_without_condition_is_reported(compliant: Template) -> None:
    passrole = statements(compliant, "DeployStepFunction")[-1]
    assert passrole["Action"] == "iam:PassRole"
    del passrole["Condition"]

    assert "iam:PassedToService" in messages(check_pass_role_conditions(compliant))


def test_pass_role_through_action_wildcard_is_reported(compliant: Template) -> None:
    statements(compliant, "EcsEventsFunction").append(
        {"Effect": "Allow", "Action": ["iam:Pass*"], "Resource": "arn:aws:iam::123456789012:role/x"}
    )

    assert len(check_pass_role_conditions(compliant)) == 1


def test_pass_role_condition_on_another_key_is_reported(compliant: Template) -> None:
    passrole = statements(compliant, "DeployStepFunction")[-1]
    passrole["Condition"] = {"StringEquals": {"aws:RequestedRegion": "eu-west-1"}}

    assert len(check_pass_role_conditions(compliant)) == 1


def test_pass_role_condition_with_string_like_is_fine(compliant: Template) -> None:
    passrole = statements(compliant, "DeployStepFunction")[-1]
    passrole["Condition"] = {"StringLike": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}}

    assert check_pass_role_conditions(compliant) == []


# --- state machines -------------------------------------------------------------------------------


def edit_asl(fixture_dir: Path, change: dict[str, Any]) -> None:
    path = fixture_dir / "statemachines" / "deploy.asl.json"
    definition = json.loads(path.read_text())
    definition["States"]["Prepare"]["Arguments"].update(change)
    path.write_text(json.dumps(definition))


def test_hard_coded_arn_in_asl_is_reported(compliant: Template, fixture_dir: Path) -> None:
    edit_asl(fixture_dir, {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:deploy-step"})

    findings = check_state_machines(compliant, fixture_dir)

    assert len(findings) == 1
    assert "/States/Prepare/Arguments/FunctionName: hard-coded ARN" in findings[0].message


def test_arn_built_in_a_jsonata_expression_is_reported(compliant: Template, fixture_dir: Path) -> None:
    edit_asl(fixture_dir, {"Topic": "{% 'arn:aws:sns:' & $region & ':' & $account & ':ops' %}"})

    assert "hard-coded ARN" in messages(check_state_machines(compliant, fixture_dir))


def test_placeholder_without_substitution_is_reported(compliant: Template, fixture_dir: Path) -> None:
    edit_asl(fixture_dir, {"Topic": "${NotifyTopicArn}"})

    assert "uses ${NotifyTopicArn}" in messages(check_state_machines(compliant, fixture_dir))


def test_unused_substitution_is_reported(compliant: Template, fixture_dir: Path) -> None:
    subs = compliant["Resources"]["DeployStateMachine"]["Properties"]["DefinitionSubstitutions"]
    subs["StaleArn"] = {"Fn::GetAtt": ["FailureQueue", "Arn"]}

    assert "StaleArn" in messages(check_state_machines(compliant, fixture_dir))


def test_inline_definition_is_reported(compliant: Template, fixture_dir: Path) -> None:
    props = compliant["Resources"]["DeployStateMachine"]["Properties"]
    props["Definition"] = json.loads((fixture_dir / "statemachines" / "deploy.asl.json").read_text())

    assert "inline Definition" in messages(check_state_machines(compliant, fixture_dir))


@pytest.mark.parametrize(
    "uri",
    ["statemachines/missing.asl.json", "deploy.asl.json", {"Bucket": "b", "Key": "deploy.asl.json"}],
)
def test_definition_uri_must_be_an_existing_local_asl_file(
    compliant: Template, fixture_dir: Path, uri: object
) -> None:
    compliant["Resources"]["DeployStateMachine"]["Properties"]["DefinitionUri"] = uri

    assert "DefinitionUri" in "".join(
        "/".join(map(str, f.path)) for f in check_state_machines(compliant, fixture_dir)
    )


def test_unreferenced_asl_file_is_reported(compliant: Template, fixture_dir: Path) -> None:
    (fixture_dir / "statemachines" / "forgotten.asl.json").write_text("{}")

    assert "forgotten.asl.json is not the DefinitionUri" in messages(
        check_state_machines(compliant, fixture_dir)
    )


def test_plain_step_functions_resource_is_reported(compliant: Template, fixture_dir: Path) -> None:
    compliant["Resources"]["RawStateMachine"] = {
        "Type": "AWS::StepFunctions::StateMachine",
        "Properties": {"DefinitionString": "{}"},
    }

    assert "RawStateMachine" in messages(check_state_machines(compliant, fixture_dir))


# --- naming and checkov ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new"),
    [("EcsEventsFunction", "EcsEvents"), ("DeployStateMachine", "DeployWorkflow")],
)
def test_logical_id_without_its_suffix_is_reported(compliant: Template, old: str, new: str) -> None:
    compliant["Resources"][new] = compliant["Resources"].pop(old)

    assert [f.path for f in check_logical_ids(compliant)] == [("Resources", new)]


@pytest.mark.parametrize(
    "skip",
    [{"id": "CKV_AWS_117"}, {"id": "CKV_AWS_117", "comment": "  "}, {"comment": "no id"}, "CKV_AWS_117"],
)
def test_checkov_skip_without_id_or_reason_is_reported(compliant: Template, skip: object) -> None:
    compliant["Resources"]["DeployStepFunction"]["Metadata"]["checkov"]["skip"] = [skip]

    assert len(check_checkov_skips(compliant)) >= 1
