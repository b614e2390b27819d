"""EventBridge delivery to Lambda and Step Functions targets, which moto's put_events cannot do.

Events are matched against the deployed rules' own patterns with moto's matcher (the same code that
answers TestEventPattern), so a pattern that filters too much or too little in template.yaml filters
the same way here. Delivery to Lambda is asynchronous, as in AWS: it is queued on the clock, and a
failed invocation is retried twice (after 1 and 2 minutes) before it goes to the dead letters.
With `parallel` (a scenario's `concurrency: {parallel_deliveries: true}`), each delivery runs on a
clock thread of its own, so deliveries due at one instant are concurrent invocations, as EventBridge
makes them for one service's events.
"""

from __future__ import annotations

import functools
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from fargate_ops_cli.local.clients import ClientFactory, as_world
from fargate_ops_cli.local.clock import VirtualClock

ASYNC_RETRY_DELAYS = (60.0, 120.0)  # Lambda's asynchronous invocation retries


@dataclass
class _Rule:
    name: str
    pattern: Any  # moto EventPattern
    targets: list[dict[str, Any]]


@dataclass
class Delivery:
    at: float
    event_id: str
    detail_type: str
    rule: str
    target: str
    attempt: int
    ok: bool


@dataclass
class EventBus:
    clock: VirtualClock
    clients: ClientFactory
    invoke_lambda: Callable[[str, Any], tuple[bool, str]]  # (function ARN, event) -> (ok, error)
    start_execution: Callable[[str, str], None]  # (state machine ARN, input JSON)
    events: list[dict[str, Any]] = field(default_factory=list)
    deliveries: list[Delivery] = field(default_factory=list)
    dead_letters: list[dict[str, Any]] = field(default_factory=list)
    _rules: list[_Rule] | None = None
    _seq: int = 0
    parallel: bool = False  # each delivery on a thread of its own (a scenario's concurrency)

    def __post_init__(self) -> None:
        self._book = threading.Lock()  # deliveries may now finish on several threads at once

    def _later(self, delay: float, fn: Callable[[], None], label: str) -> None:
        if self.parallel:
            self.clock.start_later(delay, fn, label)
        else:
            self.clock.call_later(delay, fn, label)

    def load_rules(self) -> None:
        from moto.events.models import EventPattern

        rules: list[_Rule] = []
        with as_world():
            events = self.clients.client("events")
            for page in events.get_paginator("list_rules").paginate():
                for rule in page["Rules"]:
                    if rule.get("State", "ENABLED") != "ENABLED" or "EventPattern" not in rule:
                        continue
                    targets = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
                    rules.append(_Rule(rule["Name"], EventPattern.load(rule["EventPattern"]), targets))
        self._rules = rules

    def emit(
        self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]
    ) -> dict[str, Any]:
        """What AWS services put on the default bus: an envelope around `detail`, then delivery."""
        self._seq += 1
        event = {
            "version": "0",
            "id": str(uuid.UUID(int=self._seq)),
            "detail-type": detail_type,
            "source": source,
            "account": self.clients.account_id,
            "time": datetime.fromtimestamp(self.clock.now(), UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self.clients.region,
            "resources": resources,
            "detail": detail,
        }
        self.put(event)
        return event

    def put(self, event: dict[str, Any]) -> None:
        """Deliver an already-built event (a scenario's `send_event`, duplicates, replays)."""
        if self._rules is None:
            self.load_rules()
        assert self._rules is not None
        self.events.append(event)
        for rule in self._rules:
            if rule.pattern.matches_event(event):
                for target in rule.targets:
                    self._later(
                        0, functools.partial(self._deliver, rule, target, event, 0), f"deliver {rule.name}"
                    )

    def _deliver(self, rule: _Rule, target: dict[str, Any], event: dict[str, Any], attempt: int) -> None:
        arn = target["Arn"]
        payload = _target_input(target, event)
        if ":lambda:" in arn:
            ok, error = self.invoke_lambda(arn, payload)
        elif ":states:" in arn:
            self.start_execution(arn, json.dumps(payload))
            ok, error = True, ""
        else:  # SQS, SNS... nothing in this application reads them from the bus
            ok, error = True, ""
        with self._book:
            self.deliveries.append(
                Delivery(self.clock.now(), event["id"], event["detail-type"], rule.name, arn, attempt, ok)
            )
            if not ok and attempt >= len(ASYNC_RETRY_DELAYS):
                self.dead_letters.append({"rule": rule.name, "target": arn, "event": event, "error": error})
        if not ok and attempt < len(ASYNC_RETRY_DELAYS):
            self._later(
                ASYNC_RETRY_DELAYS[attempt],
                functools.partial(self._deliver, rule, target, event, attempt + 1),
                f"retry {rule.name}",
            )


def _target_input(target: dict[str, Any], event: dict[str, Any]) -> Any:
    if "Input" in target:
        return json.loads(target["Input"])
    if "InputPath" in target:
        value: Any = event
        for part in target["InputPath"].removeprefix("$").strip(".").split("."):
            if part:
                value = value[part]
        return value
    return event
