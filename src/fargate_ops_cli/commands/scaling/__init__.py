"""`fargate-ops scaling ...`: schedules in the table, overrides, a preview (docs/scaling.md).

One file per verb: schedules.py (create, update, delete, list, show), override.py, preview.py.
"""

from __future__ import annotations

import click

from fargate_ops_cli.commands.scaling.override import override
from fargate_ops_cli.commands.scaling.preview import preview
from fargate_ops_cli.commands.scaling.schedules import create, delete, list_schedules, show, update


@click.group()
def scaling() -> None:
    """Scheduled scaling: schedules, overrides and what they will do."""


for command in (create, update, delete, list_schedules, show, override, preview):
    scaling.add_command(command)
