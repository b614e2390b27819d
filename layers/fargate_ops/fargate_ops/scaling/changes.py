"""A run's changes, made in batches: save, change, record, tag.

The reconciler decides every service of a cluster first, then makes the changes ``CHUNK`` services at
a time, in this order:

1. **save** (BatchWriteItem, 25 items a call): the state of each service about to change for the first
   time, with what it had before (what to restore). It is durable before the service changes: a crash
   between the two loses nothing; a save that does not go through (throttled past the retries) leaves
   its services unchanged, reported as errors, for the next run;
2. **change** each service (UpdateService or RegisterScalableTarget: one write each, no batch exists);
3. **record** what happened (BatchWriteItem): a timeline entry per change, and the state only where what
   it remembers changed again (a restore forgets the saved capacity);
4. **tag** (tag:TagResources, 20 services a call, those with the same tags together): the status tags.

A change therefore costs its one write, plus 1/25 of a call per item (two items on the first change,
one after) and 1/20 of a tagging call; the run's events (100 changes an event) go at its end.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from fargate_ops import clock
from fargate_ops.aws.keys import timeline, timeline_entry
from fargate_ops.aws.scaling import OptedIn, ScalingAdapter
from fargate_ops.aws.store_scaling import ScalingState, ScalingStore
from fargate_ops.domain.scaling import Found, Plan
from fargate_ops.errors import FargateOpsError
from fargate_ops.models.schedule import Schedule
from fargate_ops.observability import count, logger

TAG_LAST_ACTION = "fargate-ops:scaling-last-action"
TAG_ERROR = "fargate-ops:scaling-error"
CHUNK = 100  # services per save / change / record round (a multiple of BatchWriteItem's 25)


@dataclass(frozen=True, slots=True)
class Change:
    """One service's decided writes. ``stored``: its state as the table has it (None: no item);
    ``state``: what to remember once the writes are made (the save, if any, already in it)."""

    service: OptedIn
    schedule: Schedule
    decided: Plan
    found: Found
    stored: ScalingState | None
    state: ScalingState
    unchecked: tuple[str, ...] = ()


class Changes:
    """Collects a cluster's changes and status tags, then makes them (``flush``)."""

    def __init__(
        self,
        aws: ScalingAdapter,
        scaling: ScalingStore,
        retention_days: int,
        on_error: Callable[[OptedIn, str], None],
    ) -> None:
        self._aws, self._scaling, self._retention_days = aws, scaling, retention_days
        self._on_error = on_error  # reports and counts an error (its status tag is set here)
        self._changes: list[Change] = []
        self._tags: dict[str, tuple[OptedIn, dict[str, str]]] = {}

    def add(self, change: Change) -> None:
        self._changes.append(change)

    def tag(self, service: OptedIn, tags: Mapping[str, str]) -> None:
        held = self._tags.setdefault(service.arn, (service, {}))
        held[1].update(tags)

    def fail(self, service: OptedIn, message: str) -> None:
        self._on_error(service, message)
        self.tag(service, {TAG_ERROR: message})

    def flush(self, now: datetime) -> list[dict[str, Any]]:
        """Make every change collected; returns the actions made (the run's events, in order)."""
        actions: list[dict[str, Any]] = []
        changes, self._changes = self._changes, []
        for start in range(0, len(changes), CHUNK):
            actions += self._round(changes[start : start + CHUNK], now)
            self._tag_all()
        self._tag_all()
        return actions

    def _round(self, chunk: list[Change], now: datetime) -> list[dict[str, Any]]:
        saves = [c for c in chunk if c.decided.save is not None]
        try:
            self._scaling.write_items(c.state.item() for c in saves)
        except FargateOpsError as err:  # not durable: those services are not changed this run
            for c in saves:
                self.fail(c.service, f"saving what it had failed: {err}")
            chunk = [c for c in chunk if c.decided.save is None]
        records: list[dict[str, Any]] = []
        actions: list[dict[str, Any]] = []
        for c in chunk:
            if c.decided.changes:
                try:
                    self._write(c.service, c.decided)
                except FargateOpsError as err:
                    self.fail(c.service, str(err))
                    continue
                detail = _detail(c, now)
                records.append(self._timeline_entry(c, detail, now))
                last = f"{clock.iso(now.timestamp())} {c.decided.describe()}"
                self.tag(c.service, {TAG_LAST_ACTION: last, TAG_ERROR: "none"})
                count("ScalingActions")
                logger.info("scaling action", extra=detail)
                actions.append(detail)
            after = _remembered(c)
            written = c.state if c.decided.save is not None else c.stored
            if after != written:
                records.append(after.item())
        try:
            self._scaling.write_items(records)
        except FargateOpsError as err:  # the services did change: the next run finds them so
            logger.warning("scaling records not written", extra={"error": str(err), "items": len(records)})
            count("ScalingErrors")
        return actions

    def _tag_all(self) -> None:
        tagged, self._tags = list(self._tags.values()), {}
        try:
            failed = self._aws.tag(tagged)
        except FargateOpsError as err:
            failed = {service.arn: str(err) for service, _ in tagged}
        for service, _ in tagged:
            if service.arn in failed:  # the change (if any) is made; only its status tags are missing
                self._on_error(service, f"status tags not set: {failed[service.arn]}")

    def _write(self, service: OptedIn, decided: Plan) -> None:
        if decided.bounds is not None:
            self._aws.set_bounds(service, *decided.bounds)
        if decided.desired is not None:
            self._aws.set_desired(service, decided.desired)

    def _timeline_entry(self, c: Change, detail: dict[str, Any], now: datetime) -> dict[str, Any]:
        at = now.timestamp()
        return {
            "pk": timeline(c.service.cluster, c.service.name),
            "sk": timeline_entry(at, f"scaling-{int(at)}"),
            "cluster": c.service.cluster,
            "service": c.service.name,
            "at": at,
            "kind": "scaling",
            "summary": f"schedule {c.schedule.name}: {c.decided.describe()}",
            "detail": detail,
            "expires_at": int(at) + self._retention_days * 86_400,
        }


def _remembered(c: Change) -> ScalingState:
    """The state once the writes are made: a restore forgets the saved capacity, a change clears a held
    scale-up's error."""
    after = replace(c.state, schedule=c.schedule.name)
    if c.decided.restore:
        after = replace(after, saved_desired=None, saved_min=None, saved_max=None)
    if c.decided.changes:
        after = replace(after, last_error=None)
    return after


def _detail(c: Change, now: datetime) -> dict[str, Any]:
    decided, found = c.decided, c.found
    detail: dict[str, Any] = {
        "cluster": c.service.cluster,
        "service": c.service.name,
        "schedule": c.schedule.name,
        "action": "restore" if decided.restore else "scale",
        "desired": decided.desired,
        "min": decided.bounds[0] if decided.bounds else None,
        "max": decided.bounds[1] if decided.bounds else None,
        "before": {"desired": found.desired, "min": found.min, "max": found.max},
        "reason": decided.reason,
        "at": now.isoformat(),
    }
    if c.unchecked:  # outside this account's ECR: ECS will find out whether they can be pulled
        detail["images_not_checked"] = list(c.unchecked)
    return detail
