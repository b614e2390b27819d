"""`fargate-ops local run SCENARIO`: run a scenario in the local runtime (no AWS account needed)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from fargate_ops_cli.commands.render import TimelinePrinter, exit_code, fail_input, print_json
from fargate_ops_cli.commands.serve import serve


@click.group()
def local() -> None:
    """Run the real application offline: the template in moto, a simulated Fargate world, a virtual clock."""


local.add_command(serve)


@local.command("run")
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def run(scenario: Path, output: str) -> None:
    """Run SCENARIO (a YAML file; see the README's "Scenario files") and report what happened.

    Exits 0 when the run ends with every `expect:` line met and no invariant violated, 1 when not,
    2 when the scenario file is bad (nothing runs).
    """
    run_scenario_file(scenario, output)


def run_scenario_file(path: Path, output: str) -> None:
    from fargate_ops_cli.local.scenario import ScenarioError, load

    try:
        scenario = load(path)
    except ScenarioError as error:
        fail_input(str(error), output)
        return
    run_loaded(scenario, output, base_dir=path.parent)


def run_loaded(scenario: object, output: str, base_dir: Path) -> None:
    from fargate_ops_cli.local.isolation import isolated_aws_environment

    with isolated_aws_environment():  # before moto is imported: it makes a boto3 session then
        _run(scenario, output, base_dir)


def _run(scenario: object, output: str, base_dir: Path) -> None:
    from fargate_ops_cli.local.runner import ScenarioRunner
    from fargate_ops_cli.local.scenario import Scenario, ScenarioError

    assert isinstance(scenario, Scenario)
    printer = TimelinePrinter() if output == "text" else None
    if printer is not None:
        printer.console.print(f"[bold]{scenario.name}[/bold] — {scenario.description.strip()}")
    try:
        report = ScenarioRunner(scenario, on_entry=printer, base_dir=base_dir).run()
    except ScenarioError as error:
        fail_input(str(error), output)
        return
    if printer is not None:
        printer.summary(report)
    else:
        print_json(report)
    sys.exit(exit_code(report))
