"""`fargate-ops recover DEPLOY_ID [--apply]`: a deploy that ended without finishing, put right by hand.

Through the application's own recovery (`fargate_ops.recovery`), with the operator's credentials: the
record, the lease, the listener's live weights and each slot's health; with `apply`, all traffic on
the healthy slot, the record final, the lease released.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fargate_ops.aws.adapters import Adapters
from fargate_ops.domain.deploy import ROLLBACK_FAILED, RUNNING
from fargate_ops.domain.recovery import healthy_slot
from fargate_ops.recovery import inspect, recover
from fargate_ops.settings import Settings
from fargate_ops_cli.operations.errors import ExitCode, NotNowError, OperatorError

BY = "an operator (fargate-ops recover)"


class NoHealthySlotError(OperatorError):
    """Neither slot can be told healthy and traffic is split: nothing was changed."""

    exit_code = ExitCode.FAILED


def recover_deploy(
    client: Callable[[str], Any], table: str, deploy_id: str, *, apply: bool
) -> dict[str, Any]:
    """The deploy's state (and, with `apply`, what recovering it did), as the verb prints it."""
    adapters = Adapters(Settings(table_name=table, topic_arn=""), client_factory=client)
    situation = inspect(adapters, deploy_id)
    record = situation.record
    if record is None:
        raise OperatorError(f"no deploy {deploy_id!r} in table {table}: check the id (`fargate-ops history`)")
    execution = adapters.sfn.execution_summary(str(record.get("execution", "")))
    target = healthy_slot(situation.live, situation.green) if situation.live and situation.green else None
    document: dict[str, Any] = {
        **situation.to_json(),
        "execution_status": execution.get("status"),
        "healthy_slot": target.service if target else None,
        "applied": False,
    }
    if not apply:
        document["text"] = _plan(document, situation.status)
        return document
    if execution.get("status") == RUNNING:
        raise NotNowError(
            f"deploy {deploy_id} is still running: `fargate-ops abort {deploy_id}` rolls it back; recover"
            " acts only on a deploy whose execution has ended"
        )
    if target is None and situation.whole_on is None:
        why = "; ".join(situation.problems) or "no healthy target in either"
        raise NoHealthySlotError(
            f"cannot tell which slot of deploy {deploy_id} is healthy ({why}) and traffic is split"
            f" ({situation.traffic()}): nothing was changed. Fix a slot, then run this again"
        )
    result = recover(
        adapters, situation, by=BY, from_statuses=(RUNNING, ROLLBACK_FAILED), execution=execution
    )
    after = inspect(adapters, deploy_id)
    document.update(after.to_json())
    document.update(applied=result.acted, lease_released=result.lease_released, text=result.text)
    return document


def _plan(document: dict[str, Any], status: str | None) -> str:
    if document["execution_status"] == RUNNING:
        return "the deploy is still running: nothing to recover (abort it to roll it back)"
    lease = f"lease held by {document['lease_holder']}" if document["lease_holder"] else "lease free"
    slot = document["healthy_slot"]
    todo = f"--apply would put all traffic on {slot}" if slot else "no slot can be told healthy"
    return f"record {status}, traffic {document['traffic']}, {lease}; {todo}"
