"""`fargate-ops history [--app APP]`: recent deploys, newest first."""

from __future__ import annotations

from typing import Any

import click

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.operations.history import recent_deploys


@click.command()
@click.option("--app", help="only this application")
@click.option("--limit", default=20, show_default=True, type=click.IntRange(1, 1000))
@aws_options
def history(session: Session, app: str | None, limit: int) -> None:
    """List recent deploys with their outcome."""
    resources = session.resources
    deploys = recent_deploys(
        session.client("stepfunctions"), session.client("dynamodb"), resources, application=app, limit=limit
    )

    def text(console: Any) -> None:
        if not deploys:
            console.print("no deploys yet")
        for d in deploys:
            console.print(
                f"{d['started_at'] or '':<32} {d['deploy_id']:<28} {d['status']:<12} "
                f"{d.get('application') or '':<16} {(d.get('strategy') or {}).get('type', '')}"
            )

    session.emit({"deploys": deploys}, text)
