"""Following a deploy until it ends (`deploy --wait`, `status --wait`).

This polls, on the operator's side only: DescribeExecution and one GetItem every few seconds. The
state machine itself never polls. `sleep` is injected so the local runtime can advance its clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC
from email.utils import parsedate_to_datetime
from typing import Any

from fargate_ops_cli.operations.outcome import summarize
from fargate_ops_cli.operations.records import read_deploy
from fargate_ops_cli.operations.start import execution_arn_for

POLL_SECONDS = 3.0


def snapshot(sfn: Any, dynamodb: Any, table: str, state_machine_arn: str, deploy_id: str) -> dict[str, Any]:
    execution = sfn.describe_execution(executionArn=execution_arn_for(state_machine_arn, deploy_id))
    summary = summarize(deploy_id, execution, read_deploy(dynamodb, table, deploy_id))
    summary["as_of"] = answered_at(execution)
    return summary


def answered_at(response: dict[str, Any]) -> str | None:
    """The time of the answer by the service's clock (its HTTP Date header): "s left" of a wait then
    counts on the clock that times it, even when this machine's clock is off (or the endpoint is
    the local runtime, whose clock may run faster than real time)."""
    date = response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get("date")
    if not date:
        return None
    try:
        return parsedate_to_datetime(date).astimezone(UTC).isoformat()
    except (TypeError, ValueError):
        return None


def watch(
    sfn: Any,
    dynamodb: Any,
    table: str,
    state_machine_arn: str,
    deploy_id: str,
    on_update: Callable[[dict[str, Any]], None],
    sleep: Callable[[float], None] = time.sleep,
    timeout: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> dict[str, Any]:
    started = clock()
    while True:
        current = snapshot(sfn, dynamodb, table, state_machine_arn, deploy_id)
        on_update(current)
        if current["exit_code"] is not None:
            return current
        if timeout is not None and clock() - started > timeout:
            current["timed_out_waiting"] = True
            return current
        sleep(POLL_SECONDS)
