"""`fargate-ops scaling preview [SERVICE --cluster C] [--schedule NAME] --days 7`: every change the
schedule will make and when, in its timezone and in UTC, and its capacity drawn hour by hour.

The same evaluator as the reconciler's (domain/schedule.edges), so the preview is what will happen:
warm-up leads, holidays, DST and (for a service) its override included.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import click

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.operations.errors import OperatorError

TAG_KEY = "fargate-ops:schedule"
BLOCKS = " ▁▂▃▄▅▆▇█"


def _size(capacity: Any) -> dict[str, int | None]:
    return {"desired": capacity.desired, "min": capacity.min, "max": capacity.max}


def changes(schedule: Any, start: datetime, days: int, overrides: list[Any]) -> list[dict[str, Any]]:
    from fargate_ops.domain.schedule import edges

    zone = schedule.tz
    return [
        {
            "at_utc": edge.at.astimezone(UTC).isoformat(),
            "at_local": edge.at.astimezone(zone).isoformat(),
            "before": _size(edge.before),
            "after": _size(edge.after),
            "scale_out": edge.scale_out,
            "reason": edge.after.reason.describe(),
        }
        for edge in edges(schedule, start, start + timedelta(days=days), overrides)
    ]


def hourly(schedule: Any, start: datetime, days: int, overrides: list[Any]) -> list[int | None]:
    """The floor the schedule holds at each hour (desired, else min; None: the saved capacity)."""
    from fargate_ops.domain.schedule import capacity_at

    levels = []
    for hour in range(days * 24):
        level = capacity_at(schedule, start + timedelta(hours=hour), overrides).level
        levels.append(level[1] if level is not None else None)
    return levels


def _chart(console: Any, schedule: Any, start: datetime, levels: list[int | None]) -> None:
    from rich.table import Table

    top = max((v for v in levels if v is not None), default=0) or 1
    table = Table(title=f"capacity by hour, {schedule.timezone} (█ = {top} tasks)", show_edge=False)
    table.add_column("day")
    table.add_column("00" + " " * 20 + "23", no_wrap=True)
    for day in range(len(levels) // 24):
        first = (start + timedelta(days=day)).astimezone(schedule.tz)
        row = levels[day * 24 : day * 24 + 24]
        bar = "".join("·" if v is None else BLOCKS[round(v / top * (len(BLOCKS) - 1))] for v in row)
        table.add_row(first.strftime("%a %m-%d %H:%M"), bar)
    console.print(table)


@click.command()
@click.argument("service", required=False)
@click.option("--cluster", default=None, help="the service's cluster (with SERVICE)")
@click.option("--schedule", "name", default=None, help="a schedule by name (without SERVICE)")
@click.option("--days", type=click.IntRange(1, 400), default=7, show_default=True)
@click.option("--start", default=None, help="ISO time to start from (default: now)")
@click.option("--table", default=None, help="the DynamoDB table (default: the stack's OpsTableName output)")
@aws_options
def preview(
    session: Session,
    service: str | None,
    cluster: str | None,
    name: str | None,
    days: int,
    start: str | None,
    table: str | None,
) -> None:
    """What a schedule will do over the next days: each change, local and UTC, and a chart."""
    from fargate_ops.aws.store_scaling import ScalingStore

    store = ScalingStore(session.client("dynamodb"), table or session.resources.table_name)
    overrides: list[Any] = []
    if service is not None:
        if cluster is None:
            raise OperatorError("preview SERVICE needs --cluster")
        described = session.client("ecs").describe_services(
            cluster=cluster, services=[service], include=["TAGS"]
        )
        found = [s for s in described.get("services", []) if s.get("status") == "ACTIVE"]
        if not found:
            raise OperatorError(f"no ACTIVE service {service} in cluster {cluster}")
        tags = {t["key"]: t["value"] for t in found[0].get("tags", [])}
        name = tags.get(TAG_KEY)
        if name is None:
            raise OperatorError(f"{service} has no {TAG_KEY} tag: it follows no schedule")
        kept = store.get_override(cluster, service)
        overrides = [kept] if kept is not None else []
    names = [name] if name else [s.name for s in store.list_schedules()]
    begin = datetime.fromisoformat(start.replace("Z", "+00:00")) if start else datetime.now(UTC)
    if begin.tzinfo is None:
        raise OperatorError(f"--start {start!r} has no offset: give one (Z, +09:00)")
    documents: list[dict[str, Any]] = []
    schedules: list[Any] = []
    for schedule_name in names:
        schedule = store.get_schedule(schedule_name)
        if schedule is None:
            raise OperatorError(f"no schedule {schedule_name}")
        documents.append(
            {
                "schedule": schedule.name,
                "timezone": schedule.timezone,
                "service": service,
                "changes": changes(schedule, begin, days, overrides),
                "hourly": hourly(schedule, begin, days, overrides),
            }
        )
        schedules.append(schedule)

    def text(console: Any) -> None:
        for doc, schedule in zip(documents, schedules, strict=True):
            console.print(
                f"schedule {doc['schedule']} ({doc['timezone']}), {days} day(s) from {begin.isoformat()}"
            )
            for change in doc["changes"]:
                before = (
                    change["before"]["desired"]
                    if change["before"]["desired"] is not None
                    else change["before"]
                )
                after = (
                    change["after"]["desired"] if change["after"]["desired"] is not None else change["after"]
                )
                console.print(
                    f"  {change['at_local']}  ({change['at_utc']})  {before} -> {after}  {change['reason']}",
                    markup=False,
                )
            _chart(console, schedule, begin, doc["hourly"])

    session.emit(
        {
            "start": begin.isoformat(),
            "days": days,
            "schedules": [{k: v for k, v in d.items() if k != "_schedule"} for d in documents],
        },
        text,
    )
