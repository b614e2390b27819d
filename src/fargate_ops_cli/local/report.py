"""What a scenario run reports: a narrative for people and a JSON document for machines."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fargate_ops_cli.local.clients import ClientFactory, as_world
from fargate_ops_cli.local.moto_hooks import history_since

if TYPE_CHECKING:
    from fargate_ops_cli.local.runner import ScenarioRunner
    from fargate_ops_cli.local.runtime import LocalRuntime
    from fargate_ops_cli.local.world.provision import ProvisionedWorld
    from fargate_ops_cli.local.world.simulator import FargateSimulator


def clock_text(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%H:%M:%S")


@dataclass(frozen=True)
class Entry:
    at: float
    actor: str  # operator, ECS, CloudWatch, state machine, fargate-ops, world, invariant
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": datetime.fromtimestamp(self.at, UTC).isoformat(),
            "actor": self.actor,
            "text": self.text,
        }


class Narrative:
    """The run's timeline, in virtual-time order; each entry is passed to `on_entry` as it is told."""

    def __init__(self, on_entry: Callable[[Entry], None] | None = None) -> None:
        self.entries: list[Entry] = []
        self._on_entry = on_entry
        self._seen_history: dict[str, int] = {}
        self._comments: dict[str, dict[str, str]] = {}  # state machine ARN -> state name -> Comment

    def say(self, at: float, actor: str, text: str) -> None:
        entry = Entry(at, actor, text)
        self.entries.append(entry)
        if self._on_entry is not None:
            self._on_entry(entry)

    def event(self, at: float, event: dict[str, Any]) -> None:
        text = describe_event(event)
        if text:
            actor = "CloudWatch" if event["source"] == "aws.cloudwatch" else "ECS"
            self.say(at, actor, text)

    def read_executions(self, rt: LocalRuntime, deploys: dict[str, str]) -> None:
        """Tell the state machines' steps since the last read (their history times are virtual)."""
        for deploy_id, arn in deploys.items():
            comments = self._state_comments(rt, arn)
            seen = self._seen_history.get(arn, 0)
            new = history_since(rt.clients.account_id, rt.clients.region, arn, seen)
            self._seen_history[arn] = seen + len(new)
            for item in new:
                text = _describe_history_event(item)
                if text and item["type"].endswith("StateEntered"):
                    comment = comments.get(item["stateEnteredEventDetails"]["name"])
                    text = f"{text}: {comment}" if comment else text
                if text:
                    at = datetime.fromisoformat(str(item["timestamp"]).replace("Z", "+00:00")).timestamp()
                    self.say(at, f"deploy {deploy_id}", text)

    def _state_comments(self, rt: LocalRuntime, execution_arn: str) -> dict[str, str]:
        """Each state's Comment in the ASL: the narrative says why a step happens, in the author's words."""
        _, _, _, region, account, _, machine, _ = execution_arn.split(":", 7)
        machine_arn = f"arn:aws:states:{region}:{account}:stateMachine:{machine}"
        if machine_arn not in self._comments:
            with as_world():
                definition = rt.clients.client("stepfunctions").describe_state_machine(
                    stateMachineArn=machine_arn
                )
            states = json.loads(definition["definition"]).get("States", {})
            self._comments[machine_arn] = {
                name: s["Comment"] for name, s in states.items() if s.get("Comment")
            }
        return self._comments[machine_arn]


def _describe_history_event(item: dict[str, Any]) -> str | None:
    kind = item["type"]
    if kind.endswith("StateEntered"):
        return f"step {item['stateEnteredEventDetails']['name']}"
    if kind == "ExecutionSucceeded":
        return "execution SUCCEEDED"
    if kind == "ExecutionFailed":
        details = item.get("executionFailedEventDetails", {})
        return f"execution FAILED: {details.get('error', '')} {_short(details.get('cause') or '')}".rstrip()
    if kind in ("TaskFailed", "LambdaFunctionFailed"):
        details = item.get("taskFailedEventDetails") or item.get("lambdaFunctionFailedEventDetails") or {}
        return f"task failed: {details.get('error', '')} {_short(details.get('cause') or '')}".rstrip()
    if kind == "TaskTimedOut":
        return "wait timed out"
    return None


