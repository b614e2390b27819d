"""`fargate-ops cleanup plan|apply`: the stack's CleanupFunction, invoked as the schedule does.

`plan` is a dry run (changes nothing) and prints every action with its reason and what is kept and
why; `apply --yes` applies, invoking the function again with its continue token for as long as a run
stops before its time is up, and prints each run's progress. Exit codes (docs/cli.md): 0 done, 2 bad
input (apply without --yes), 4 some actions failed, 5 refused by a guard (nothing changed).
"""

from __future__ import annotations

import json
import sys
from typing import Any

import click

from fargate_ops_cli.commands.common import Session, aws_options
from fargate_ops_cli.operations.errors import ExitCode, OperatorError

MAX_RUNS = 100  # a plan of 10,000 deletions takes about 12 runs of 15 minutes at 1 per second


def _invoke(session: Session, function: str, event: dict[str, Any]) -> dict[str, Any]:
    response = session.client("lambda").invoke(FunctionName=function, Payload=json.dumps(event).encode())
    body: dict[str, Any] = json.loads(response["Payload"].read() or b"{}")
    if "FunctionError" in response:
        raise OperatorError(
            f"the cleanup function failed: {body.get('errorType')}: {body.get('errorMessage')}"
        )
    return body


def _run(session: Session, apply: bool, options: dict[str, Any]) -> None:
    function = session.resources.cleanup_function
    if not function:
        raise OperatorError("the stack has no CleanupFunctionName output: update it (`sam deploy`)")
    event: dict[str, Any] = {"apply": apply, **{k: v for k, v in options.items() if v}}
    runs: list[dict[str, Any]] = []
    done: dict[str, int] = {}
    while True:
        result = _invoke(session, function, event)
        runs.append(result)
        for what, n in ((result.get("applied") or {}).get("done") or {}).items():
            done[what] = done.get(what, 0) + n
        if apply and session.output != "json":
            so_far = ", ".join(f"{n} {what}" for what, n in sorted(done.items())) or "nothing yet"
            state = "done" if result["complete"] else "goes on"
            click.echo(f"run {len(runs)}: {so_far}; {state}", err=True)
        if result.get("complete", True) or len(runs) >= MAX_RUNS:
            break
        event = {**event, "continue": result["continue_token"]}
    first = runs[0]
    failures = [f for r in runs for f in (r.get("applied") or {}).get("failures", [])]
    document = {
        "dry_run": not apply,
        "plan": first["plan"],
        "runs": len(runs),
        "done": done,
        "failures": failures,
        "complete": runs[-1].get("complete", True),
    }

    def text(console: Any) -> None:
        for line in first.get("lines", []):
            console.print(line)
        if first.get("truncated"):  # Lambda answers at most 6 MB: a large plan's report lists its first lines
            total = first["truncated"]["totals"]["lines"]
            console.print(
                f"  ... and {total - len(first.get('lines', []))} more lines (the plan is applied whole)"
            )
        if apply:
            console.print("done: " + (", ".join(f"{n} {w}" for w, n in sorted(done.items())) or "nothing"))
        for failure in failures:
            console.print(f"failed: {failure['kind']} {failure['resource']}: {failure['reason']}")

    session.emit(document, text)
    if first["plan"].get("refused"):
        sys.exit(ExitCode.REJECTED)
    if failures or not document["complete"]:
        sys.exit(ExitCode.FAILED)


def _options(fn: Any) -> Any:
    fn = click.option("--cluster", "clusters", multiple=True, help="narrow the scope to these clusters")(fn)
    fn = click.option("--kind", "kinds", multiple=True, help="only these kinds (task-definition, ...)")(fn)
    return click.option(
        "--keep", "keep_revisions", type=click.IntRange(1, 1000), help="newest revisions kept"
    )(fn)


@click.group()
def cleanup() -> None:
    """Clean up orphaned resources: a dry run (plan), or apply with --yes (docs/cleanup.md)."""


@cleanup.command()
@_options
@aws_options
def plan(
    session: Session, clusters: tuple[str, ...], kinds: tuple[str, ...], keep_revisions: int | None
) -> None:
    """What a cleanup would do now, each action with its reason; changes nothing."""
    _run(session, False, {"clusters": list(clusters), "kinds": list(kinds), "keep_revisions": keep_revisions})


@cleanup.command()
@click.option("--yes", is_flag=True, help="really apply (mark, unmark, delete what is past its grace)")
@_options
@aws_options
def apply(
    session: Session, yes: bool, clusters: tuple[str, ...], kinds: tuple[str, ...], keep_revisions: int | None
) -> None:
    """Apply the cleanup: marks new orphans, deletes those marked past the grace period."""
    if not yes:
        raise OperatorError("cleanup apply changes the account: pass --yes (or run `cleanup plan` first)")
    _run(session, True, {"clusters": list(clusters), "kinds": list(kinds), "keep_revisions": keep_revisions})
