"""`fargate-ops status DEPLOY_ID`: where a deploy is (step, weights, what it waits for, why it ended)."""

from __future__ import annotations

import sys

import click

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.commands.deploy import follow
from fargate_ops_cli.commands.progress import print_summary
from fargate_ops_cli.operations.watch import snapshot


@click.command()
@click.argument("deploy_id")
@click.option("--wait/--no-wait", default=False, help="follow it to its end")
@aws_options
def status(session: Session, deploy_id: str, wait: bool) -> None:
    """Show a deploy. Once it has ended, exits with its code (0 succeeded, 3 rolled back, 4 failed)."""
    if wait:
        sys.exit(follow(session, deploy_id)["exit_code"])
    resources = session.resources
    from botocore.exceptions import ClientError

    try:
        current = snapshot(
            session.client("stepfunctions"),
            session.client("dynamodb"),
            resources.table_name,
            resources.state_machine_arn,
            deploy_id,
        )
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") != "ExecutionDoesNotExist":
            raise  # the environment's (denied, expired, ...): every verb's errors are translated alike
        from fargate_ops_cli.operations.errors import OperatorError

        raise OperatorError(
            f"no deploy {deploy_id!r}: {error.response['Error']['Message']}"
            " (`fargate-ops history` lists recent ones)"
        ) from None
    session.emit(current, lambda console: print_summary(console, current))
    if current["exit_code"] is not None:
        sys.exit(current["exit_code"])