def _short(text: str, limit: int = 160) -> str:
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict) and "errorMessage" in parsed:
            text = parsed["errorMessage"]
    except (json.JSONDecodeError, TypeError):
        pass
    return text if len(text) <= limit else text[: limit - 1] + "…"


def describe_event(event: dict[str, Any]) -> str | None:
    detail = event.get("detail", {})
    kind = event.get("detail-type")
    if kind == "ECS Task State Change":
        status = detail.get("lastStatus")
        if status not in ("RUNNING", "STOPPED"):
            return None
        service = str(detail.get("group", "")).removeprefix("service:")
        task = str(detail.get("taskArn", "")).rsplit("/", 1)[-1][:8]
        revision = str(detail.get("taskDefinitionArn", "")).rsplit("/", 1)[-1]
        text = f"{service} task {task} ({revision}) {status}"
        if status == "STOPPED":
            exits = [
                f"{c.get('name')} exit {c['exitCode']}"
                for c in detail.get("containers", [])
                if "exitCode" in c
            ]
            text += f": {detail.get('stopCode', '')} — {detail.get('stoppedReason', '')}"
            if exits:
                text += f" ({', '.join(exits)})"
        return text
    if kind == "ECS Service Action":
        service = str(event.get("resources", [""])[0]).rsplit("/", 1)[-1]
        return f"{service}: {detail.get('eventName')}"
    if kind == "ECS Deployment State Change":
        service = str(event.get("resources", [""])[0]).rsplit("/", 1)[-1]
        return f"{service}: {detail.get('eventName')}"
    if kind == "CloudWatch Alarm State Change":
        state = detail.get("state", {}).get("value")
        previous = detail.get("previousState", {}).get("value")
        return f"alarm {detail.get('alarmName')} {previous} → {state}"
    return None


def describe_cleanup(result: Any) -> str:
    """One line per family: what a cleanup run deregistered (or would), and why the rest stays."""
    if not isinstance(result, dict) or "families" not in result:
        return str(result)
    verb = "would deregister" if result.get("dry_run", True) else "deregistered"
    parts = []
    for family, plan in sorted(result["families"].items()):
        doomed = [str(arn).rsplit("/", 1)[-1] for arn in plan.get("deregister", [])]
        kept = [
            f"{str(k.get('arn', '')).rsplit('/', 1)[-1]} ({', '.join(k.get('reasons', []))})"
            for k in plan.get("keep", [])
        ]
        parts.append(
            f"{family}: {verb} {', '.join(doomed) or 'nothing'}; keeps {', '.join(kept) or 'nothing'}"
        )
    return " | ".join(parts) or "no task definition family in scope"


# -- notifications: an SQS queue subscribed to the application's topic --------------------------------


@dataclass
class Inbox:
    queue_url: str | None
    clients: ClientFactory
    messages: list[dict[str, Any]] = field(default_factory=list)

    def drain(self) -> list[dict[str, Any]]:
        if self.queue_url is None:
            return self.messages
        with as_world():
            sqs = self.clients.client("sqs")
            while True:
                batch = sqs.receive_message(QueueUrl=self.queue_url, MaxNumberOfMessages=10).get(
                    "Messages", []
                )
                if not batch:
                    break
                for message in batch:
                    envelope = json.loads(message["Body"])
                    body: Any = envelope.get("Message")
                    with contextlib.suppress(TypeError, json.JSONDecodeError):
                        body = json.loads(body)
                    self.messages.append({"subject": envelope.get("Subject"), "message": body})
                    sqs.delete_message(QueueUrl=self.queue_url, ReceiptHandle=message["ReceiptHandle"])
        return self.messages


def subscribe_inbox(clients: ClientFactory, outputs: dict[str, str]) -> Inbox:
    topic = next((v for k, v in outputs.items() if "topic" in k.lower() and v.startswith("arn:")), None)
    if topic is None:
        return Inbox(None, clients)
    sqs = clients.client("sqs")
    url = sqs.create_queue(QueueName="fargate-ops-local-inbox")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    clients.client("sns").subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn)
    return Inbox(url, clients)


