"""Machine-checked rules of template.yaml (conventions.md, "Template")."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from samtranslator.yaml_helper import yaml_parse

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE: dict[str, Any] = yaml_parse((ROOT / "template.yaml").read_text())
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]
FUNCTIONS = {name: r for name, r in RESOURCES.items() if r["Type"] == "AWS::Serverless::Function"}
ASYNC_EVENT_TYPES = {"EventBridgeRule", "ScheduleV2", "Schedule", "SQS", "SNS", "S3"}
ASYNC_FUNCTIONS = sorted(
    name
    for name, function in FUNCTIONS.items()
    if any(e["Type"] in ASYNC_EVENT_TYPES for e in function["Properties"].get("Events", {}).values())
)

# Actions without resource-level permissions: "*" is the only possible resource.
STAR_ONLY_ACTIONS = {
    "ecs:DescribeTaskDefinition",
    "ecs:RegisterTaskDefinition",
    "ecs:DeregisterTaskDefinition",
    "ecs:ListTaskDefinitions",
    "ecs:ListClusters",
    "ecs:ListServices",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeRules",
    "elasticloadbalancing:DescribeTargetHealth",
    # Reads of the deploy engine: alarm states (pre-flight, bake checks); metric queries are not resources.
    "cloudwatch:DescribeAlarms",
    "cloudwatch:GetMetricData",
    # The reconciler's read of scalable targets: the reference lists no resource type for it.
    "application-autoscaling:DescribeScalableTargets",
    "logs:CreateLogDelivery",
    "logs:GetLogDelivery",
    "logs:UpdateLogDelivery",
    "logs:DeleteLogDelivery",
    "logs:ListLogDeliveries",
    "logs:PutResourcePolicy",
    "logs:DescribeResourcePolicies",
    "logs:DescribeLogGroups",
    # The cleanup's look for ENIs ECS left behind: no resource type in the reference.
    "ec2:DescribeNetworkInterfaces",
    # The cleanup's account-wide inventory, and its marks through the Tagging API (each resource's own
    # TagResource is then checked, scoped by ARN and tag keys).
    "ecs:ListTasks",
    "tag:GetResources",
    "tag:TagResources",
    "tag:UntagResources",
    "events:ListEventBuses",
    "events:ListRules",
    "scheduler:ListSchedules",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeTags",
}


def _statements() -> Iterator[tuple[str, dict[str, Any]]]:
    for name, resource in RESOURCES.items():
        for policy in resource.get("Properties", {}).get("Policies", []):
            if isinstance(policy, dict) and "Statement" in policy:
                for statement in policy["Statement"]:
                    yield name, statement


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _ref(value: Any) -> str:
    assert isinstance(value, dict) and "Ref" in value, value
    return str(value["Ref"])


def test_functions_run_python_3_13_on_arm64_with_the_layer() -> None:
    function_globals = TEMPLATE["Globals"]["Function"]

    assert function_globals["Runtime"] == "python3.13"
    assert function_globals["Architectures"] == ["arm64"]
    assert _ref(function_globals["Layers"][0]) == "FargateOpsLayer"


def test_the_layer_is_built_from_its_pinned_requirements_without_boto3() -> None:
    layer = RESOURCES["FargateOpsLayer"]
    requirements = (ROOT / "layers" / "fargate_ops" / "requirements.txt").read_text().splitlines()
    pins = [line for line in requirements if line.strip() and not line.startswith("#")]

    assert layer["Metadata"]["BuildMethod"] == "makefile"  # tests/template/test_layer_build.py
    assert layer["Properties"]["ContentUri"] == "layers/fargate_ops/"
    assert "-r requirements.txt" in (ROOT / "layers" / "fargate_ops" / "Makefile").read_text()
    assert pins and all("==" in pin for pin in pins)
    assert not any(pin.lower().startswith(("boto3", "botocore")) for pin in pins)


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_logs_to_an_explicit_log_group_with_retention(name: str) -> None:
    group = RESOURCES[_ref(FUNCTIONS[name]["Properties"]["LoggingConfig"]["LogGroup"])]

    assert group["Type"] == "AWS::Logs::LogGroup"
    assert "RetentionInDays" in group["Properties"]


def test_the_event_cleanup_scaling_and_reconciling_functions_are_the_asynchronously_invoked_ones() -> None:
    # DeployStepFunction: the reconciler, on the deploy state machine's execution status changes.
    assert ASYNC_FUNCTIONS == [
        "CleanupFunction",
        "DeployStepFunction",
        "EcsEventsFunction",
        "ScalingFunction",
    ]


@pytest.mark.parametrize("name", ASYNC_FUNCTIONS)
def test_every_asynchronous_target_has_a_dead_letter_queue(name: str) -> None:
    properties = FUNCTIONS[name]["Properties"]
    events = {n: e for n, e in properties["Events"].items() if e["Type"] in ASYNC_EVENT_TYPES}

    on_failure = properties.get("EventInvokeConfig", {}).get("DestinationConfig", {}).get("OnFailure")
    assert properties.get("DeadLetterQueue") or on_failure
    for event_name, event in events.items():
        assert "DeadLetterConfig" in event["Properties"], event_name


def test_pass_role_is_only_to_ecs_tasks_or_of_the_scheduler_role_to_the_scheduler() -> None:
    pass_role = [(n, s) for n, s in _statements() if "iam:PassRole" in _as_list(s["Action"])]

    assert pass_role
    for _, statement in pass_role:
        to_service = statement["Condition"]["StringEquals"]["iam:PassedToService"]
        if to_service == "scheduler.amazonaws.com":
            assert statement["Resource"] == {"Fn::GetAtt": ["ScalingSchedulerRole", "Arn"]}
        else:
            assert to_service == "ecs-tasks.amazonaws.com"
        assert statement["Resource"] != "*"


def test_a_wildcard_resource_is_used_only_for_actions_that_allow_nothing_else() -> None:
    for name, statement in _statements():
        if statement.get("Resource") == "*" and "Condition" not in statement:
            assert set(_as_list(statement["Action"])) <= STAR_ONLY_ACTIONS, name


def test_state_machine_may_invoke_only_the_deploy_step_function() -> None:
    policies = RESOURCES["DeployStateMachine"]["Properties"]["Policies"]
    invoke = [p["LambdaInvokePolicy"] for p in policies if "LambdaInvokePolicy" in p]

    assert [_ref(p["FunctionName"]) for p in invoke] == ["DeployStepFunction"]


def test_the_state_machine_invokes_other_functions_only_as_validation_hooks_by_name_pattern() -> None:
    statements = [
        s
        for p in RESOURCES["DeployStateMachine"]["Properties"]["Policies"]
        if "Statement" in p
        for s in p["Statement"]
        if "lambda:InvokeFunction" in _as_list(s["Action"])
    ]

    assert [s["Sid"] for s in statements] == ["InvokeValidationHooks"]
    for resource in statements[0]["Resource"]:
        assert "${ValidationHookFunctionPattern}" in resource["Fn::Sub"]


def test_every_checkov_skip_gives_a_reason() -> None:
    for name, resource in RESOURCES.items():
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
            assert skip["id"].startswith("CKV_"), name
            assert len(skip.get("comment", "")) >= 30, f"{name} {skip['id']} needs a written reason"


def test_the_table_collects_garbage_by_ttl_and_can_be_restored() -> None:
    table = RESOURCES["OpsTable"]["Properties"]

    assert table["BillingMode"] == "PAY_PER_REQUEST"
    assert table["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    assert table["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert table["SSESpecification"]["SSEEnabled"] is True


def test_the_cleanup_schedule_is_a_daily_dry_run() -> None:
    schedule = FUNCTIONS["CleanupFunction"]["Properties"]["Events"]["CleanupSchedule"]

    assert schedule["Type"] == "ScheduleV2"
    assert json.loads(schedule["Properties"]["Input"]) == {"apply": False}


# EventBridge patterns: filter before Lambda runs -------------------------------------------------


def _rules() -> dict[str, dict[str, Any]]:
    """The patterns without ``account`` and ``region``: intrinsics here (the samples come from many
    accounts); tests/runtime/test_event_source_rules.py checks them as CloudFormation resolves them."""
    events = FUNCTIONS["EcsEventsFunction"]["Properties"]["Events"]
    return {
        name: {k: v for k, v in e["Properties"]["Pattern"].items() if k not in ("account", "region")}
        for name, e in events.items()
        if e["Type"] == "EventBridgeRule"
    }


def _delivered(raw_event: dict[str, Any]) -> set[str]:
    from moto.events.models import EventPattern

    return {
        name
        for name, pattern in _rules().items()
        if EventPattern.load(json.dumps(pattern)).matches_event(raw_event)
    }


@pytest.mark.parametrize(
    ("sample", "rules"),
    [
        ("ecs-task-state-change-stopped-essential-container-exited.json", {"TaskStopped"}),
        ("ecs-task-state-change-running-fargate.json", set()),
        ("ecs-task-state-change-fargate-spot-termination-notice.PARTIAL.json", set()),
        ("ecs-service-action-service-steady-state.json", {"ServiceAction"}),
        ("ecs-service-action-capacity-provider-steady-state.json", set()),
        ("ecs-service-action-service-task-start-impaired.json", {"ServiceAction"}),
        ("ecs-service-action-service-task-placement-failure-fargate-spot.json", {"ServiceAction"}),
        ("ecs-deployment-state-change-service-deployment-failed.json", {"DeploymentStateChange"}),
        (
            "ecs-deployment-state-change-service-deployment-in-progress-rollback.json",
            {"DeploymentStateChange"},
        ),
        ("ecs-deployment-state-change-service-deployment-completed.json", {"DeploymentStateChange"}),
        ("ecs-container-instance-state-change.json", set()),
    ],
)
def test_rules_deliver_only_the_events_a_reaction_uses(load_event: Any, sample: str, rules: set[str]) -> None:
    assert _delivered(load_event(sample)) == rules


def _decision(load_event: Any, last_status: str, stop_code: str, reason: str) -> dict[str, Any]:
    """The crashed-task sample as ECS sends it when it decides to stop the task (desiredStatus STOPPED)."""
    raw = json.loads(json.dumps(load_event("ecs-task-state-change-stopped-essential-container-exited.json")))
    raw["detail"].update(lastStatus=last_status, stopCode=stop_code, stoppedReason=reason)
    return raw


@pytest.mark.parametrize(
    ("last_status", "stop_code", "reason", "rules"),
    [
        ("RUNNING", "EssentialContainerExited", "Essential container in task exited", {"TaskStopped"}),
        ("PENDING", "TaskFailedToStart", "CannotPullContainerError: ... not found", {"TaskStopped"}),
        ("RUNNING", "TerminationNotice", "Your Spot Task was interrupted.", {"TaskStopped"}),
        (
            "RUNNING",
            "ServiceSchedulerInitiated",
            "Task failed ELB health checks in (target-group arn:aws:...)",
            {"TaskStopped"},
        ),
        (
            "RUNNING",
            "ServiceSchedulerInitiated",
            "Scaling activity initiated by (deployment ecs-svc/1)",
            set(),
        ),
        ("DEACTIVATING", "EssentialContainerExited", "Essential container in task exited", set()),
        ("STOPPING", "TaskFailedToStart", "CannotPullContainerError: ... not found", set()),
    ],
)
def test_the_task_rule_also_delivers_ecs_s_decision_to_stop_a_failing_or_interrupted_task(
    load_event: Any, last_status: str, stop_code: str, reason: str, rules: set[str]
) -> None:
    assert _delivered(_decision(load_event, last_status, stop_code, reason)) == rules
