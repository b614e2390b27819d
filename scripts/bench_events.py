"""Replay 10,000 mixed ECS events through the ECS events handler in the local runtime and measure it.

    .venv/bin/python scripts/bench_events.py [--events 10000] [--seed 1] [--json]

The real template is deployed into moto (LocalRuntime); each event is put on the runtime's EventBridge
bus, so the template's own rule patterns decide whether the handler runs at all, exactly as in AWS.
Events are built from the real AWS samples (events/aws/) with varied clusters,
services, task ARNs and versions, over one virtual day, including redeliveries, stale versions,
crash loops, Spot interruptions, ECS warnings and malformed events.

Per kind of event it prints:
- how many reached the handler (the rest were filtered by the rules before Lambda would run);
- the mean handler CPU time per event, excluding AWS calls: the handler thread's CPU time
  (time.thread_time) minus the CPU time spent between botocore's before-send and after-call of each
  call, which here is moto answering in-process (in AWS it is network wait, not Lambda CPU);
- AWS calls per event (the runtime counts the application's calls: fargate_ops_cli.local.clients.COUNTER),
  DynamoDB calls per event (mean and max).
And the goal line: an event that needs no action costs at most one DynamoDB call.
"""

from __future__ import annotations

import argparse
import contextlib
import copy
import json
import os
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import botocore.handlers

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "events" / "aws"  # the real AWS samples, copied into the project
REGION, ACCOUNT = "us-east-1", "123456789012"
ARN = f"arn:aws:ecs:{REGION}:{ACCOUNT}"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()
DAY = 86_400.0
CLUSTERS = ("prod", "stage", "batch", "edge")
SERVICES_PER_CLUSTER = 50
CRASHING = 12  # services whose tasks crash now and then (some reach a crash loop)

# kind -> weight (per 100 events). "needs no action" is decided from what the handler returned.
MIX = {
    "task stopped: scale-in / deploy": 28,
    "task stopped: crash": 8,
    "task stopped: Spot": 4,
    "task stopped: redelivered": 5,
    "task stopped: stale version": 2,
    "task running (not STOPPED)": 5,
    "service: steady state": 20,
    "service: capacity provider steady": 2,
    "service: placement failure": 2,
    "service: start impaired": 1,
    "deployment: in progress": 8,
    "deployment: completed": 4,
    "deployment: circuit breaker rollback": 1,
    "deployment: failed": 1,
    "container instance": 3,
    "alarm: ALARM": 2,
    "malformed task event": 2,
}


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SAMPLES / name).read_text())
    return loaded


