"""`fargate-ops recover DEPLOY_ID [--apply]`: a deploy that ended without finishing (ROLLBACK_FAILED, or
stopped with no final record): shows where traffic is; `--apply` puts it on a healthy slot."""

from __future__ import annotations

import click
from rich.console import Console

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.operations.recover import recover_deploy


@click.command()
@click.argument("deploy_id")
@click.option(
    "--apply", is_flag=True, help="put all traffic on the healthy slot, finish the record, free the lease"
)
@aws_options
def recover(session: Session, deploy_id: str, apply: bool) -> None:
    """Show a deploy's record, lease, live weights and slot health; --apply recovers it.

    Exits 0 when done (or nothing to do), 4 when no slot can be told healthy and traffic is split
    (nothing changed), 6 while its execution still runs, 2 for an unknown deploy.
    """
    document = recover_deploy(session.client, session.resources.table_name, deploy_id, apply=apply)

    def text(console: Console) -> None:
        console.print(f"deploy {deploy_id}: {document['status']} (execution {document['execution_status']})")
        console.print(f"  traffic: {document['traffic']}")
        for slot in document["slots"]:
            healthy = "unknown" if slot["healthy"] is None else slot["healthy"]
            console.print(f"  {slot['role']} {slot['service']}: {healthy} healthy target(s)")
        console.print(f"  lease: {document['lease_holder'] or 'free'}")
        for problem in document["problems"]:
            console.print(f"  [yellow]{problem}[/yellow]")
        console.print(document["text"])

    session.emit(document, text)
