"""Record an event, decide what it means for its service, and tell people: in that order, safely.

One event = at most one write for its record (timeline entry + idempotency guard + the service's next
state, in one transaction). A notification is written to the service's outbox in that same transaction
and published after it; if publishing fails, the invocation fails, and EventBridge's retry (a duplicate
by then) publishes what its own first attempt left in the outbox. Concurrent invocations for one service
are kept apart by the state's revision: the loser reads again and decides again.

An outbox entry is claimed by whoever publishes it (``claimed_until``): the invocation that wrote it
holds it from the start, for longer than the function may run. A copy of the event delivered at the
same time (EventBridge delivers at least once, to concurrent invocations) finds the entry while its
writer is still publishing, and leaves it alone; only a retry after the writer's claim ran out (the
writer failed) claims it and publishes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from fargate_ops import clock
from fargate_ops.aws.timeline_store import (
    CommitResult,
    ServiceSnapshot,
    StateWrite,
    TaskGuard,
    TimelineEntry,
)
from fargate_ops.domain.alert_state import AlertKind, Decision, ServiceAlerts, admit
from fargate_ops.domain.notifications import LogLink, Notification, log_link, render
from fargate_ops.errors import FargateOpsError
from fargate_ops.observability import count
from fargate_ops.reactions.outcome import Outcome
from fargate_ops.reactions.watch.timeline import held_back_entry, notification_entry

if TYPE_CHECKING:
    from fargate_ops.domain.alert_state import Alert
    from fargate_ops.domain.notifications import ServiceRef
    from fargate_ops.models.events import Event
    from fargate_ops.reactions.reactor import Reactor

MAX_ATTEMPTS = 5
# Longer than the events function may run (its Timeout: 30 s in template.yaml), shorter than Lambda's
# first retry of a failed asynchronous invocation (about a minute).
PUBLISH_CLAIM_SECONDS = 45
SEEN_KEPT = 64  # the idempotency keys of a service's last events kept in its state (older: the guards)
DEPLOY_WAITS = "recorded; a fargate-ops deploy waits on this service and reacts itself"

Decide = Callable[[ServiceAlerts], Decision]


class ReactionConflictError(FargateOpsError):
    """The service's reactions state kept changing under this invocation; Lambda retries it."""


def _outcome_of(result: CommitResult, done: str) -> Outcome:
    """``done`` if the commit happened; else the event had been handled (a duplicate or a stale version)."""
    return (
        Outcome.acted(done) if result is CommitResult.DONE else Outcome.duplicate(f"ignored: {result} event")
    )


def _record_only(
    reactor: Reactor, ref: ServiceRef, entry: TimelineEntry, guard: TaskGuard | None
) -> CommitResult:
    return reactor.timeline.commit(
        ref.cluster,
        ref.service,
        guard=guard,
        entries=[entry],
        entries_expire_at=reactor.timeline_expiry(),
        guard_expires_at=reactor.idempotency_expiry(),
    )


def record(
    reactor: Reactor, ref: ServiceRef, entry: TimelineEntry, guard: TaskGuard | None = None
) -> Outcome:
    """Only the timeline: one write (guard + entry in one transaction, or one conditional put)."""
    return _outcome_of(_record_only(reactor, ref, entry, guard), f"recorded: {entry.kind}")


def record_and_decide(
    reactor: Reactor,
    ref: ServiceRef,
    event: Event,
    entry: TimelineEntry,
    decide: Decide,
    *,
    guard: TaskGuard | None = None,
    record_when_unchanged: bool = True,
) -> Outcome:
    """Read the service (shared with the deploy reactions), decide, commit, then notify."""
    idempotency_key = guard.idempotency_key if guard is not None else f"event:{event.id}"
    for attempt in range(MAX_ATTEMPTS):
        snapshot = reactor.timeline.snapshot(ref.cluster, ref.service, fresh=attempt > 0)
        if _deploy_waits(snapshot):
            return record(reactor, ref, entry.with_detail(reaction=DEPLOY_WAITS), guard)
        seen = _seen_before(snapshot.seen, idempotency_key, guard)
        if seen:  # a redelivery or an older state change: acted on already, nothing to write
            _publish_left_over(reactor, ref, snapshot, idempotency_key)
            return Outcome.duplicate(f"ignored: {seen} event")
        current = ServiceAlerts.from_dict(snapshot.alerts)
        decision = decide(current)
        if decision.already_recorded:
            _publish_left_over(reactor, ref, snapshot, idempotency_key)
            return Outcome.ignored(decision.outcome)
        if decision.state is None and decision.alert is None and not record_when_unchanged:
            return Outcome.ignored(decision.outcome)
        idle = _idle_slot(reactor, ref, snapshot) if decision.alert is not None else ""
        if idle:
            recorded = _record_only(reactor, ref, entry.with_detail(reaction=f"{idle}; not told"), guard)
            if recorded is not CommitResult.DONE:
                _publish_left_over(reactor, ref, snapshot, idempotency_key)
            return _outcome_of(recorded, f"{idle}; not told")
        result, notification = _commit(
            reactor, ref, event, entry, decision, current, snapshot, guard, idempotency_key
        )
        if result is CommitResult.CONFLICT:
            count("ReactionConflict")
            continue
        if result is not CommitResult.DONE:
            _publish_left_over(reactor, ref, snapshot, idempotency_key)
            return _outcome_of(result, decision.outcome)
        if notification is None:
            held_back = decision.alert is not None
            return Outcome.acted(
                f"{decision.outcome} (held back: rate limit)" if held_back else decision.outcome
            )
        _publish(reactor, ref, notification.id, notification.subject, notification.sns_message())
        return Outcome.acted(decision.outcome)
    raise ReactionConflictError(f"{ref.name}: the reactions state changed {MAX_ATTEMPTS} times in a row")


