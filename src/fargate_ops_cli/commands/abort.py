"""`fargate-ops abort DEPLOY_ID`: stop a deploy; it rolls back (traffic to the live slot, green to zero)."""

from __future__ import annotations

import click

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.operations import controls


@click.command()
@click.argument("deploy_id")
@click.option("--reason", default="", help="recorded with the rollback")
@aws_options
def abort(session: Session, deploy_id: str, reason: str) -> None:
    """Abort a running deploy (exit 6 if it is not at a wait it can be aborted from)."""
    result = controls.abort(
        session.client("stepfunctions"),
        session.client("dynamodb"),
        session.resources.table_name,
        deploy_id,
        reason,
    )
    session.emit(result, lambda c: c.print(f"deploy {deploy_id}: aborted; it is rolling back"))
