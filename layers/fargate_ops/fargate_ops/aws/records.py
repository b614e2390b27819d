"""The items of the single table, as typed records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import field
from typing import Any

from fargate_ops.aws import keys
from fargate_ops.frozen import frozen


@frozen
class ApplicationRecord:
    cluster: str
    application: str
    slots: tuple[str, str]
    listener_arn: str
    target_groups: dict[str, str] = field(default_factory=dict)  # service -> target group ARN
    live_slot: str | None = None
    last_deploy_id: str | None = None

    def item(self) -> dict[str, Any]:
        return {
            "pk": keys.application(self.cluster, self.application),
            "sk": keys.META,
            "cluster": self.cluster,
            "application": self.application,
            "slots": list(self.slots),
            "listener_arn": self.listener_arn,
            "target_groups": self.target_groups,
            "live_slot": self.live_slot,
            "last_deploy_id": self.last_deploy_id,
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> ApplicationRecord:
        slots = list(item.get("slots", []))
        return cls(
            cluster=item["cluster"],
            application=item["application"],
            slots=(slots[0], slots[1]),
            listener_arn=item["listener_arn"],
            target_groups=dict(item.get("target_groups", {})),
            live_slot=item.get("live_slot"),
            last_deploy_id=item.get("last_deploy_id"),
        )


@frozen
class WaitRecord:
    """A waiting deploy step: what it waits for on which service, and the evidence gathered so far."""

    cluster: str
    service: str
    task_token: str
    deploy_id: str
    awaiting: str
    task_definition: str
    since: float
    expires_at: int
    abnormal_stops: int = 0
    stops: tuple[dict[str, Any], ...] = ()
    service_events: tuple[dict[str, Any], ...] = ()

    def item(self) -> dict[str, Any]:
        return {
            "pk": keys.service(self.cluster, self.service),
            "sk": keys.WAIT,
            "cluster": self.cluster,
            "service": self.service,
            "task_token": self.task_token,
            "deploy_id": self.deploy_id,
            "awaiting": self.awaiting,
            "task_definition": self.task_definition,
            "since": self.since,
            "expires_at": self.expires_at,
            "abnormal_stops": self.abnormal_stops,
            "stops": list(self.stops),
            "service_events": list(self.service_events),
        }

    @classmethod
    def from_item(cls, item: Mapping[str, Any]) -> WaitRecord:
        return cls(
            cluster=item["cluster"],
            service=item["service"],
            task_token=item["task_token"],
            deploy_id=item["deploy_id"],
            awaiting=item.get("awaiting", "steady_state"),
            task_definition=item.get("task_definition", ""),
            since=float(item.get("since", 0)),
            expires_at=int(item.get("expires_at", 0)),
            abnormal_stops=int(item.get("abnormal_stops", 0)),
            stops=tuple(item.get("stops", [])),
            service_events=tuple(item.get("service_events", [])),
        )


@frozen
class Lease:
    deploy_id: str
    lease_expires_at: float
    execution: str | None = None  # the execution that holds it (leases written before it was kept: None)
