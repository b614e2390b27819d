"""An abnormal stop of a task of a waited-on green service counts towards a crash loop.

It counts from the event in which ECS decides to stop the task (``stop_decided``: its stop code, reason
and exit codes are known then), minutes before STOPPED, and once per task whichever of its events comes
first: ECS's own circuit breaker counts the failure at that moment too, and its SERVICE_DEPLOYMENT_FAILED
must find the evidence there.

Any abnormal or Spot stop of a waited-on green task first asks ``green_health`` whether
green is left without a healthy target while it carries weight; if so its weight goes back to blue now.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fargate_ops.aws import keys
from fargate_ops.domain.abnormal import StopClass, StopKind
from fargate_ops.domain.crash_loop import crash_loop_reached
from fargate_ops.domain.stops import StopEvidence
from fargate_ops.errors import GreenCrashLoopError
from fargate_ops.reactions.deploy_waits.green_health import take_weight_if_unserved
from fargate_ops.reactions.outcome import Outcome

if TYPE_CHECKING:
    from fargate_ops.aws.records import WaitRecord
    from fargate_ops.models.events import TaskStateChange
    from fargate_ops.reactions.facts import TaskFacts
    from fargate_ops.reactions.reactor import Reactor

# The error name the state machine sees (and may Catch): the exception class name is the contract.
CRASH_LOOP_ERROR = GreenCrashLoopError.__name__


def _evidence(event: TaskStateChange) -> dict[str, Any]:
    detail = event.detail
    at = detail.stopped_at or detail.updated_at or event.time
    return StopEvidence(
        task_arn=detail.task_arn,
        stop_code=detail.stop_code,
        stopped_reason=detail.stopped_reason,
        exit_codes=detail.exit_codes,
        task_definition=detail.task_definition_arn,
        at=at.isoformat() if at else None,
    ).as_dict()


def crash_loop_cause(wait: WaitRecord, threshold: int) -> dict[str, Any]:
    return {
        "cluster": wait.cluster,
        "service": wait.service,
        "deploy_id": wait.deploy_id,
        "task_definition": wait.task_definition,
        "abnormal_stops": wait.abnormal_stops,
        "threshold": threshold,
        "stops": list(wait.stops[-threshold:]),
    }


def on_task_state_change(facts: TaskFacts, reactor: Reactor) -> Outcome:
    if facts.stop is None:
        return Outcome.ignored("not stopped")
    if facts.ref is None:
        return Outcome.ignored("not a service task")
    if facts.stop.kind is StopKind.NORMAL:
        # Scale-in or a replacement: ECS keeps the service's count, so no read (a normal stop is free).
        return Outcome.ignored("normal stop")
    cluster, service = facts.ref.cluster, facts.ref.service
    wait = reactor.store.get_wait(cluster, service)
    if wait is None:
        return Outcome.ignored("nobody waits on the service")
    # A crash or a Spot reclaim of a waited-on green task may leave green with no healthy target.
    health = take_weight_if_unserved(wait, reactor)
    crash = _count_crash(facts, facts.stop, wait, reactor)
    if health is None:
        return crash
    return Outcome.acted(health if not crash.acted_on else f"{crash.text}; {health}")


def _count_crash(facts: TaskFacts, stop: StopClass, wait: WaitRecord, reactor: Reactor) -> Outcome:
    event, detail = facts.event, facts.event.detail
    cluster, service = wait.cluster, wait.service
    if stop.kind is not StopKind.ABNORMAL:
        return Outcome.ignored("normal stop")
    if (
        detail.task_definition_arn
        and wait.task_definition
        and detail.task_definition_arn != wait.task_definition
    ):
        return Outcome.ignored("a task of another revision")

    key = keys.abnormal_stop_seen(detail.task_arn)
    counted = reactor.store.record_stop(
        wait, event_key=key, expires_at=reactor.idempotency_expiry(), stop=_evidence(event)
    )
    so_far = Outcome.acted("counted") if counted else Outcome.duplicate()
    # Read back rather than trusting our own +1: stops of several tasks arrive concurrently. A duplicate
    # still checks, so a failure that could not be sent on the first delivery is sent on the retry.
    current = reactor.store.get_wait(cluster, service, consistent=True)
    if current is None or current.task_token != wait.task_token:
        return so_far
    if not crash_loop_reached(current.abnormal_stops, reactor.crash_loop_threshold):
        return so_far
    # The WAIT item stays: rollback reads its evidence and deletes it.
    sent = reactor.sfn.send_failure(
        current.task_token, CRASH_LOOP_ERROR, crash_loop_cause(current, reactor.crash_loop_threshold)
    )
    return Outcome.acted("crash loop: wait failed" if sent else "crash loop: wait already over")
