"""What people read: one alert rendered as a subject, a short text and a structured JSON body.

One SNS message serves every subscriber (``MessageStructure=json``):
- ``default`` (SQS, Lambda, email-json, scripts): the AWS Chatbot custom-notification fields plus a
  ``fargate_ops`` object with the structured facts;
- ``https`` (AWS Chatbot / Amazon Q Developer in chat applications): only the custom-notification fields;
- ``email``: the text, then the structured facts as indented JSON.
Pure: times come in as epoch seconds, the caller supplies the notification id and the task definition.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from fargate_ops.domain.alert_state import (
    CONFIGURATION_FAILURE,
    PLACEMENT_FAILURE,
    START_IMPAIRED,
    Alert,
    AlertKind,
)
from fargate_ops.domain.subjects import compose
from fargate_ops.frozen import frozen

ORIGIN = "reactions"
EVENT_TYPES = {
    AlertKind.CRASH_LOOP: "CrashLoop",
    AlertKind.SERVICE_EVENT: "ServiceEvent",
    AlertKind.CIRCUIT_BREAKER: "CircuitBreaker",
    AlertKind.SPOT: "SpotInterruptions",
}
SERVICE_EVENT_WORDS = {
    PLACEMENT_FAILURE: "ECS cannot place tasks",
    START_IMPAIRED: "ECS cannot start tasks consistently",
    CONFIGURATION_FAILURE: "ECS rejects the task configuration",
}


@frozen
class ServiceRef:
    cluster: str
    service: str
    region: str | None = None
    account: str | None = None

    @property
    def arn(self) -> str | None:
        if not (self.region and self.account):
            return None
        return f"arn:aws:ecs:{self.region}:{self.account}:service/{self.cluster}/{self.service}"

    @property
    def name(self) -> str:
        return f"{self.cluster}/{self.service}"


@frozen
class LogLink:
    container: str
    url: str | None
    note: str

    def as_dict(self) -> dict[str, Any]:
        return {"container": self.container, "url": self.url, "note": self.note}


@frozen
class Notification:
    id: str
    kind: AlertKind
    subject: str
    text: str
    facts: Mapping[str, Any] = field(default_factory=dict)
    next_steps: Sequence[str] = ()
    service: ServiceRef | None = None

    def chatbot(self) -> dict[str, Any]:
        """AWS Chatbot's custom notification schema (version 1.0, source custom)."""
        ref = self.service
        context = {"cluster": ref.cluster, "service": ref.service} if ref else {}
        return {
            "version": "1.0",
            "source": "custom",
            "id": self.id,
            "content": {
                "textType": "client-markdown",
                "title": self.subject,
                "description": self.text,
                "nextSteps": list(self.next_steps),
                "keywords": ["fargate-ops", str(self.kind), *(context.values())],
            },
            "metadata": {
                "threadId": f"fargate-ops/{ref.name}" if ref else "fargate-ops",
                "summary": self.subject,
                "eventType": EVENT_TYPES[self.kind],
                "relatedResources": [ref.arn] if ref and ref.arn else [],
                "additionalContext": context,
            },
        }

    def body(self) -> dict[str, Any]:
        """The ``default`` message: the Chatbot fields plus the structured facts under ``fargate_ops``."""
        return {**self.chatbot(), "fargate_ops": self.structured()}

    def structured(self) -> dict[str, Any]:
        ref = self.service
        return {
            "origin": ORIGIN,
            "id": self.id,
            "kind": str(self.kind),
            "cluster": ref.cluster if ref else None,
            "service": ref.service if ref else None,
            "service_arn": ref.arn if ref else None,
            "subject": self.subject,
            "text": self.text,
            **self.facts,
        }

    def sns_message(self) -> str:
        """The ``Message`` for SNS Publish with ``MessageStructure=json``."""
        return json.dumps(
            {
                "default": json.dumps(self.body(), default=str, sort_keys=True),
                "https": json.dumps(self.chatbot(), default=str, sort_keys=True),
                "email": self.text
                + "\n\n-- details --\n"
                + json.dumps(self.structured(), default=str, indent=2, sort_keys=True),
            }
        )


def iso(epoch: float | None) -> str | None:
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, tz=UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _minutes(seconds: float) -> str:
    return f"{seconds / 60:g} minutes" if seconds >= 120 else f"{seconds:g} seconds"


# logs --------------------------------------------------------------------------------------------


