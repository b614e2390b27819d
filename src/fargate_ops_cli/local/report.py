"""What a scenario run reports, as a JSON document for machines (the narrative for people: narrative.py)."""

from __future__ import annotations

import contextlib
import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from fargate_ops_cli.local.clients import ClientFactory, as_world
from fargate_ops_cli.local.narrative import describe_event
from fargate_ops_cli.local.route_report import listeners_report

if TYPE_CHECKING:
    from fargate_ops_cli.local.narrative import Narrative
    from fargate_ops_cli.local.runtime import LocalRuntime
    from fargate_ops_cli.local.scenario import Scenario
    from fargate_ops_cli.local.world.provision import ProvisionedWorld
    from fargate_ops_cli.local.world.simulator import FargateSimulator


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
    listeners: list[dict[str, Any]] = field(default_factory=list)  # each listener's and rule's action now
    scaling: dict[str, Any] = field(default_factory=dict)  # scaling actions, missed runs, capacity samples
    # `expect: invariants_hold: false`: violations are reported, not a failed run (a service its schedule
    # holds at zero behind its ALB answers 503 on purpose)
    invariants_waived: bool = False
    cleanups: list[dict[str, Any]] = field(default_factory=list)  # each cleanup run: when, mode, result

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def expectations_met(self) -> bool:
        return all(e["ok"] for e in self.expectations)


def _deploy_record(runtime: LocalRuntime, deploy_id: str) -> dict[str, Any]:
    from fargate_ops_cli.operations.records import read_deploy  # what `fargate-ops status` reads

    assert runtime.stack is not None
    table = runtime.stack.outputs.get("OpsTableName")  # the stack says where its records are, as for the CLI
    if not table:
        return {}
    with as_world():
        return read_deploy(runtime.clients.client("dynamodb"), table, deploy_id) or {}


def current_weights(
    runtime: LocalRuntime, world: ProvisionedWorld, route_arn: str | None = None
) -> dict[str, int]:
    """Target group name -> weight, as one route (default: the production routes) forwards now."""
    from fargate_ops_cli.local.route_report import route_weights

    with as_world():
        return route_weights(runtime.clients.client("elbv2"), world, route_arn)


def _deploy_entry(runtime: LocalRuntime, deploy_id: str, arn: str) -> dict[str, Any]:
    summary = runtime.execution(arn)
    record = _deploy_record(runtime, deploy_id)
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


def _containers(ecs: Any, task_definition: str) -> dict[str, dict[str, Any]]:
    """What the service's revision runs: each container's image and environment (values hashed, as the
    application shows them: a report must not carry a secret either)."""
    from fargate_ops.domain.redaction import fingerprint

    definition = ecs.describe_task_definition(taskDefinition=task_definition)["taskDefinition"]
    return {
        c["name"]: {
            "image": c.get("image"),
            "environment": {e["name"]: fingerprint(e["value"]) for e in c.get("environment", [])},
        }
        for c in definition.get("containerDefinitions", [])
    }


class Run(Protocol):
    """What a finished scenario run hands to ``build`` (the scenario runner is one)."""

    scenario: Scenario
    deploys: dict[str, str]  # deploy id -> execution ARN
    deploy_routes: dict[str, str]  # deploy id -> the listener or rule ARN it was given
    violations: list[str]
    narrative: Narrative
    startup_seconds: float
    cleanups: list[dict[str, Any]]  # each cleanup run (local/cleanup_steps.py)


def build(
    run: Run, runtime: LocalRuntime, sim: FargateSimulator, world: ProvisionedWorld, inbox: Inbox
) -> Report:
    """The report of a run (its expectations are checked after, by expectations.evaluate)."""
    deploys = [_deploy_entry(runtime, deploy_id, arn) for deploy_id, arn in run.deploys.items()]
    with as_world():
        ecs = runtime.clients.client("ecs")
        names = list(world.services)
        for arn in ecs.list_services(cluster=world.cluster_name).get("serviceArns", []):  # adopted slots too
            if arn.rsplit("/", 1)[-1] not in names:
                names.append(arn.rsplit("/", 1)[-1])
        described = []
        for i in range(0, len(names), 10):  # DescribeServices takes ten at a time
            described += ecs.describe_services(cluster=world.cluster_name, services=names[i : i + 10])[
                "services"
            ]
        containers = {s["taskDefinition"]: _containers(ecs, s["taskDefinition"]) for s in described}
    services = [
        {
            "name": s["serviceName"],
            "desired": s["desiredCount"],
            "running": s["runningCount"],
            "task_definition": s["taskDefinition"].rsplit("/", 1)[-1],
            "containers": containers[s["taskDefinition"]],
        }
        for s in described
    ]
    transitions, history_events, payloads = {}, {}, {}
    for arn in runtime.executions:
        summary = runtime.execution(arn)
        transitions[summary.name] = summary.state_transitions
        history_events[summary.name] = summary.history_events
        payloads[summary.name] = summary.largest_payload_bytes
    weights = current_weights(runtime, world)
    for entry in deploys:  # over the target groups of the listener or rule the deploy was given
        route = run.deploy_routes.get(entry["id"])
        entry["final_weights"] = list((current_weights(runtime, world, route) if route else weights).values())
    events = [
        {
            "time": e["time"],
            "detail_type": e["detail-type"],
            "account": e.get("account"),
            "region": e.get("region"),
            "resources": e.get("resources", []),
            "summary": describe_event(e) or "",
        }
        for e in runtime.bus.events
    ]
    report = Report(
        scenario=run.scenario.name,
        started_at=datetime.fromtimestamp(runtime.clock.now() - run.scenario.run_for, UTC).isoformat(),
        ended_at=datetime.fromtimestamp(runtime.clock.now(), UTC).isoformat(),
        deploys=deploys,
        services=services,
        weights=weights,
        events=events,
        notifications=inbox.drain(),
        api_calls=runtime.api_calls(),
        state_transitions=transitions,
        invariant_violations=list(run.violations),
        timeline=[e.as_dict() for e in sorted(run.narrative.entries, key=lambda e: e.at)],
        lambda_invocations={
            name: {"invocations": s.invocations, "errors": s.errors, "peak_bytes": s.peak_bytes}
            for name, s in runtime.lambdas.stats.items()
        },
        dead_letters=len(runtime.bus.dead_letters),
        runtime={
            "startup_seconds": round(run.startup_seconds, 3),
            "timers_run": runtime.clock.timers_run,
            "peak_concurrent_invocations": runtime.lambdas.peak_running,
            **runtime.concurrency.stats.as_dict(),
        },
        history_events=history_events,
        largest_payload_bytes=payloads,
        iam=runtime.iam.summary() if runtime.iam is not None else {"enforced": False},
        listeners=listeners_report(world, sim),
        cleanups=list(run.cleanups),
    )
    return report
