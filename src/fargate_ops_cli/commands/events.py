"""`fargate-ops events CLUSTER/SERVICE [--since 1h]`: a service's timeline, newest first.

ECS forgets a stopped task after about an hour; the ECS events function keeps, per service, every task
stop (stop code, reason, each container's exit code and reason, image digest, task definition), the ECS
service warnings, deployment state changes and the notifications it sent, for 14 days by default.
"""

from __future__ import annotations

import re
import time
from datetime import UTC, datetime
from typing import Any

import click

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.operations.errors import OperatorError

_SPAN = re.compile(r"(\d+)([smhd])")
_DURATION = re.compile(r"(?:\d+[smhd])+")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86_400}


def parse_since(text: str, now: float) -> float:
    """``90s``, ``30m``, ``1h``, ``2d``, ``1h30m`` back from ``now``, or an ISO 8601 time; epoch seconds."""
    value = text.strip()
    if _DURATION.fullmatch(value):
        return now - sum(int(n) * _UNIT[unit] for n, unit in _SPAN.findall(value))
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise OperatorError(f"--since {text!r}: give a duration (90s, 30m, 1h, 2d) or an ISO time") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def parse_target(target: str) -> tuple[str, str]:
    cluster, _, service = target.partition("/")
    if not cluster or not service or "/" in service:
        raise OperatorError(f"{target!r}: name the service as CLUSTER/SERVICE, e.g. prod/web")
    return cluster, service


@click.command()
@click.argument("target", metavar="CLUSTER/SERVICE")
@click.option("--since", default="24h", show_default=True, help="how far back: 30m, 1h, 2d, or an ISO time")
@click.option("--limit", default=200, show_default=True, type=click.IntRange(1, 10_000))
@click.option("--table", default=None, help="the DynamoDB table (default: the stack's OpsTableName output)")
@aws_options
def events(session: Session, target: str, since: str, limit: int, table: str | None) -> None:
    """What happened to a service: task stops and why, ECS warnings, deployments, notifications."""
    from fargate_ops.aws.timeline_store import TimelineStore
    from fargate_ops.errors import FargateOpsError

    cluster, service = parse_target(target)
    since_epoch = parse_since(since, time.time())
    table_name = table or session.resources.table_name
    try:
        entries = TimelineStore(session.client("dynamodb"), table_name).entries(
            cluster, service, since=since_epoch, limit=limit
        )
    except FargateOpsError as error:
        # The adapter wraps the ClientError; denied or expired credentials are the environment's.
        cause = error.__cause__
        problem = session.environment_problem(cause) if isinstance(cause, Exception) else None
        if problem is not None:
            raise problem from None
        raise OperatorError(f"cannot read the timeline from table {table_name!r}: {error}") from None
    since_text = datetime.fromtimestamp(since_epoch, UTC).isoformat(timespec="seconds").replace("+00:00", "Z")
    document: dict[str, Any] = {
        "cluster": cluster,
        "service": service,
        "table": table_name,
        "since": since_text,
        "entries": [entry.as_dict() for entry in entries],
    }

    def text(console: Any) -> None:
        if not entries:
            console.print(f"nothing recorded for {service} in {cluster} since {since_text}")
            return
        console.print(f"{service} in {cluster}: {len(entries)} entries since {since_text}, newest first")
        for entry in document["entries"]:
            console.print(f"{entry['at']}  {entry['kind']:<22} {entry['summary']}", markup=False)
            reaction = entry["detail"].get("reaction")
            if reaction:
                console.print(f"{'':<26}{'':<23}-> {reaction}", markup=False)

    session.emit(document, text)
