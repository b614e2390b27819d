"""fargate-ops watches itself: the template's alarms and dashboard, checked against AWS and the code.

moto's CloudFormation deploys AWS::CloudWatch::Dashboard (PutDashboard, without validating the body)
but not AWS::CloudWatch::Alarm, so the local runtime cannot run these alarms: this test holds them to
what CloudWatch needs instead. Every FargateOps metric they name must be one the code emits (found in
the code, not listed here), with the dimension Powertools gives it; every alarm acts on the
notification topic, and that topic's key lets CloudWatch alarms publish (the AWS managed key would not).
"""

from __future__ import annotations

import ast
import json
import re
from typing import Any

from fargate_ops.deploy import STEPS
from fargate_ops.deploy.notify import REJECTED
from fargate_ops.domain.deploy import FINAL_STATUSES
from fargate_ops.reactions.outcome import OutcomeKind
from tests.template.conftest import REPO_ROOT, Template

CODE = [REPO_ROOT / "layers" / "fargate_ops" / "fargate_ops", REPO_ROOT / "functions"]
TOPIC = {"Ref": "NotificationTopic"}


def resources(template: Template, kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def _string_constants(tree: ast.Module) -> dict[str, str]:
    return {
        target.id: node.value.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
        for target in node.targets
        if isinstance(target, ast.Name) and isinstance(node.value.value, str)
    }


def emitted_metrics() -> tuple[set[str], list[str]]:
    """Names given to ``count(...)`` in the code, and the f-string templates it builds names from."""
    names: set[str] = set()
    templates: list[str] = []
    for root in CODE:
        for path in root.rglob("*.py"):
            tree = ast.parse(path.read_text())
            constants = _string_constants(tree)
            for node in ast.walk(tree):
                if not (
                    isinstance(node, ast.Call) and getattr(node.func, "id", None) == "count" and node.args
                ):
                    continue
                arg = node.args[0]
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    names.add(arg.value)
                elif isinstance(arg, ast.Name) and arg.id in constants:
                    names.add(constants[arg.id])
                elif isinstance(arg, ast.JoinedStr):
                    templates.append(
                        "".join(str(v.value) if isinstance(v, ast.Constant) else "{}" for v in arg.values)
                    )
    return names, templates


def every_metric_name() -> set[str]:
    """What the code can emit: its literal names, and its four families of built names."""
    names, templates = emitted_metrics()
    families = {
        "DeployStep_{}": {f"DeployStep_{step}" for step in STEPS},
        "Deploy{}": {f"Deploy{s.title().replace('_', '')}" for s in {*FINAL_STATUSES, REJECTED}},
        "Event{}": {f"Event{kind.value.capitalize()}" for kind in OutcomeKind},
        "DeployReconciled_{}": {f"DeployReconciled_{s}" for s in FINAL_STATUSES},
    }
    assert sorted(templates) == sorted(families), "a new built metric name: add its family here"
    return names.union(*families.values())


def _metrics_of_alarm(alarm: dict[str, Any]) -> list[dict[str, Any]]:
    props = alarm["Properties"]
    if "Metrics" in props:
        return [m["MetricStat"]["Metric"] for m in props["Metrics"] if "MetricStat" in m]
    return [{k: props[k] for k in ("Namespace", "MetricName", "Dimensions") if k in props}]


def dashboard_metrics(template: Template) -> list[list[Any]]:
    (dashboard,) = resources(template, "AWS::CloudWatch::Dashboard").values()
    body = dashboard["Properties"]["DashboardBody"]["Fn::Sub"]
    parsed = json.loads(re.sub(r"\$\{[^}]+\}", "x", body))  # what CloudFormation substitutes is a name
    return [
        m for widget in parsed["widgets"] for m in widget["properties"]["metrics"] if isinstance(m[0], str)
    ]


def test_every_alarm_tells_the_notification_topic(template: Template) -> None:
    alarms = resources(template, "AWS::CloudWatch::Alarm")

    assert alarms
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [TOPIC], name


def test_the_topics_key_lets_cloudwatch_alarms_and_every_publisher_use_it(template: Template) -> None:
    topic = template["Resources"]["NotificationTopic"]["Properties"]
    assert topic["KmsMasterKeyId"] != "alias/aws/sns"  # CloudWatch alarms cannot use the AWS managed key
    key = template["Resources"][topic["KmsMasterKeyId"]["Ref"]]
    cloudwatch = [
        s
        for s in key["Properties"]["KeyPolicy"]["Statement"]
        if s["Principal"].get("Service") == "cloudwatch.amazonaws.com"
    ]
    assert cloudwatch and {"kms:Decrypt", "kms:GenerateDataKey*"} <= set(cloudwatch[0]["Action"])
    key_arn = {"Fn::GetAtt": [topic["KmsMasterKeyId"]["Ref"], "Arn"]}
    for name, function in resources(template, "AWS::Serverless::Function").items():
        policies = function["Properties"].get("Policies", [])
        if not any("SNSPublishMessagePolicy" in p for p in policies if isinstance(p, dict)):
            continue
        statements = [s for p in policies if isinstance(p, dict) for s in p.get("Statement", [])]
        assert any("kms:GenerateDataKey*" in s["Action"] and s["Resource"] == key_arn for s in statements), (
            f"{name} publishes to the topic but may not use its key"
        )


def test_the_dead_letters_failed_executions_handler_errors_and_unparseable_events_are_alarmed(
    template: Template,
) -> None:
    watched = {
        (m["Namespace"], m["MetricName"], json.dumps(m.get("Dimensions", [{}])[0].get("Value")))
        for alarm in resources(template, "AWS::CloudWatch::Alarm").values()
        for m in _metrics_of_alarm(alarm)
    }
    wanted = {
        (
            "AWS/SQS",
            "ApproximateNumberOfMessagesVisible",
            json.dumps({"Fn::GetAtt": ["DeadLetterQueue", "QueueName"]}),
        ),
        ("AWS/States", "ExecutionsFailed", json.dumps({"Ref": "DeployStateMachine"})),
        ("AWS/States", "ExecutionsTimedOut", json.dumps({"Ref": "DeployStateMachine"})),
        ("FargateOps", "EventUnparseable", json.dumps("fargate-ops")),
    } | {
        ("AWS/Lambda", "Errors", json.dumps({"Ref": name}))
        for name in resources(template, "AWS::Serverless::Function")
    }
    assert wanted <= watched, wanted - watched


def test_every_fargate_ops_metric_of_an_alarm_or_the_dashboard_is_one_the_code_emits(
    template: Template,
) -> None:
    variables = template["Globals"]["Function"]["Environment"]["Variables"]
    namespace, service = variables["POWERTOOLS_METRICS_NAMESPACE"], variables["POWERTOOLS_SERVICE_NAME"]
    named = [
        (m["MetricName"], m["Dimensions"])
        for alarm in resources(template, "AWS::CloudWatch::Alarm").values()
        for m in _metrics_of_alarm(alarm)
        if m["Namespace"] == namespace
    ]
    named += [
        (m[1], [{"Name": m[2], "Value": m[3]}]) for m in dashboard_metrics(template) if m[0] == namespace
    ]
    emitted = every_metric_name()

    assert {"DeployStep_shift_traffic", "DeployRolledBack", "EventActed", "EventUnparseable"} <= emitted
    assert len(named) > 5
    for name, dimensions in named:
        assert name in emitted, f"{name} is not a metric the code emits"
        assert dimensions == [{"Name": "service", "Value": service}], name  # Powertools' one dimension


def test_the_dashboard_shows_deploys_in_flight_shifts_rollbacks_reactions_and_handler_errors(
    template: Template,
) -> None:
    shown = {m[1] for m in dashboard_metrics(template)}

    assert {
        "ExecutionsStarted",
        "DeployStep_shift_traffic",
        "DeployStep_rollback",
        "EventActed",
        "Errors",
    } <= shown
