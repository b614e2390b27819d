"""`fargate-ops approve DEPLOY_ID`: pass a manual approval gate."""

from __future__ import annotations

import click

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.operations import controls


@click.command()
@click.argument("deploy_id")
@aws_options
def approve(session: Session, deploy_id: str) -> None:
    """Approve a deploy waiting at a gate (exit 6 if it is not waiting for approval)."""
    result = controls.approve(
        session.client("stepfunctions"), session.client("dynamodb"), session.resources.table_name, deploy_id
    )
    session.emit(result, lambda c: c.print(f"deploy {deploy_id}: approved"))