def console_log_url(region: str, group: str, stream: str | None) -> str:
    """The CloudWatch console's link to a log group (and stream): names are URL-encoded, then '%' -> '$25'."""

    def encode(text: str) -> str:
        return quote(text, safe="").replace("%", "$25")

    url = f"https://{region}.console.aws.amazon.com/cloudwatch/home?region={region}#logsV2:log-groups/log-group/"
    url += encode(group)
    if stream:
        url += "/log-events/" + encode(stream)
    return url


def log_link(
    task_definition: Mapping[str, Any] | None, container: str, task_id: str, region: str | None
) -> LogLink:
    """Where a container of a task logs, from its task definition's ``logConfiguration``."""
    if task_definition is None:
        return LogLink(container, None, "logs: the task definition could not be read")
    definition = next(
        (c for c in task_definition.get("containerDefinitions", []) if c.get("name") == container), None
    )
    config = (definition or {}).get("logConfiguration") or {}
    driver = config.get("logDriver")
    if driver != "awslogs":
        why = f"the {driver} log driver" if driver else "no log configuration"
        return LogLink(
            container, None, f"logs are not configured in CloudWatch Logs ({container} uses {why})"
        )
    options = config.get("options") or {}
    group = options.get("awslogs-group")
    where = options.get("awslogs-region") or region
    if not group or not where:
        return LogLink(container, None, "logs: awslogs without a log group or region")
    prefix = options.get("awslogs-stream-prefix")
    # ECS names the stream <prefix>/<container>/<task id> only when a prefix is set.
    stream = f"{prefix}/{container}/{task_id}" if prefix else None
    note = (
        f"logs: {group} {stream}" if stream else f"logs: {group} (no stream prefix: find the task's stream)"
    )
    return LogLink(container, console_log_url(where, group, stream), note)


# rendering ---------------------------------------------------------------------------------------