def _deploy_waits(snapshot: ServiceSnapshot) -> bool:
    """A deploy's WAIT item that has not run out (TTL deletes expired items up to days late)."""
    wait = snapshot.wait
    return wait is not None and float(wait.get("expires_at") or 0) > clock.now_epoch()


def _seen_before(seen: tuple[str, ...], key: str, guard: TaskGuard | None) -> str:
    """ "duplicate" or "stale" when the service's recent events include this one (or a newer version of
    its task), else "": then the event's own guard still decides, at the cost of a refused write."""
    if key in seen:
        return "duplicate"
    if guard is None or guard.version is None:
        return ""
    prefix = f"{guard.task_arn}#v"
    newer = [k for k in seen if k.startswith(prefix) and k[len(prefix) :].isdigit()]
    return "stale" if any(int(k[len(prefix) :]) > guard.version for k in newer) else ""


def _idle_slot(reactor: Reactor, ref: ServiceRef, snapshot: ServiceSnapshot) -> str:
    """Why an alert about this service is the deploy engine's business, or "" if it is ours.

    A slot of a fargate-ops application that is not the live one is green during a deploy, or the slot a
    rollback is draining: the deploy engine reports on it (one extra read, only when about to alert).
    """
    if snapshot.application is None:
        return ""
    application = reactor.store.get_application(ref.cluster, snapshot.application)
    if application is None or application.live_slot in (None, ref.service):
        return ""
    return f"{ref.service} is the idle slot of {snapshot.application} (live: {application.live_slot})"


def _commit(
    reactor: Reactor,
    ref: ServiceRef,
    event: Event,
    entry: TimelineEntry,
    decision: Decision,
    current: ServiceAlerts,
    snapshot: ServiceSnapshot,
    guard: TaskGuard | None,
    idempotency_key: str,
) -> tuple[CommitResult, Notification | None]:
    now = clock.now_epoch()
    state = decision.state or current
    entries = [entry.with_detail(reaction=decision.outcome)]
    outbox = dict(snapshot.outbox)
    notification = None
    if decision.alert is not None:
        state, admitted, suppressed = admit(state, now, reactor.alert_policy)
        if admitted:
            notification = _notification(reactor, ref, decision.alert, idempotency_key, now, suppressed)
            entries.append(notification_entry(notification, ref, now))
            outbox[notification.id] = {
                "key": idempotency_key,
                "subject": notification.subject,
                "message": notification.sns_message(),
                "claimed_until": now + PUBLISH_CLAIM_SECONDS,  # this invocation publishes it
            }
        else:
            count("NotificationHeldBack")
            entries.append(held_back_entry(decision.alert, ref, now, event))
    seen = (*snapshot.seen, idempotency_key)[-SEEN_KEPT:]
    write = StateWrite(state.as_dict(), snapshot.rev, outbox, reactor.timeline_expiry(), seen)
    result = reactor.timeline.commit(
        ref.cluster,
        ref.service,
        guard=guard,
        entries=entries,
        entries_expire_at=reactor.timeline_expiry(),
        guard_expires_at=reactor.idempotency_expiry(),
        state=write,
    )
    return result, notification


def _notification(
    reactor: Reactor, ref: ServiceRef, alert: Alert, idempotency_key: str, now: float, suppressed: int
) -> Notification:
    digest = hashlib.sha256(f"{ref.name}|{alert.key}|{idempotency_key}".encode()).hexdigest()[:16]
    logs = _logs(reactor, ref, alert) if alert.kind is AlertKind.CRASH_LOOP else None
    return render(
        alert,
        ref,
        notification_id=digest,
        now=now,
        suppressed_before=suppressed,
        per_hour=reactor.alert_policy.notifications_per_hour,
        logs=logs,
    )


def _logs(reactor: Reactor, ref: ServiceRef, alert: Alert) -> LogLink | None:
    latest = alert.facts.get("latest") or {}
    containers = [c for c in latest.get("containers") or [] if c.get("exit_code") != 0] or list(
        latest.get("containers") or []
    )
    if not containers:
        return None
    container = str(containers[0].get("name"))
    definition = reactor.task_definition(str(latest.get("task_definition") or ""))
    return log_link(definition, container, str(latest.get("task_id") or ""), ref.region)


def _publish(reactor: Reactor, ref: ServiceRef, notification_id: str, subject: str, message: str) -> None:
    reactor.topic.publish(subject, message)
    count("NotificationSent")
    reactor.timeline.clear_outbox(ref.cluster, ref.service, notification_id)


def _publish_left_over(reactor: Reactor, ref: ServiceRef, snapshot: ServiceSnapshot, key: str) -> None:
    """A redelivery of an event whose first attempt wrote a notification but failed before sending it.

    Not while the first attempt may still be publishing it (a copy delivered at the same time): the
    entry's claim must have run out, and this invocation must win the claim."""
    now = clock.now_epoch()
    for notification_id, pending in snapshot.outbox.items():
        if pending.get("key") != key:
            continue
        claimed_until = pending.get("claimed_until")
        if isinstance(claimed_until, int | float) and claimed_until > now:
            continue
        if not reactor.timeline.claim_outbox(
            ref.cluster, ref.service, notification_id, seen=claimed_until, until=now + PUBLISH_CLAIM_SECONDS
        ):
            continue
        _publish(reactor, ref, notification_id, str(pending["subject"]), str(pending["message"]))
