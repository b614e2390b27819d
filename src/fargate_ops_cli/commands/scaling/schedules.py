"""`fargate-ops scaling create|update FILE`, `delete NAME`, `list`, `show NAME`.

A schedule file is docs/scaling.md's YAML; ``holidays.ical`` names an iCalendar file beside it, read
here (its all-day events become plain ``dates``) so the functions never parse iCalendar. Every problem
of a schedule is reported at once, each with its field, and nothing is stored (exit 2).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import click
import yaml

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.operations.errors import OperatorError


def read_schedule_file(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text())
    except OSError as error:
        raise OperatorError(f"{path}: cannot read: {error.strerror}") from None
    except yaml.YAMLError as error:
        raise OperatorError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(raw, dict):
        raise OperatorError(f"{path}: a schedule is a mapping with name, timezone, periods, ...")
    holidays = raw.get("holidays")
    if isinstance(holidays, dict) and "ical" in holidays:
        from fargate_ops_cli.scaling.ical import holidays_from_ical

        ical = path.parent / str(holidays.pop("ical"))
        this_year = date.today().year
        found = holidays_from_ical(ical.read_text(), date(this_year, 1, 1), date(this_year + 2, 1, 1))
        holidays["dates"] = [
            *holidays.get("dates", []),
            *[d.model_dump(mode="json", exclude_none=True) for d in found.dates],
        ]
    return raw


def run_reconciler(session: Session, source: str) -> bool:
    """Run the reconciler now (asynchronously: its own retries apply, the CLI does not wait), so a new
    schedule or override holds from now and the one-time schedule at its next edge is kept at once."""
    import json

    function = session.resources.scaling_function_arn
    if function:
        session.client("lambda").invoke(
            FunctionName=function, InvocationType="Event", Payload=json.dumps({"source": source}).encode()
        )
    return bool(function)


def _store(session: Session, table: str | None) -> Any:
    from fargate_ops.aws.store_scaling import ScalingStore

    return ScalingStore(session.client("dynamodb"), table or session.resources.table_name)


def _put(session: Session, path: Path, table: str | None, *, create: bool) -> None:
    from fargate_ops.aws.store_scaling import ScheduleExistsError, ScheduleNotFoundError
    from fargate_ops.models.schedule import ScheduleError

    raw = read_schedule_file(path)
    try:
        schedule = _store(session, table).put_schedule(
            raw, at=datetime.now(UTC).isoformat(timespec="seconds"), create=create
        )
    except ScheduleError as error:
        problems = "; ".join(f"{field}: {message}" for field, message in error.problems)
        raise OperatorError(f"{path}: {problems} (nothing was stored)") from None
    except (ScheduleExistsError, ScheduleNotFoundError) as error:
        raise OperatorError(str(error)) from None
    verb = "created" if create else "updated"
    reconciling = run_reconciler(session, "schedule")
    document = {
        "schedule": schedule.name,
        verb: True,
        "document": schedule.model_dump(mode="json", exclude_none=True),
        "reconciling": reconciling,
    }
    session.emit(document, lambda console: console.print(f"schedule {schedule.name} {verb}"))


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--table", default=None, help="the DynamoDB table (default: the stack's OpsTableName output)")
@aws_options
def create(session: Session, file: Path, table: str | None) -> None:
    """Store a new schedule from a YAML file (refused if the name exists)."""
    _put(session, file, table, create=True)


@click.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--table", default=None, help="the DynamoDB table (default: the stack's OpsTableName output)")
@aws_options
def update(session: Session, file: Path, table: str | None) -> None:
    """Replace a stored schedule from a YAML file (refused if there is none of that name)."""
    _put(session, file, table, create=False)


@click.command()
@click.argument("name")
@click.option("--table", default=None, help="the DynamoDB table (default: the stack's OpsTableName output)")
@aws_options
def delete(session: Session, name: str, table: str | None) -> None:
    """Delete a schedule (services naming it are then left as they are, with an error tag)."""
    from fargate_ops.aws.store_scaling import ScheduleNotFoundError

    try:
        _store(session, table).delete_schedule(name)
    except ScheduleNotFoundError as error:
        raise OperatorError(str(error)) from None
    session.emit({"schedule": name, "deleted": True}, lambda c: c.print(f"schedule {name} deleted"))


@click.command(name="list")
@click.option("--table", default=None, help="the DynamoDB table (default: the stack's OpsTableName output)")
@aws_options
def list_schedules(session: Session, table: str | None) -> None:
    """Every stored schedule: name, timezone, periods, one-offs."""
    schedules = _store(session, table).list_schedules()
    rows = [
        {
            "name": s.name,
            "timezone": s.timezone,
            "periods": len(s.periods),
            "one_off": len(s.one_off),
            "warm_up": s.warm_up,
            "description": s.description,
        }
        for s in schedules
    ]

    def text(console: Any) -> None:
        if not rows:
            console.print("no schedules")
        for row in rows:
            console.print(
                f"{row['name']:<24} {row['timezone']:<20} {row['periods']} period(s)"
                f"  {row['description'] or ''}"
            )

    session.emit({"schedules": rows}, text)


@click.command()
@click.argument("name")
@click.option("--table", default=None, help="the DynamoDB table (default: the stack's OpsTableName output)")
@aws_options
def show(session: Session, name: str, table: str | None) -> None:
    """One schedule as stored (YAML, or --output json)."""
    schedule = _store(session, table).get_schedule(name)
    if schedule is None:
        raise OperatorError(f"no schedule {name}: `fargate-ops scaling list` shows them")
    document = schedule.model_dump(mode="json", exclude_none=True)
    session.emit(
        document, lambda console: console.print(yaml.safe_dump(document, sort_keys=False), markup=False)
    )