def _failing(evidence: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    containers = list(evidence.get("containers") or [])
    failing = [c for c in containers if c.get("exit_code") != 0]
    return failing or containers


def describe_failure(evidence: Mapping[str, Any]) -> str:
    """``app exit 137 (OutOfMemoryError: ...)``, or the stop reason when no container says more."""
    parts = []
    for container in _failing(evidence):
        code = container.get("exit_code")
        text = (
            f"{container.get('name')} exit {code}" if code is not None else f"{container.get('name')} no exit"
        )
        if container.get("reason"):
            text += f" ({container['reason']})"
        parts.append(text)
    return "; ".join(parts) or str(evidence.get("stopped_reason") or evidence.get("stop_code") or "stopped")


def describe_stop(evidence: Mapping[str, Any]) -> str:
    task = str(evidence.get("task_id") or "")[:12]
    line = f"{evidence.get('at')} task {task} ({evidence.get('revision')}): {evidence.get('stop_code')}"
    if evidence.get("stopped_reason"):
        line += f" - {evidence['stopped_reason']}"
    return f"{line}; {describe_failure(evidence)}"


def _images(stops: Sequence[Mapping[str, Any]]) -> list[str]:
    seen: dict[str, None] = {}
    for stop in stops:
        for container in _failing(stop):
            if container.get("image"):
                digest = container.get("image_digest")
                seen[f"{container['image']}" + (f" @ {digest}" if digest else "")] = None
    return list(seen)


def render(
    alert: Alert,
    ref: ServiceRef,
    *,
    notification_id: str,
    now: float,
    suppressed_before: int = 0,
    per_hour: int = 0,
    logs: LogLink | None = None,
) -> Notification:
    facts: dict[str, Any] = {"at": iso(now), "key": alert.key, **dict(alert.facts)}
    if logs is not None:
        facts["logs"] = logs.as_dict()
    if suppressed_before:
        facts["suppressed_before"] = suppressed_before
    next_steps = [f"fargate-ops events {ref.name} --since 1h"]
    if alert.kind is AlertKind.CRASH_LOOP:
        subject, lines = _crash_loop(alert, ref, logs)
    elif alert.kind is AlertKind.SERVICE_EVENT:
        subject, lines = _service_event(alert, ref)
        facts["at_event"] = iso(alert.facts.get("at"))
    elif alert.kind is AlertKind.CIRCUIT_BREAKER:
        subject, lines = _circuit_breaker(alert, ref)
        facts["at_event"] = iso(alert.facts.get("at"))
    else:
        subject, lines = _spot(alert, ref)
    next_steps.append(f"aws ecs describe-services --cluster {ref.cluster} --services {ref.service}")
    if suppressed_before:
        lines.append(
            f"({suppressed_before} earlier notification(s) for this service were held back: "
            f"at most {per_hour} per hour)"
        )
    lines.append(f"Timeline: fargate-ops events {ref.name} --since 1h")
    return Notification(
        id=notification_id,
        kind=alert.kind,
        subject=compose(f"{ref.service} in {ref.cluster}", subject),
        text="\n".join(lines),
        facts=facts,
        next_steps=next_steps,
        service=ref,
    )


def _crash_loop(alert: Alert, ref: ServiceRef, logs: LogLink | None) -> tuple[str, list[str]]:
    facts = alert.facts
    latest: Mapping[str, Any] = facts.get("latest") or {}
    stops: list[Mapping[str, Any]] = list(facts.get("stops") or [])
    failure = describe_failure(latest)
    window = _minutes(float(facts.get("window_seconds") or 0))
    if facts.get("new_evidence"):
        subject = f" still crash-looping, new evidence: {failure}"
        opening = f"{ref.service} ({ref.cluster}) is still crash-looping, and its tasks now fail differently."
    elif facts.get("ecs_event"):
        subject = f" is crash-looping: {failure}"
        opening = (
            f"{ref.service} ({ref.cluster}) is crash-looping: ECS reports {facts['ecs_event']} after "
            f"{len(stops)} abnormal task stop(s)."
        )
    else:
        subject = f" is crash-looping: {failure}"
        opening = (
            f"{ref.service} ({ref.cluster}) is crash-looping: {facts.get('abnormal_stops')} abnormal task "
            f"stops within {window} (threshold {facts.get('threshold')})."
        )
    lines = [opening, "", f"Latest: {describe_stop(latest)}"]
    images = _images([latest])
    if images:
        lines.append(f"Image: {', '.join(images)}")
    if latest.get("task_definition"):
        lines.append(f"Task definition: {latest['task_definition']}")
    if logs is not None:
        lines.append(f"Logs: {logs.url}" if logs.url else f"Logs: {logs.note}")
    earlier = [s for s in stops if s.get("task_id") != latest.get("task_id")]
    if earlier:
        lines.append("Earlier stops:")
        lines += [f"  {describe_stop(s)}" for s in earlier[-5:]]
    lines += [
        "",
        f"fargate-ops stays quiet about this crash loop until {ref.service} reaches steady state and runs "
        f"{window} without an abnormal stop, or its tasks fail in a new way.",
    ]
    return subject, lines


def _service_event(alert: Alert, ref: ServiceRef) -> tuple[str, list[str]]:
    name = str(alert.facts.get("event_name"))
    reason = alert.facts.get("reason")
    words = SERVICE_EVENT_WORDS.get(name, name)
    subject = f": {words}" + (f" ({reason})" if reason else "")
    lines = [
        f"ECS reported {name} for {ref.service} ({ref.cluster}) at {iso(alert.facts.get('at'))}"
        + (f": {reason}." if reason else "."),
        "",
        f"fargate-ops tells this once; it stays quiet about {name} until {ref.service} reaches steady state.",
    ]
    return subject, lines


def _circuit_breaker(alert: Alert, ref: ServiceRef) -> tuple[str, list[str]]:
    facts = alert.facts
    deployment = facts.get("deployment_id") or "?"
    if facts.get("event_name") == "SERVICE_DEPLOYMENT_FAILED":
        subject = f": deployment failed ({deployment})"
    else:
        subject = f": circuit breaker rolling back ({deployment})"
    lines = [
        f"ECS reported {facts.get('event_name')} for {ref.service} ({ref.cluster}) "
        f"at {iso(facts.get('at'))}: {facts.get('reason') or 'no reason given'}",
        "",
        f"fargate-ops tells this once; it stays quiet about rollbacks until {ref.service} reaches "
        "steady state.",
    ]
    return subject, lines


def _spot(alert: Alert, ref: ServiceRef) -> tuple[str, list[str]]:
    facts = alert.facts
    window = _minutes(float(facts.get("window_seconds") or 0))
    count = facts.get("interruptions")
    subject = f": {count} Fargate Spot interruptions within {window}"
    lines = [
        f"Fargate Spot reclaimed {count} tasks of {ref.service} ({ref.cluster}) within {window} "
        f"(alert at {facts.get('threshold')}). ECS replaces them; if this persists, consider more FARGATE "
        "(on-demand) weight in the capacity provider strategy.",
    ]
    return subject, lines
