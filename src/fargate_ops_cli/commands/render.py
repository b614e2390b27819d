"""How runs are shown: a live, readable timeline for people; one JSON document for machines."""

from __future__ import annotations

import json
import sys
from typing import Any

from rich.console import Console
from rich.markup import escape

from fargate_ops_cli.commands.progress import analysis_lines, reason_text
from fargate_ops_cli.local.narrative import Entry, clock_text
from fargate_ops_cli.local.report import Report

_STYLE = {
    "operator": "bold cyan",
    "ECS": "yellow",
    "CloudWatch": "magenta",
    "fargate-ops": "bold green",
    "world": "dim",
    "invariant": "bold red",
    "IAM": "bold red",
}


class TimelinePrinter:
    def __init__(self, console: Console | None = None) -> None:
        self.console = console or Console(highlight=False, soft_wrap=True)

    def __call__(self, entry: Entry) -> None:
        if entry.actor == "note":
            self.console.print(f"\n[bold]{escape(entry.text)}[/bold]")
            return
        style = _STYLE.get(entry.actor, "green" if entry.actor.startswith("deploy") else "white")
        self.console.print(
            f"  [dim]{clock_text(entry.at)}[/dim]  [{style}]{escape(entry.actor):<14}[/{style}]"
            f" {escape(entry.text)}"
        )

    def summary(self, report: Report) -> None:
        console = self.console
        console.print()
        for deploy in report.deploys:
            colour = "green" if deploy["status"] == "SUCCEEDED" else "red"
            line = f"deploy {deploy['id']}: [{colour}]{deploy['status']}[/{colour}]"
            line += f", weights {deploy.get('final_weights')}"
            line += f", {deploy['state_transitions']} state transitions"
            line += f", {deploy.get('history_events')} history events"
            line += f", largest payload {deploy.get('largest_payload_bytes')} bytes"
            console.print(line)
            for line in analysis_lines(deploy.get("analysis") or []):
                console.print(escape(line))
            if deploy.get("rollback_reason"):
                console.print(f"  [red]why:[/red] {escape(reason_text(deploy['rollback_reason']))}")
        for service in report.services:
            console.print(
                f"service {service['name']}: {service['running']}/{service['desired']} running,"
                f" {service['task_definition']}"
            )
        console.print(f"weights now: {report.weights}")
        console.print(
            f"notifications: {len(report.notifications)};"
            f" API calls by the application: {sum(report.api_calls.values())}"
        )
        for result in report.expectations:
            mark = "[green]✓[/green]" if result["ok"] else "[red]✗[/red]"
            console.print(f"{mark} {escape(result['what'])}: {escape(result['detail'])}")
        if report.invariant_violations:
            console.print(f"[red]invariant violations: {len(report.invariant_violations)}[/red]")
        for denial in report.iam.get("denials", []):
            console.print(
                f"[red]IAM denied[/red] {escape(denial['principal'])}: {escape(denial['action'])}"
                f" on {escape(denial['resource'])}"
            )


def print_json(report: Report) -> None:
    json.dump(report.as_dict(), sys.stdout, indent=2, default=str)
    sys.stdout.write("\n")


def exit_code(report: Report) -> int:
    violations = report.invariant_violations and not report.invariants_waived
    return 0 if report.expectations_met and not violations else 1


def fail_input(message: str, output: str) -> Any:
    if output == "json":
        json.dump({"error": message, "exit_code": 2}, sys.stdout)
        sys.stdout.write("\n")
    else:
        Console(stderr=True, highlight=False).print(f"[red]error:[/red] {escape(message)}")
    sys.exit(2)
