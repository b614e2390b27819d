"""The `fargate-ops` command. One module per verb under `commands/`.

Exit codes (stable, for CI; see operations/errors.py):
  0  success
  1  a local run finished but an expectation or invariant did not hold
  2  bad input: a scenario file, an argument or a deploy input that cannot be used; nothing changed
  3  the deploy rolled back
  4  the deploy failed (could not roll back cleanly, or was aborted by Step Functions)
  5  rejected: another deploy of the application is running; nothing was touched
  6  not now: a control (promote, approve, abort, rollback, recover) that does not apply to the deploy's
     state
  7  the environment: no region, no or expired credentials, the endpoint unreachable, access denied,
     or no fargate-ops stack of that name there; one line says what to do (--debug: the traceback)

Every AWS-facing verb takes --endpoint-url (or boto3's AWS_ENDPOINT_URL): `fargate-ops local serve`
runs the application offline behind such an endpoint, so every verb can be tried without an account.
"""

from __future__ import annotations

import atexit
import gc

import click

from fargate_ops_cli.commands.abort import abort
from fargate_ops_cli.commands.approve import approve
from fargate_ops_cli.commands.cleanup import cleanup
from fargate_ops_cli.commands.demo import demo
from fargate_ops_cli.commands.deploy import deploy
from fargate_ops_cli.commands.events import events
from fargate_ops_cli.commands.history import history
from fargate_ops_cli.commands.local import local
from fargate_ops_cli.commands.promote import promote
from fargate_ops_cli.commands.recover import recover
from fargate_ops_cli.commands.rollback import rollback
from fargate_ops_cli.commands.scaling import scaling
from fargate_ops_cli.commands.status import status


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fargate-ops")
@click.option(
    "--debug", is_flag=True, envvar="FARGATE_OPS_DEBUG", help="show tracebacks of errors (every verb)"
)
def cli(debug: bool) -> None:
    """fargate-ops: blue/green deploys, event reactions, scaling windows and cleanup for ECS/Fargate."""


for command in (
    deploy,
    status,
    history,
    promote,
    approve,
    abort,
    rollback,
    recover,
    events,
    cleanup,
    scaling,
    demo,
    local,
):
    cli.add_command(command)


def main() -> None:
    # The local runtime leaves a large heap (moto's backends, the interpreter's state); the collection
    # Python runs while it shuts down took seconds after the work was done. Frozen, it is skipped.
    atexit.register(gc.freeze)
    cli()
