"""`fargate-ops rollback DEPLOY_ID`: after a success, within the rollback window, flip traffic back."""

from __future__ import annotations

import click

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.operations import controls


@click.command()
@click.argument("deploy_id")
@aws_options
def rollback(session: Session, deploy_id: str) -> None:
    """Send traffic back to the previous slot, still warm (exit 6 once the window has closed)."""
    result = controls.rollback(
        session.client("stepfunctions"), session.client("dynamodb"), session.resources.table_name, deploy_id
    )
    session.emit(result, lambda c: c.print(f"deploy {deploy_id}: rolling back to the previous slot"))
