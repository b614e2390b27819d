"""`fargate-ops promote DEPLOY_ID [--full]`: end the current bake now, or skip every remaining step."""

from __future__ import annotations

import click

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.operations import controls


@click.command()
@click.argument("deploy_id")
@click.option("--full", is_flag=True, help="skip all remaining steps: straight to 100% green")
@aws_options
def promote(session: Session, deploy_id: str, full: bool) -> None:
    """Promote a baking deploy (exit 6 if it is not baking now)."""
    result = controls.promote(
        session.client("stepfunctions"),
        session.client("dynamodb"),
        session.resources.table_name,
        deploy_id,
        full,
    )
    what = "to 100% now" if full else "past the current bake"
    session.emit(result, lambda c: c.print(f"deploy {deploy_id}: promoted {what}"))