def stamp(at: float, millis: bool = False) -> str:
    moment = datetime.fromtimestamp(at, UTC)
    if millis:
        return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class EventFactory:
    """Events of the mix, shaped like the samples, for many services, tasks and versions."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.seq = 0
        self.sent_tasks: list[dict[str, Any]] = []
        self.stopped = sample("ecs-task-state-change-stopped-essential-container-exited.json")
        self.running = sample("ecs-task-state-change-running-fargate.json")
        self.names = [f"{c}/svc-{i:03d}" for c in CLUSTERS for i in range(SERVICES_PER_CLUSTER)]
        self.crashing = self.names[:CRASHING]

    def _envelope(self, raw: dict[str, Any], at: float) -> dict[str, Any]:
        self.seq += 1
        event = copy.deepcopy(raw)
        event.update(id=f"bench-{self.seq:06d}", time=stamp(at), region=REGION, account=ACCOUNT)
        return event

    def _task(self, at: float, name: str, *, status: str = "STOPPED") -> dict[str, Any]:
        cluster, service = name.split("/")
        event = self._envelope(self.stopped if status == "STOPPED" else self.running, at)
        detail = event["detail"]
        task_arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task/{cluster}/{self.rng.getrandbits(128):032x}"
        detail.update(
            clusterArn=f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{cluster}",
            group=f"service:{service}",
            taskArn=task_arn,
            version=self.rng.randint(5, 9),
            updatedAt=stamp(at, millis=True),
            taskDefinitionArn=f"{ARN}:task-definition/{service}:{self.rng.randint(1, 3)}",
            startedBy="ecs-svc/1234567890123456789",
        )
        if status == "STOPPED":
            detail["stoppedAt"] = stamp(at, millis=True)
        event["resources"] = [task_arn]
        return event

    def _service(self, name: str, sample_name: str, at: float) -> dict[str, Any]:
        cluster, service = name.split("/")
        event = self._envelope(sample(sample_name), at)
        event["resources"] = [f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/{cluster}/{service}"]
        detail = event["detail"]
        if "clusterArn" in detail:
            detail["clusterArn"] = f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/{cluster}"
        for key in ("createdAt", "updatedAt"):
            if key in detail:
                detail[key] = stamp(at, millis=True)
        return event

    def make(self, kind: str, at: float) -> dict[str, Any]:
        rng = self.rng
        name = rng.choice(self.names)
        if kind == "task stopped: scale-in / deploy":
            event = self._task(at, name)
            detail = event["detail"]
            detail.update(
                stopCode="ServiceSchedulerInitiated",
                stoppedReason="Scaling activity initiated by (deployment ecs-svc/1)",
            )
            for container in detail["containers"]:
                container["exitCode"] = 0
        elif kind == "task stopped: crash":
            event = self._task(at, rng.choice(self.crashing))
            event["detail"]["containers"][1].update(exitCode=137, reason="OutOfMemoryError: Container killed")
        elif kind == "task stopped: Spot":
            event = self._task(at, name)
            event["detail"].update(
                stopCode="TerminationNotice", stoppedReason="Your Spot Task was interrupted."
            )
        elif kind == "task stopped: redelivered" and self.sent_tasks:
            return copy.deepcopy(rng.choice(self.sent_tasks[-200:]))  # same id: EventBridge's retry
        elif kind == "task stopped: stale version" and self.sent_tasks:
            event = self._envelope(rng.choice(self.sent_tasks[-200:]), at)
            event["detail"]["version"] -= 1  # an older state change of the same task, arriving late
            return event
        elif kind == "task running (not STOPPED)":
            return self._task(at, name, status="RUNNING")
        elif kind == "service: steady state":
            return self._service(name, "ecs-service-action-service-steady-state.json", at)
        elif kind == "service: capacity provider steady":
            return self._service(name, "ecs-service-action-capacity-provider-steady-state.json", at)
        elif kind == "service: placement failure":
            return self._service(
                name, "ecs-service-action-service-task-placement-failure-fargate-spot.json", at
            )
        elif kind == "service: start impaired":
            return self._service(name, "ecs-service-action-service-task-start-impaired.json", at)
        elif kind == "deployment: in progress":
            return self._service(name, "ecs-deployment-state-change-service-deployment-in-progress.json", at)
        elif kind == "deployment: completed":
            return self._service(name, "ecs-deployment-state-change-service-deployment-completed.json", at)
        elif kind == "deployment: circuit breaker rollback":
            return self._service(
                name, "ecs-deployment-state-change-service-deployment-in-progress-rollback.json", at
            )
        elif kind == "deployment: failed":
            return self._service(name, "ecs-deployment-state-change-service-deployment-failed.json", at)
        elif kind == "container instance":
            return self._envelope(sample("ecs-container-instance-state-change.json"), at)
        elif kind == "alarm: ALARM":
            return self._envelope(_alarm(rng.choice(("web-5xx", "api-latency", "queue-depth"))), at)
        elif kind == "malformed task event":
            event = self._task(at, name)
            del event["detail"]["taskArn"]
            return event
        else:  # a redelivery before anything was sent: a normal stop instead
            return self.make("task stopped: scale-in / deploy", at)
        self.sent_tasks.append(event)
        return event


def _alarm(name: str) -> dict[str, Any]:
    return {
        "version": "0",
        "id": "",
        "detail-type": "CloudWatch Alarm State Change",
        "source": "aws.cloudwatch",
        "account": ACCOUNT,
        "time": "",
        "region": REGION,
        "resources": [f"arn:aws:cloudwatch:{REGION}:{ACCOUNT}:alarm:{name}"],
        "detail": {
            "alarmName": name,
            "state": {
                "value": "ALARM",
                "reason": "Threshold Crossed",
                "timestamp": "2026-01-05T09:00:00.000+0000",
            },
            "previousState": {"value": "OK", "reason": "ok", "timestamp": "2026-01-05T08:00:00.000+0000"},
            "configuration": {"metrics": []},
        },
    }


# moto's speed ----------------------------------------------------------------------------------------


@contextlib.contextmanager
def item_level_transaction_backup() -> Iterator[None]:
    """Two of moto 5.2.5's DynamoDB shortcuts make a 10,000-event replay quadratic (hours): TransactWriteItems
    deep-copies every table it touches (its rollback), and Query sorts the whole table to find one
    partition. Here the rollback keeps only the items the transaction names, and Query sees only its
    partition. Only moto gets faster: the handler's calls and results are the same, and the measured
    handler CPU excludes the time inside AWS calls anyway."""
    import moto.dynamodb.models as models
    from moto.dynamodb.models.dynamo_type import DynamoType
    from moto.dynamodb.models.table import Table

    real = models.DynamoDBBackend.transact_write_items

    class TablesByReference:  # stands in for the module's `copy` during one transaction
        @staticmethod
        def deepcopy(value: Any, memo: Any = None) -> Any:
            return value if isinstance(value, Table) else copy.deepcopy(value, memo)

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        backup = []
        for entry in transact_items:
            _, op = next(iter(entry.items()))
            table = self.tables.get(op.get("TableName"))
            key = op.get("Key") or op.get("Item") or {}
            if table is None or table.range_key_attr is None or table.hash_key_attr not in key:
                continue
            hash_key, range_key = DynamoType(key[table.hash_key_attr]), DynamoType(key[table.range_key_attr])
            backup.append((table, hash_key, range_key, copy.deepcopy(table.items[hash_key].get(range_key))))
        module_copy = getattr(models, "copy")  # noqa: B009 - the module's own `import copy`
        setattr(models, "copy", TablesByReference)  # noqa: B010
        try:
            real(self, transact_items)
        except Exception:
            for table, hash_key, range_key, item in reversed(backup):
                if item is None:
                    table.items[hash_key].pop(range_key, None)
                else:
                    table.items[hash_key][range_key] = item
            raise
        finally:
            setattr(models, "copy", module_copy)  # noqa: B010

    real_query = Table.query

    def query(self: Any, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        # moto's Query sorts the whole table to find one partition's items; give it just the partition.
        if kwargs.get("index_name") is None and self.range_key_attr is not None and hash_key is not None:
            partition = list(self.items.get(hash_key, {}).values())
            self.all_items = lambda: sorted(partition, key=lambda item: item.range_key)
            try:
                return real_query(self, hash_key, *args, **kwargs)
            finally:
                del self.all_items
        return real_query(self, hash_key, *args, **kwargs)

    models.DynamoDBBackend.transact_write_items = transact_write_items  # type: ignore[method-assign]
    Table.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        models.DynamoDBBackend.transact_write_items = real  # type: ignore[method-assign]
        Table.query = real_query  # type: ignore[method-assign]


# measuring -----------------------------------------------------------------------------------------


class AwsCpu:
    """CPU time of the handler thread spent inside botocore calls (before-send .. after-call)."""

    def __init__(self) -> None:
        self.inside_handler = False
        self.spent = 0.0
        self._started: float | None = None

    def before_send(self, **_: Any) -> None:
        if self.inside_handler and self._started is None:
            self._started = time.thread_time()

    def after_call(self, **_: Any) -> None:
        if self._started is not None:
            self.spent += time.thread_time() - self._started
            self._started = None


@dataclass
class KindStats:
    events: int = 0
    delivered: int = 0
    no_action: int = 0
    cpu: list[float] = field(default_factory=list)
    calls: Counter[str] = field(default_factory=Counter)
    ddb_per_event: list[int] = field(default_factory=list)
    ddb_no_action: list[int] = field(default_factory=list)
    outcomes: Counter[str] = field(default_factory=Counter)


def run(count: int, seed: int) -> dict[str, Any]:
    aws = AwsCpu()
    # Before any client exists: first in line before moto's own before-send stubber.
    botocore.handlers.BUILTIN_HANDLERS.insert(0, ("before-send", aws.before_send))
    botocore.handlers.BUILTIN_HANDLERS.append(("after-call", aws.after_call))
    os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "FargateOps")

    from fargate_ops.reactions.outcome import Outcome
    from fargate_ops_cli.local.clients import COUNTER
    from fargate_ops_cli.local.runtime import LocalRuntime
    from fargate_ops_cli.local.stack import REPO_ROOT

    factory = EventFactory(seed)
    kinds = list(MIX)
    weights = [MIX[k] for k in kinds]
    stats: dict[str, KindStats] = defaultdict(KindStats)
    current: dict[str, Any] = {}
    began = time.perf_counter()
    with LocalRuntime(REPO_ROOT, start=T0, region=REGION) as runtime, item_level_transaction_backup():
        runtime.deploy_stack()
        runtime.lambdas.keep_events = False
        setup_seconds = time.perf_counter() - began

        def timed(original: Any) -> Any:
            def handler(event: Any, context: Any) -> Any:
                aws.spent, aws.inside_handler = 0.0, True
                started = time.thread_time()
                try:
                    result = original(event, context)
                finally:
                    aws.inside_handler = False
                current["cpu"] = time.thread_time() - started - aws.spent
                current["result"] = result
                return result

            return handler

        # Warm up (the first invocation imports the handler), then time every handler call.
        runtime.bus.put(factory.make("service: steady state", T0))
        runtime.clock.run_until(T0)
        module = next(m for key, m in runtime.lambdas._modules.items() if "ecs_events" in key)
        setattr(module, "lambda_handler", timed(getattr(module, "lambda_handler")))  # noqa: B009, B010
        replay_began = time.perf_counter()
        for i in range(count):
            at = T0 + i * DAY / count
            runtime.clock.run_until(at)
            kind = factory.rng.choices(kinds, weights)[0]
            event = factory.make(kind, at)
            before = dict(COUNTER.counts)
            current.clear()
            runtime.bus.put(event)
            runtime.clock.run_until(at)
            calls = Counter(
                {k: v - before.get(k, 0) for k, v in COUNTER.counts.items() if v != before.get(k, 0)}
            )
            kind_stats = stats[kind]
            kind_stats.events += 1
            ddb = sum(v for k, v in calls.items() if k.startswith("dynamodb:"))
            if "result" in current:
                result = current["result"]
                kind_stats.delivered += 1
                kind_stats.cpu.append(current["cpu"])
                kind_stats.calls.update(calls)
                kind_stats.ddb_per_event.append(ddb)
                reaction = result.get("reaction")
                outcome = result.get("outcome", "")
                kind_stats.outcomes[(reaction or outcome).split(":")[0]] += 1
                if reaction is None and not Outcome.parse(outcome).acted_on:
                    kind_stats.no_action += 1
                    kind_stats.ddb_no_action.append(ddb)
            else:  # the rules filtered it: Lambda never ran
                kind_stats.no_action += 1
                kind_stats.ddb_no_action.append(ddb)
        replay_seconds = time.perf_counter() - replay_began
    return {
        "events": count,
        "seed": seed,
        "setup_seconds": round(setup_seconds, 1),
        "replay_seconds": round(replay_seconds, 1),
        "kinds": {kind: stats[kind] for kind in kinds if kind in stats},
    }


def report(result: dict[str, Any]) -> dict[str, Any]:
    rows = []
    all_cpu: list[float] = []
    no_action_max = 0
    no_action_events = 0
    for kind, s in result["kinds"].items():
        all_cpu += s.cpu
        no_action_events += s.no_action
        if s.ddb_no_action:
            no_action_max = max(no_action_max, max(s.ddb_no_action))
        delivered = max(s.delivered, 1)
        rows.append(
            {
                "kind": kind,
                "events": s.events,
                "delivered": s.delivered,
                "no_action": s.no_action,
                "cpu_ms_mean": round(1000 * statistics.fmean(s.cpu), 3) if s.cpu else None,
                "aws_calls_per_event": round(sum(s.calls.values()) / delivered, 2) if s.delivered else 0.0,
                "dynamodb_calls_mean": round(statistics.fmean(s.ddb_per_event), 2)
                if s.ddb_per_event
                else 0.0,
                "dynamodb_calls_max": max(s.ddb_per_event, default=0),
                "calls": dict(sorted((k, round(v / delivered, 3)) for k, v in s.calls.items())),
                "outcomes": dict(s.outcomes.most_common(3)),
            }
        )
    return {
        "events": result["events"],
        "seed": result["seed"],
        "setup_seconds": result["setup_seconds"],
        "replay_seconds": result["replay_seconds"],
        "handler_cpu_ms_mean": round(1000 * statistics.fmean(all_cpu), 3) if all_cpu else None,
        "handler_cpu_ms_p95": round(1000 * statistics.quantiles(all_cpu, n=20)[-1], 3)
        if len(all_cpu) > 20
        else None,
        "no_action_events": no_action_events,
        "no_action_dynamodb_calls_max": no_action_max,
        "goal_met": no_action_max <= 1,
        "kinds": rows,
    }


def print_text(doc: dict[str, Any]) -> None:
    print(
        f"{doc['events']} events (seed {doc['seed']}) replayed through the ECS events handler in the local "
        f"runtime in {doc['replay_seconds']} s (stack deployed in {doc['setup_seconds']} s)"
    )
    print(
        f"mean handler CPU per delivered event, excluding AWS calls: {doc['handler_cpu_ms_mean']} ms "
        f"(p95 {doc['handler_cpu_ms_p95']} ms)"
    )
    print()
    columns = ("events", "handled", "CPU ms", "AWS/ev", "DDB/ev", "DDB max")
    header = f"{'kind':<38} " + " ".join(f"{c:>7}" for c in columns) + "  calls per handled event"
    print(header)
    print("-" * len(header))
    for row in doc["kinds"]:
        cpu = f"{row['cpu_ms_mean']:.3f}" if row["cpu_ms_mean"] is not None else "-"
        calls = ", ".join(f"{k} {v:g}" for k, v in row["calls"].items())
        calls = calls or ("no AWS call" if row["delivered"] else "none: the rule filtered it out")
        print(
            f"{row['kind']:<38} {row['events']:>7} {row['delivered']:>7} {cpu:>7} "
            f"{row['aws_calls_per_event']:>7} {row['dynamodb_calls_mean']:>7} "
            f"{row['dynamodb_calls_max']:>7}  {calls}"
        )
    print()
    verdict = "met" if doc["goal_met"] else "NOT met"
    print(
        f"goal: <= 1 DynamoDB call for an event that needs no action: {verdict} "
        f"({doc['no_action_events']} such events, at most {doc['no_action_dynamodb_calls_max']} "
        "DynamoDB call each)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = parser.parse_args()
    doc = report(run(args.events, args.seed))
    if args.json:
        json.dump(doc, sys.stdout, indent=2)
        sys.stdout.write("\n")
    else:
        print_text(doc)
    sys.exit(0 if doc["goal_met"] else 1)


if __name__ == "__main__":
    main()
