"""`fargate-ops deploy`: start a blue/green deploy (validated first), optionally follow it to the end."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click
import yaml

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.commands.progress import describe, print_summary
from fargate_ops_cli.operations import start as starting
from fargate_ops_cli.operations import watch as watching
from fargate_ops_cli.operations.errors import OperatorError


def build_input(
    input_file: Path | None,
    cluster: str | None,
    app: str | None,
    images: tuple[str, ...],
    task_definition: str | None,
    strategy: str | None,
    slots: str | None,
    listener: str | None,
    deploy_id: str | None,
) -> dict[str, Any]:
    """Flags override the file; the result is validated by the application's own model later."""
    document: dict[str, Any] = {}
    if input_file is not None:
        loaded = yaml.safe_load(input_file.read_text())
        if not isinstance(loaded, dict):
            raise OperatorError(f"{input_file}: a deploy input is a mapping (JSON or YAML)")
        document.update(loaded)
    for key, value in (
        ("cluster", cluster),
        ("application", app),
        ("deploy_id", deploy_id),
        ("listener_arn", listener),
    ):
        if value is not None:
            document[key] = value
    if slots is not None:
        document["slots"] = [s.strip() for s in slots.split(",") if s.strip()]
    if images:
        pairs = {}
        for item in images:
            container, sep, image = item.partition("=")
            if not sep or not container or not image:
                raise OperatorError(f"--image {item!r}: write CONTAINER=IMAGE, e.g. --image web=repo/web:v2")
            pairs[container] = image
        document["change"] = {"images": pairs}
    if task_definition is not None:
        document["change"] = {"task_definition": task_definition}
    if strategy is not None:
        document["strategy"] = (
            json.loads(strategy) if strategy.lstrip().startswith("{") else {"type": strategy}
        )
    return document


@click.command()
@click.option(
    "--input", "input_file", type=click.Path(dir_okay=False, path_type=Path), help="deploy input (JSON/YAML)"
)
@click.option("--cluster")
@click.option("--app", help="the application (a pair of slot services)")
@click.option("--image", "images", multiple=True, help="CONTAINER=IMAGE; repeat per container")
@click.option("--task-definition", help="deploy this task definition ARN instead of new images")
@click.option("--strategy", help='all-at-once, a preset (canary-10-percent-5-minutes), or JSON {"type": ...}')
@click.option("--slots", help="first deploy: the two slot services, comma-separated")
@click.option(
    "--listener", help="first deploy: the listener or listener-rule ARN that forwards to both slots"
)
@click.option("--id", "deploy_id", help="the deploy id (default: generated); the same id never starts twice")
@click.option("--wait/--no-wait", default=False, help="follow the deploy to its end, showing progress")
@aws_options
def deploy(session: Session, wait: bool, **flags: Any) -> None:
    """Start a blue/green deploy of an application.

    Exit codes: 0 succeeded (or started, without --wait), 2 bad input (nothing sent), 3 rolled back,
    4 failed, 5 rejected because another deploy of the application is running.
    """
    document = build_input(**flags)
    checked = starting.validate(document)  # before any AWS call: a bad field changes nothing
    resources = session.resources
    outcome = starting.start(session.client("stepfunctions"), resources, checked)
    deploy_id = checked["deploy_id"]
    if not wait:
        if outcome.started:
            said = "started"
        else:
            said = "already running" if outcome.status == "RUNNING" else f"already ran ({outcome.status})"
        session.emit(
            {
                "deploy_id": deploy_id,
                "execution_arn": outcome.execution_arn,
                "started": outcome.started,
                "execution_status": outcome.status,
            },
            lambda c: c.print(f"deploy {deploy_id} {said}: `fargate-ops status {deploy_id}` to follow it"),
        )
        return
    final = follow(session, deploy_id)
    sys.exit(final["exit_code"])


def follow(session: Session, deploy_id: str) -> dict[str, Any]:
    resources = session.resources
    args = (session.client("stepfunctions"), session.client("dynamodb"), resources.table_name)
    if session.output == "json":
        final = watching.watch(
            *args, resources.state_machine_arn, deploy_id, on_update=lambda _: None, sleep=session.sleep
        )
        session.emit(final, lambda c: None)
        return final
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)
    if console.is_terminal:
        final = _follow_live(console, args, resources.state_machine_arn, deploy_id, session)
    else:
        # A log (CI, a pipe): a live display would show nothing until the end; print each change.
        seen: list[Any] = []

        def log(summary: dict[str, Any]) -> None:
            key = progress_key(summary)
            if not seen or seen[-1] != key:
                seen.append(key)
                for line in describe(summary):
                    console.print(line)

        final = watching.watch(
            *args, resources.state_machine_arn, deploy_id, on_update=log, sleep=session.sleep
        )
    print_summary(console, final) if final.get("timed_out_waiting") else None
    return final


def _follow_live(
    console: Any, args: tuple[Any, Any, str], state_machine_arn: str, deploy_id: str, session: Session
) -> dict[str, Any]:
    from rich.live import Live
    from rich.text import Text

    with Live(console=console, refresh_per_second=4, transient=False) as live:

        def draw(summary: dict[str, Any]) -> None:
            live.update(Text.from_markup("\n".join(describe(summary))))

        return watching.watch(*args, state_machine_arn, deploy_id, on_update=draw, sleep=session.sleep)


def progress_key(summary: dict[str, Any]) -> tuple[Any, ...]:
    """What a change is, for a log: not the seconds left, which change on every poll."""
    waiting = summary.get("waiting") or {}
    weights = tuple(sorted((summary.get("weights") or {}).items()))
    return (
        summary["status"],
        summary.get("step_index"),
        weights,
        waiting.get("kind"),
        len(summary.get("analysis") or []),
        bool(summary.get("rollback_reason")),
    )
