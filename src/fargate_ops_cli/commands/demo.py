"""`fargate-ops demo`: the hands-on, replayed by the real application in the local runtime."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

import click

from fargate_ops_cli.commands.local import run_loaded


@click.command()
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def demo(output: str) -> None:
    """Deploy a sample app behind an ALB on Fargate, update it blue/green, scale out and in, clean up.

    Everything runs offline: the real template, state machines and handlers on moto, a simulated
    Fargate world, and a virtual clock (an hour of operations takes seconds).
    """
    from fargate_ops_cli.local.scenario import loads

    resource = files("fargate_ops_cli.scenarios").joinpath("demo.yaml")
    scenario = loads(resource.read_text(), "demo.yaml")
    run_loaded(scenario, output, base_dir=Path.cwd())
