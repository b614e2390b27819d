"""`fargate-ops scaling override SERVICE --cluster C --desired N --until TIME`: "keep api at 4 until
23:00 tonight". It wins over the service's schedule until TIME and then has no effect at all (nothing
has to remove it); the reconciler is run at once, so it holds from now, not from its next run.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

import click

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.commands.scaling.schedules import run_reconciler
from fargate_ops_cli.operations.errors import OperatorError

_SPAN = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?$")


def parse_until(text: str, now: datetime) -> datetime:
    """An ISO time with its offset (2026-11-24T23:00:00+09:00), or a duration from now (2h, 90m, 1h30m)."""
    value = text.strip()
    match = _SPAN.match(value)
    if match and any(match.groups()):
        hours, minutes = (int(g or 0) for g in match.groups())
        return now + timedelta(hours=hours, minutes=minutes)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise OperatorError(
            f"--until {text!r}: an ISO time with its offset, or a duration (2h, 90m)"
        ) from None
    if moment.tzinfo is None:
        raise OperatorError(f"--until {text!r} has no offset: give one (Z, +09:00), so it means one instant")
    return moment


@click.command()
@click.argument("service")
@click.option("--cluster", required=True)
@click.option("--desired", type=click.IntRange(0, 5000), default=None)
@click.option(
    "--min", "low", type=click.IntRange(0, 5000), default=None, help="with Application Auto Scaling"
)
@click.option(
    "--max", "high", type=click.IntRange(0, 5000), default=None, help="with Application Auto Scaling"
)
@click.option("--until", "until", required=True, help="ISO time with offset, or a duration from now (2h)")
@click.option("--note", default=None)
@click.option("--table", default=None, help="the DynamoDB table (default: the stack's OpsTableName output)")
@aws_options
def override(
    session: Session,
    service: str,
    cluster: str,
    desired: int | None,
    low: int | None,
    high: int | None,
    until: str,
    note: str | None,
    table: str | None,
) -> None:
    """Hold SERVICE at a capacity until a time, whatever its schedule says."""
    from fargate_ops.aws.store_scaling import ScalingStore
    from fargate_ops.models.schedule import ScheduleError

    now = datetime.now(UTC)
    moment = parse_until(until, now)
    if moment <= now:
        raise OperatorError(f"--until {until!r} is in the past: an override that has expired does nothing")
    raw: dict[str, Any] = {"service": service, "until": moment.isoformat(), "note": note}
    raw.update({k: v for k, v in (("desired", desired), ("min", low), ("max", high)) if v is not None})
    store = ScalingStore(session.client("dynamodb"), table or session.resources.table_name)
    try:
        kept = store.put_override(
            cluster, {k: v for k, v in raw.items() if v is not None}, at=now.isoformat()
        )
    except ScheduleError as error:
        raise OperatorError(
            "; ".join(f"{f}: {m}" for f, m in error.problems) + " (nothing was stored)"
        ) from None
    reconciling = run_reconciler(session, "override")
    document = kept.model_dump(mode="json", exclude_none=True) | {
        "cluster": cluster,
        "reconciling": reconciling,
    }
    held = kept.desired if kept.desired is not None else f"min {kept.min} max {kept.max}"
    session.emit(
        document,
        lambda console: console.print(
            f"{service} in {cluster} held at {held} until {kept.until.isoformat()}"
        ),
    )