# -- the JSON report -------------------------------------------------------------------------------------


@dataclass
class Report:
    scenario: str
    started_at: str
    ended_at: str
    deploys: list[dict[str, Any]]
    services: list[dict[str, Any]]
    weights: dict[str, int]
    events: list[dict[str, Any]]
    notifications: list[dict[str, Any]]
    api_calls: dict[str, int]
    state_transitions: dict[str, int]
    invariant_violations: list[str]
    timeline: list[dict[str, Any]]
    lambda_invocations: dict[str, dict[str, Any]]
    dead_letters: int
    runtime: dict[str, Any]
    expectations: list[dict[str, Any]] = field(default_factory=list)
    # per execution name, next to state_transitions: what Step Functions' hard limits measure
    history_events: dict[str, int] = field(default_factory=dict)
    largest_payload_bytes: dict[str, int] = field(default_factory=dict)
    # the local IAM check: calls denied (principal, action, resource) and which statements allowed what
    iam: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def expectations_met(self) -> bool:
        return all(e["ok"] for e in self.expectations)


def _deploy_record(rt: LocalRuntime, deploy_id: str) -> dict[str, Any]:
    from fargate_ops_cli.operations.records import read_deploy  # what `fargate-ops status` reads

    assert rt.stack is not None
    table = rt.stack.outputs.get("OpsTableName")  # the stack says where its records are, as for the CLI
    if not table:
        return {}
    with as_world():
        return read_deploy(rt.clients.client("dynamodb"), table, deploy_id) or {}


def current_weights(rt: LocalRuntime, world: ProvisionedWorld) -> dict[str, int]:
    """Target group name -> weight, as the listener (or rule) forwards now."""
    with as_world():
        elbv2 = rt.clients.client("elbv2")
        if world.listener_rule_arn:
            actions = elbv2.describe_rules(RuleArns=[world.listener_rule_arn])["Rules"][0]["Actions"]
        else:
            actions = elbv2.describe_listeners(ListenerArns=[world.listener_arn])["Listeners"][0][
                "DefaultActions"
            ]
    names = {arn: name for name, arn in world.target_groups.items()}
    weights: dict[str, int] = {}
    for action in actions:
        for group in action.get("ForwardConfig", {}).get("TargetGroups", []):
            weights[names.get(group["TargetGroupArn"], group["TargetGroupArn"])] = int(group.get("Weight", 1))
        if "ForwardConfig" not in action and action.get("TargetGroupArn"):
            weights[names.get(action["TargetGroupArn"], action["TargetGroupArn"])] = 1
    return {name: weights.get(name, 0) for name in world.target_groups}


def _deploy_entry(rt: LocalRuntime, deploy_id: str, arn: str) -> dict[str, Any]:
    summary = rt.execution(arn)
    record = _deploy_record(rt, deploy_id)
    status = record.get("status") or summary.status
    if summary.status == "RUNNING":
        status = "RUNNING"
    elif summary.status == "FAILED" and summary.error in (
        "LeaseHeldError",
        "DeployAlreadyRunning",
        "DeployInputError",
    ):
        status = "REJECTED" if summary.error != "DeployInputError" else "FAILED"
    elif summary.status == "FAILED" and summary.error == "DeployRejected" and not record:
        status = "REJECTED"  # refused by the plan (input or pre-flight): nothing was touched
    elif summary.status == "FAILED" and status in ("RUNNING", "SUCCEEDED"):
        status = "FAILED"
    return {
        "id": deploy_id,
        "execution": arn,
        "status": status,
        "execution_status": summary.status,
        "strategy": record.get("strategy"),
        "weight_history": record.get("weight_history", []),
        "rollback_reason": record.get("rollback_reason"),
        "error": summary.error,
        "cause": summary.cause,
        "state_transitions": summary.state_transitions,
        "history_events": summary.history_events,
        "largest_payload_bytes": summary.largest_payload_bytes,
        **_engine_fields(record),
    }


