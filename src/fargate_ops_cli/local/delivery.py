"""Scenario helpers for event delivery: EventBridge's duplicates and reordering on purpose, and real AWS
sample events re-addressed to the simulated world.

EventBridge delivers at least once and in no particular order; ECS may also send one state change twice.
`UnreliableBus` stands between the simulator and the runtime's bus: every event the world emits is put
on the bus `copies` times (same id), each after a seeded random delay, so handlers see duplicates and
late, out-of-order events exactly as a scenario asks, the same way on every run. With parallel
deliveries (a scenario's `concurrency:`), each delay is a whole number of the world's reconcile steps
(`step_seconds`): the world emits on that grid, so copies often arrive at the same instant as other
events, and run beside them as concurrent invocations.
"""

from __future__ import annotations

import copy
import functools
import random
import re
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fargate_ops_cli.local.scenario import EventDelivery
    from fargate_ops_cli.local.world.provision import ProvisionedWorld

# Ids of events built here never collide with the bus's own (uuid(int=1), uuid(int=2), ...).
_ID_BASE = 1 << 96


class UnreliableBus:
    """An event sink (`emit`) in front of the runtime's bus (`put`), on the runtime's clock."""

    def __init__(
        self,
        bus: Any,
        clock: Any,
        delivery: EventDelivery,
        region: str,
        account_id: str,
        step_seconds: float = 0.0,
    ) -> None:
        self._bus = bus
        self._step = step_seconds
        self._clock = clock
        self._delivery = delivery
        self._rng = random.Random(delivery.seed)
        self._region = region
        self._account_id = account_id
        self._seq = 0

    def emit(
        self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]
    ) -> dict[str, Any]:
        self._seq += 1
        event = {
            "version": "0",
            "id": str(uuid.UUID(int=_ID_BASE + self._seq)),
            "detail-type": detail_type,
            "source": source,
            "account": self._account_id,
            "time": _event_time(self._clock.now()),
            "region": self._region,
            "resources": resources,
            "detail": detail,
        }
        wanted = self._delivery.detail_types
        if wanted is not None and detail_type not in wanted:
            self._bus.put(event)
            return event
        for copy_number in range(self._delivery.copies):
            delay = self._rng.uniform(0.0, self._delivery.max_delay_seconds)
            if self._step > 0:
                delay = round(delay / self._step) * self._step
            self._clock.call_later(
                delay, functools.partial(self._bus.put, event), f"delivery: copy {copy_number + 1}"
            )
        return event


def _event_time(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def as_world_event(
    event: dict[str, Any], world: ProvisionedWorld, service: str, now: float, sequence: int
) -> dict[str, Any]:
    """`event` (e.g. a real AWS sample) as ECS would send it now for `service` of the simulated world."""
    if service not in world.services:
        raise ValueError(f"send_event.as_service: the world has no service {service!r}")
    sent = copy.deepcopy(event)
    prefix = world.cluster_arn.split(":cluster/", 1)[0]
    sent.update(
        id=str(uuid.UUID(int=(_ID_BASE << 1) + sequence)),
        time=_event_time(now),
        region=world.region,
        account=world.account_id,
    )
    detail = sent.setdefault("detail", {})
    if "clusterArn" in detail:
        detail["clusterArn"] = world.cluster_arn
    stamp = datetime.fromtimestamp(now, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    if sent.get("detail-type") == "ECS Task State Change":
        task_id = str(detail.get("taskArn", "")).rsplit("/", 1)[-1]
        detail["taskArn"] = f"{prefix}:task/{world.cluster_name}/{task_id}"
        detail["group"] = f"service:{service}"
        for key in ("updatedAt", "stoppedAt"):
            if key in detail:
                detail[key] = stamp
        sent["resources"] = [detail["taskArn"]]
    else:
        for key in ("createdAt", "updatedAt"):
            if key in detail:
                detail[key] = stamp
        sent["resources"] = [world.services[service].arn]
    return sent


_ARN = re.compile(r"^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12})?:")


def from_elsewhere(event: dict[str, Any], account: str | None, region: str | None) -> dict[str, Any]:
    """`event` as it arrives from another account or region (a cross-account or cross-region rule
    forwards events with their own envelope): its `account`/`region`, and those of every ARN in it,
    are the other ones. ARNs of global resources (no region) keep their empty region."""

    def rewrite(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: rewrite(v) for k, v in value.items()}
        if isinstance(value, list):
            return [rewrite(v) for v in value]
        if isinstance(value, str):
            match = _ARN.match(value)
            if match:
                partition, service, arn_region, arn_account = match.groups()
                new_region = region if region is not None and arn_region else arn_region
                new_account = account if account is not None and arn_account else arn_account or ""
                return f"arn:{partition}:{service}:{new_region}:{new_account}:" + value[match.end() :]
        return value

    sent: dict[str, Any] = rewrite(copy.deepcopy(event))
    if account is not None:
        sent["account"] = account
    if region is not None:
        sent["region"] = region
    return sent
