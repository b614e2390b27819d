"""One reconcile run: make every opted-in service hold what its schedule wants now, then keep the one-time
schedule at the next window edge.

Per service: the schedule its tag names, its override and saved state (read for the whole cluster),
the decision (domain/scaling.plan), the writes. A blue/green slot is acted on only while it is the live
slot (before the first deploy, when nothing records the slots, a service at zero that the listeners give
no traffic beside a slot that gets it is taken for the idle slot: scaling_traffic.py), and not at all
while a deploy holds the application's lease (deferred: the next run, or the
deploy's end, brings it to what the schedule wants). A cluster's services are decided first, then
changed in batches (changes.py): what to restore saved before the change, the change, then its
timeline entry, count (``ScalingActions``) and status tags, and "Scaling Actions" events (a cluster's
changes, 100 to an event, 10 events to a PutEvents).
Runs are idempotent: a run that finds every service as wanted writes nothing, and a missed run is
healed by the next.

Reads in batches, whatever the number of services: the schedules and the armed edge in one Query,
ListServices pages of 100, DescribeServices of 10 with their tags, DescribeScalableTargets of 50, the
cluster's overrides and states in one Query of its partition, slot membership 100 per BatchGetItem, and
a blue/green application's lease and record once per run.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from fargate_ops import clock
from fargate_ops.aws.scaling import OptedIn, ScalingAdapter
from fargate_ops.aws.scaling_traffic import TrafficReader
from fargate_ops.aws.store import Store
from fargate_ops.aws.store_scaling import ScalingState, ScalingStore, ServiceScaling
from fargate_ops.domain.scaling import Found, Plan, Saved, plan
from fargate_ops.domain.schedule import capacity_at, next_edge
from fargate_ops.models.schedule import Schedule
from fargate_ops.observability import count, logger
from fargate_ops.scaling.changes import TAG_ERROR, Change, Changes
from fargate_ops.scaling.image_gate import ImageGate, raises_from_zero

# How far ahead the one-time schedule looks; further edges are reached by the periodic runs.
EDGE_HORIZON = timedelta(days=8)


@dataclass(frozen=True, slots=True)
class ReconcileSettings:
    tag_key: str
    edge_schedule_name: str
    scheduler_role_arn: str
    timeline_retention_days: int = 14


@dataclass
class RunReport:
    actions: list[dict[str, Any]] = field(default_factory=list)
    deferred: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    services: int = 0
    next_edge: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "services": self.services,
            "actions": self.actions,
            "deferred": self.deferred,
            "errors": self.errors,
            "next_edge": self.next_edge,
        }


class Reconciler:
    def __init__(
        self,
        aws: ScalingAdapter,
        scaling: ScalingStore,
        store: Store,
        settings: ReconcileSettings,
        function_arn: str | None,
        gate: ImageGate | None = None,
        traffic: Callable[[], TrafficReader] | None = None,
    ) -> None:
        self._aws, self._scaling, self._store, self._settings = aws, scaling, store, settings
        self._function_arn = function_arn
        self._gate = gate
        self._new_traffic = traffic  # a reader per run: what it caches is the run's view
        self._traffic: TrafficReader | None = None
        self._live: dict[tuple[str, str], str | None] = {}  # (cluster, application) -> its live slot

    def run(self, clusters: Callable[[], list[str]]) -> RunReport:
        """``clusters`` lists the clusters in scope (called only when there are schedules)."""
        now = datetime.fromtimestamp(clock.now_epoch(), UTC)
        stored, armed = self._scaling.schedules_and_edge()
        schedules = {s.name: s for s in stored}
        report = RunReport()
        if not schedules:  # nothing to hold (a service naming a missing schedule waits for it)
            return report
        self._traffic = self._new_traffic() if self._new_traffic is not None else None
        edges: list[datetime] = [e for s in schedules.values() if (e := _next(s, now)) is not None]
        for cluster in clusters():
            services = self._aws.opted_in(cluster, self._settings.tag_key)
            report.services += len(services)
            if not services:
                continue
            bounds = self._aws.scalable_targets(services)
            items = self._scaling.cluster_scaling(cluster, [s.name for s in services])
            held_by: dict[str, str | None] = {}  # per application: one lease and record read per run
            changes = Changes(
                self._aws,
                self._scaling,
                self._settings.timeline_retention_days,
                lambda service, message: _error(service, message, report),
            )
            for service in services:
                until = self._reconcile(
                    service,
                    schedules,
                    items[service.name],
                    bounds.get(service.resource_id),
                    now,
                    report,
                    held_by,
                    changes,
                )
                if until is not None:
                    edges.append(until)
            report.actions += changes.flush(now)
        # "Scaling Actions" events at the end of the run: 100 changes an event, 10 events a PutEvents.
        self._aws.announce(report.actions)
        self._keep_edge(min((e for e in edges if e > now), default=None), armed, report)
        return report

    def _reconcile(
        self,
        service: OptedIn,
        schedules: dict[str, Schedule],
        items: ServiceScaling,
        bounds: tuple[int, int] | None,
        now: datetime,
        report: RunReport,
        held_by: dict[str, str | None],
        changes: Changes,
    ) -> datetime | None:
        """Decide one service (its writes go to ``changes``); returns its override's end (an edge the
        schedules do not know)."""
        schedule = schedules.get(service.schedule)
        if schedule is None:
            changes.fail(service, f"no schedule {service.schedule}")
            return None
        if items.application is not None:
            if items.application not in held_by:
                held_by[items.application] = self._lease_holder(service, items.application, now)
            if held_by[items.application] is not None:
                report.deferred.append(
                    f"{service.name}: {items.application} is being deployed by {held_by[items.application]}"
                )
                count("ScalingDeferred")
                return None
            if not self._is_live(service, items.application):
                return None
        state = items.state
        saved = (
            Saved(state.saved_desired, state.saved_min, state.saved_max)
            if state is not None and state.saved_desired is not None
            else None
        )
        overrides = [items.override] if items.override is not None else []
        wanted = capacity_at(schedule, now, overrides, saved=saved)
        found = Found(service.desired, *(bounds or (None, None)))
        decided = plan(wanted, found, saved)
        if self._unrecorded_idle_slot(service, items, found, decided):
            return _until(items.override, now)
        base = state or ScalingState(service.cluster, service.name, schedule.name)
        unchecked: tuple[str, ...] = ()
        if self._gate is not None and decided.changes and raises_from_zero(found, decided):
            gate = self._gate.check(service, base, schedule.name, decided, now)
            if gate.held is not None:  # nothing written to the service; the next run checks again
                report.errors.append({"service": service.name, "error": gate.held})
                changes.tag(service, {TAG_ERROR: gate.held})
                return _until(items.override, now)
            base, unchecked = gate.state, gate.unchecked
        if decided.save is not None:  # saved (durably) before anything changes: see changes.py
            base = replace(
                base,
                saved_desired=decided.save.desired,
                saved_min=decided.save.min,
                saved_max=decided.save.max,
            )
        if decided.changes or decided.restore or base != state:
            changes.add(Change(service, schedule, decided, found, state, base, unchecked))
        return _until(items.override, now)

    def _unrecorded_idle_slot(
        self, service: OptedIn, items: ServiceScaling, found: Found, decided: Plan
    ) -> bool:
        """An idle slot no deploy has recorded yet (before its application's first deploy): a service
        the plan would raise from zero whose target groups the listeners give no traffic while the
        other slot's get it. Left at zero, as a recorded idle slot is; the first deploy records it."""
        if (
            self._traffic is None
            or items.application is not None
            or not service.target_groups
            or not decided.changes
            or not raises_from_zero(found, decided)
        ):
            return False
        if not self._traffic.is_idle_slot(service.target_groups):
            return False
        logger.info("idle slot left at zero", extra={"service": service.name})
        return True

    def _lease_holder(self, service: OptedIn, application: str, now: datetime) -> str | None:
        """The deploy holding the application's lease, if one does (its slots are left alone then)."""
        lease = self._store.lease(service.cluster, application)
        if lease is not None and lease.lease_expires_at > now.timestamp():
            return lease.deploy_id
        self._live[(service.cluster, application)] = self._live_slot(service.cluster, application)
        return None

    def _live_slot(self, cluster: str, application: str) -> str | None:
        record = self._store.get_application(cluster, application)
        return record.live_slot if record is not None else None

    def _is_live(self, service: OptedIn, application: str) -> bool:
        """Only the live slot of a blue/green application is scaled (none recorded yet: this one)."""
        live = self._live.get((service.cluster, application))
        return live in (None, service.name)

    def _keep_edge(self, edge: datetime | None, armed: str | None, report: RunReport) -> None:
        if edge is None or self._function_arn is None:
            return
        # at() takes whole seconds: round up, so the run lands at or just after the edge, never before.
        moment = datetime.fromtimestamp(math.ceil(edge.timestamp()), UTC)
        expression = f"at({moment.strftime('%Y-%m-%dT%H:%M:%S')})"
        report.next_edge = moment.isoformat()
        if armed == expression:
            return
        self._aws.keep_one_time_schedule(
            self._settings.edge_schedule_name,
            expression,
            self._function_arn,
            self._settings.scheduler_role_arn,
        )
        self._scaling.put_edge(expression)


def _error(service: OptedIn, message: str, report: RunReport) -> None:
    report.errors.append({"service": service.name, "error": message})
    count("ScalingErrors")
    logger.warning("scaling error", extra={"service": service.name, "error": message})


def _next(schedule: Schedule, now: datetime) -> datetime | None:
    edge = next_edge(schedule, now, within=EDGE_HORIZON)
    return edge.at if edge is not None else None


def _until(override: Any, now: datetime) -> datetime | None:
    if override is None:
        return None
    until: datetime = override.until
    return until if until > now else None