def _engine_fields(record: dict[str, Any]) -> dict[str, Any]:
    """What the deploy engine's record adds: the plan, where it got to, the analysis, a wait left open."""
    green_tg = (record.get("green") or {}).get("target_group_arn")
    history = record.get("weight_history", [])
    waiting = record.get("waiting")
    return {
        "steps": record.get("steps", []),
        "step_index": record.get("step_index"),
        "green_weights": [h.get("weights", {}).get(green_tg, 0) for h in history[1:]] if green_tg else [],
        "analysis": record.get("analysis", []),
        "waiting": {k: v for k, v in waiting.items() if k != "token"} if isinstance(waiting, dict) else None,
        "notes": record.get("notes", []),
    }


def build(
    runner: ScenarioRunner, rt: LocalRuntime, sim: FargateSimulator, world: ProvisionedWorld, inbox: Inbox
) -> Report:
    deploys = [_deploy_entry(rt, deploy_id, arn) for deploy_id, arn in runner.deploys.items()]
    with as_world():
        ecs = rt.clients.client("ecs")
        names = list(world.services)
        for arn in ecs.list_services(cluster=world.cluster_name).get("serviceArns", []):  # adopted slots too
            if arn.rsplit("/", 1)[-1] not in names:
                names.append(arn.rsplit("/", 1)[-1])
        described = []
        for i in range(0, len(names), 10):  # DescribeServices takes ten at a time
            described += ecs.describe_services(cluster=world.cluster_name, services=names[i : i + 10])[
                "services"
            ]
    services = [
        {
            "name": s["serviceName"],
            "desired": s["desiredCount"],
            "running": s["runningCount"],
            "task_definition": s["taskDefinition"].rsplit("/", 1)[-1],
        }
        for s in described
    ]
    transitions, history_events, payloads = {}, {}, {}
    for arn in rt.executions:
        summary = rt.execution(arn)
        transitions[summary.name] = summary.state_transitions
        history_events[summary.name] = summary.history_events
        payloads[summary.name] = summary.largest_payload_bytes
    weights = current_weights(rt, world)
    if deploys:
        for entry in deploys:
            entry["final_weights"] = list(weights.values())
    events = [
        {
            "time": e["time"],
            "detail_type": e["detail-type"],
            "resources": e.get("resources", []),
            "summary": describe_event(e) or "",
        }
        for e in rt.bus.events
    ]
    report = Report(
        scenario=runner.scenario.name,
        started_at=datetime.fromtimestamp(rt.clock.now() - runner.scenario.run_for, UTC).isoformat(),
        ended_at=datetime.fromtimestamp(rt.clock.now(), UTC).isoformat(),
        deploys=deploys,
        services=services,
        weights=weights,
        events=events,
        notifications=inbox.drain(),
        api_calls=rt.api_calls(),
        state_transitions=transitions,
        invariant_violations=list(runner.violations),
        timeline=[e.as_dict() for e in sorted(runner.narrative.entries, key=lambda e: e.at)],
        lambda_invocations={
            name: {"invocations": s.invocations, "errors": s.errors, "peak_bytes": s.peak_bytes}
            for name, s in rt.lambdas.stats.items()
        },
        dead_letters=len(rt.bus.dead_letters),
        runtime={
            "startup_seconds": round(runner.startup_seconds, 3),
            "timers_run": rt.clock.timers_run,
            "peak_concurrent_invocations": rt.lambdas.peak_running,
            **rt.concurrency.stats.as_dict(),
        },
        history_events=history_events,
        largest_payload_bytes=payloads,
        iam=rt.iam.summary() if rt.iam is not None else {"enforced": False},
    )
    from fargate_ops_cli.local.expectations import check, check_headroom, check_iam

    if runner.scenario.expect is not None:
        report.expectations = check(runner.scenario.expect, report)
    report.expectations += check_headroom(report)  # every scenario, with or without `expect:`
    # AWS would refuse these calls: a run with an unexpected denial is not green, with or without expect:
    iam_result = check_iam(runner.scenario.expect, report)
    if iam_result is not None:
        report.expectations.append(iam_result)
    return report
