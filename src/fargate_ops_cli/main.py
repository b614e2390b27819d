"""The `fargate-ops` command. One module per verb under `commands/`.

Exit codes (stable, for CI):
  0  success
  1  the run finished but something did not hold (an expectation, a rolled-back deploy)
  2  bad input: a scenario file or an argument that cannot be used; nothing ran
"""

from __future__ import annotations

import click

from fargate_ops_cli.commands.demo import demo
from fargate_ops_cli.commands.local import local


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="fargate-ops")
def cli() -> None:
    """fargate-ops: blue/green deploys, event reactions, scaling windows and cleanup for ECS/Fargate."""


cli.add_command(demo)
cli.add_command(local)


def main() -> None:
    cli()
