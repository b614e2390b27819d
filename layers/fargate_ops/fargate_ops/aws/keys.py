"""The single table's key schema, in one place: every item's ``pk`` and ``sk`` (docs/architecture.md).

The store, the timeline store, the CLI and the local runtime's invariants all build keys here; nothing
else spells ``DEPLOY#`` or ``WAIT``.

| item | pk | sk |
| --- | --- | --- |
| application | ``APP#<cluster>#<app>`` | ``META`` |
| lease | ``APP#<cluster>#<app>`` | ``LEASE`` |
| deploy record | ``DEPLOY#<deploy_id>`` | ``META`` |
| wait | ``SERVICE#<cluster>#<service>`` | ``WAIT`` |
| service→application | ``SERVICE#<cluster>#<service>`` | ``APP`` |
| listener→application | ``LISTENER#<listener or rule ARN>`` | ``APP`` |
| reactions state | ``SERVICE#<cluster>#<service>`` | ``REACTIONS`` |
| alarm watch | ``ALARM#<alarm name>`` | ``WATCH`` |
| timeline entry | ``TIMELINE#<cluster>#<service>`` | ``<ISO time>#<event key>`` |
| task version guard | ``TASK#<task ARN>`` | ``VERSION`` |
| idempotency | ``EVENT#<event key>`` | ``SEEN`` |
| scaling schedule | ``SCHEDULES`` | ``SCHEDULE#<name>`` (one partition: Query lists them all) |
| scaling override | ``SCALING#<cluster>`` | ``OVERRIDE#<service>`` |
| scaling state | ``SCALING#<cluster>`` | ``STATE#<service>`` (what the service had before, last action) |
| reconciler's edge | ``SCHEDULES`` | ``EDGE`` (the one-time schedule it keeps) |
| cleanup mark (what takes no tag) | ``CLEANUP#MARK`` | ``<kind>#<resource>`` |
| cleanup continuation issued | ``CLEANUP#CONTINUATION`` | ``<token digest>`` |
"""

from __future__ import annotations

from typing import Any

from fargate_ops import clock

# sort keys
META = "META"
LEASE = "LEASE"
WAIT = "WAIT"
APP = "APP"
REACTIONS = "REACTIONS"
WATCH = "WATCH"
VERSION = "VERSION"
SEEN = "SEEN"
EDGE = "EDGE"
# Schedules are few (tens) and read together every reconcile run: one partition, one Query.
SCHEDULES = "SCHEDULES"

# partition keys with no variable part
CLEANUP_MARKS = "CLEANUP#MARK"
CLEANUP_CONTINUATIONS = "CLEANUP#CONTINUATION"


def application(cluster: str, application: str) -> str:
    return f"APP#{cluster}#{application}"


def service(cluster: str, service: str) -> str:
    return f"SERVICE#{cluster}#{service}"


def scaling(cluster: str) -> str:
    """The reconciler's items of one cluster's services (overrides, states): one Query reads them all,
    however many services a cluster has (a Query per service cost 10x the run's lower bound)."""
    return f"SCALING#{cluster}"


def scaling_override(service: str) -> str:
    return f"OVERRIDE#{service}"


def scaling_state(service: str) -> str:
    return f"STATE#{service}"


def listener(listener_arn: str) -> str:
    """A listener or listener rule a deploy shifts: its ``APP`` item names the one application it serves."""
    return f"LISTENER#{listener_arn}"


def deploy(deploy_id: str) -> str:
    return f"DEPLOY#{deploy_id}"


def alarm(alarm_name: str) -> str:
    return f"ALARM#{alarm_name}"


def event(event_key: str) -> str:
    return f"EVENT#{event_key}"


def timeline(cluster: str, service: str) -> str:
    return f"TIMELINE#{cluster}#{service}"


def timeline_entry(at: float, event_key: str) -> str:
    # ISO 8601 UTC with milliseconds sorts as text in time order: Query can go newest first.
    return f"{clock.iso(at)}#{event_key}"


def schedule(name: str) -> str:
    """The sort key of a scaling schedule in the ``SCHEDULES`` partition."""
    return f"SCHEDULE#{name}"


def cleanup_mark(kind: str, resource: str) -> str:
    """The sort key of a cleanup mark (ECR images and the table's own items take no tags)."""
    return f"{kind}#{resource}"


def task(task_arn: str) -> str:
    return f"TASK#{task_arn}"


# What an idempotency item (``event(...)``) remembers, per kind of event.


def abnormal_stop_seen(task_arn: str) -> str:
    """One task is one abnormal stop: its decision event and its STOPPED event (and their duplicates)."""
    return f"TASK#{task_arn}#abnormal"


def service_action_seen(event_id: str) -> str:
    return f"SERVICE_ACTION#{event_id}"  # Service Action events have no version


def deployment_seen(event_id: str) -> str:
    return f"DEPLOYMENT#{event_id}"


def alarm_seen(event_id: str) -> str:
    return f"ALARM#{event_id}"


def watch_seen(event_id: str) -> str:
    """A task event without a version, on the watch side."""
    return f"REACTIONS#{event_id}"


def key(pk: str, sk: str) -> dict[str, Any]:
    """The low-level ``Key`` of GetItem, UpdateItem and DeleteItem."""
    return {"pk": {"S": pk}, "sk": {"S": sk}}
