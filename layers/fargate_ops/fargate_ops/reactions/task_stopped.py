"""An abnormal stop of a task of a waited-on green service counts towards a crash loop.

It counts from the event in which ECS decides to stop the task (``stop_decided``: its stop code, reason
and exit codes are known then), minutes before STOPPED, and once per task whichever of its events comes
first: ECS's own circuit breaker counts the failure at that moment too, and its SERVICE_DEPLOYMENT_FAILED
must find the evidence there.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from fargate_ops.domain.deploy import crash_loop_reached
from fargate_ops.domain.services import cluster_name, service_from_group
from fargate_ops.domain.stops import StopEvidence, is_abnormal_stop, stop_decided
from fargate_ops.errors import GreenCrashLoopError

if TYPE_CHECKING:
    from fargate_ops.aws.store import WaitRecord
    from fargate_ops.models.events import TaskStateChange
    from fargate_ops.reactions import Reactor

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


def on_task_state_change(event: TaskStateChange, reactor: Reactor) -> str:
    detail = event.detail
    if not stop_decided(detail.last_status, detail.desired_status):
        return "ignored: not stopped"
    service = service_from_group(detail.group)
    if service is None:
        return "ignored: not a service task"
    if not is_abnormal_stop(detail.stop_code, detail.exit_codes, detail.stopped_reason, detail.started_by):
        return "ignored: normal stop"
    cluster = cluster_name(detail.cluster_arn)
    wait = reactor.store.get_wait(cluster, service)
    if wait is None:
        return "ignored: nobody waits on the service"
    if (
        detail.task_definition_arn
        and wait.task_definition
        and detail.task_definition_arn != wait.task_definition
    ):
        return "ignored: a task of another revision"

    # One task is one abnormal stop: its decision event and its STOPPED event (and their duplicates) share it.
    key = f"TASK#{detail.task_arn}#abnormal"
    counted = reactor.store.record_stop(
        wait, event_key=key, expires_at=reactor.idempotency_expiry(), stop=_evidence(event)
    )
    # Read back rather than trusting our own +1: stops of several tasks arrive concurrently. A duplicate
    # still checks, so a failure that could not be sent on the first delivery is sent on the retry.
    current = reactor.store.get_wait(cluster, service, consistent=True)
    if current is None or current.task_token != wait.task_token:
        return "counted" if counted else "duplicate"
    if not crash_loop_reached(current.abnormal_stops, reactor.crash_loop_threshold):
        return "counted" if counted else "duplicate"
    # The WAIT item stays: rollback reads its evidence and deletes it.
    sent = reactor.sfn.send_failure(
        current.task_token, CRASH_LOOP_ERROR, crash_loop_cause(current, reactor.crash_loop_threshold)
    )
    return "crash loop: wait failed" if sent else "crash loop: wait already over"
