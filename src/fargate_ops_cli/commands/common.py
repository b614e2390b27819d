"""What every AWS-facing verb shares: the stack to talk to, clients, output format, error handling."""

from __future__ import annotations

import functools
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import click
from rich.console import Console
from rich.markup import escape

from fargate_ops_cli.operations.errors import OperatorError
from fargate_ops_cli.operations.resources import DEFAULT_STACK, Resources

F = TypeVar("F", bound=Callable[..., Any])


@dataclass
class Session:
    stack: str
    region: str | None
    output: str
    _clients: dict[str, Any] = field(default_factory=dict)
    _resources: Resources | None = None

    def client(self, name: str) -> Any:
        if name not in self._clients:
            import boto3
            from botocore.config import Config

            config = Config(
                retries={"mode": "standard", "max_attempts": 5}, user_agent_extra="fargate-ops-cli"
            )
            self._clients[name] = boto3.client(name, region_name=self.region, config=config)  # type: ignore[call-overload]
        return self._clients[name]

    def sleep(self, seconds: float) -> None:
        """Between polls of `--wait`; tests on the local runtime advance its virtual clock instead."""
        time.sleep(seconds)

    @property
    def resources(self) -> Resources:
        if self._resources is None:
            self._resources = Resources.from_stack(self.client("cloudformation"), self.stack)
        return self._resources

    def emit(self, document: dict[str, Any], text: Callable[[Console], None]) -> None:
        if self.output == "json":
            json.dump(document, sys.stdout, indent=2, default=str)
            sys.stdout.write("\n")
        else:
            text(Console(highlight=False, soft_wrap=True))


def aws_options(fn: F) -> F:
    """--stack, --region and --output for a verb; the verb receives a `session`."""

    @click.option("--stack", default=DEFAULT_STACK, show_default=True, help="the fargate-ops stack's name")
    @click.option("--region", default=None, help="AWS region (default: your AWS configuration's)")
    @click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @functools.wraps(fn)
    def wrapper(stack: str, region: str | None, output: str, **kwargs: Any) -> Any:
        session = Session(stack, region, output)
        try:
            return fn(session=session, **kwargs)
        except OperatorError as error:
            fail(session.output, str(error), int(error.exit_code))

    return wrapper  # type: ignore[return-value]


def fail(output: str, message: str, code: int) -> None:
    if output == "json":
        json.dump({"error": message, "exit_code": code}, sys.stdout)
        sys.stdout.write("\n")
    else:
        Console(stderr=True, highlight=False).print(f"[red]error:[/red] {escape(message)}")
    sys.exit(code)
