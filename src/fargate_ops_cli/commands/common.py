"""What every AWS-facing verb shares: the stack to talk to, clients, output format, error handling."""

from __future__ import annotations

import functools
import ipaddress
import json
import os
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar
from urllib.parse import urlsplit

import click
from rich.console import Console
from rich.markup import escape

from fargate_ops_cli.operations.environment import translate
from fargate_ops_cli.operations.errors import AwsEnvironmentError, OperatorError
from fargate_ops_cli.operations.resources import DEFAULT_STACK, Resources

F = TypeVar("F", bound=Callable[..., Any])


# Only loopback endpoints get the local runtime's conveniences (below): a proxy or an AWS-compatible
# service elsewhere gets exactly what the user configured.
_LOOPBACK_NAMES = {"localhost", "localhost.localdomain"}
LOCAL_REGION = "us-east-1"  # the local runtime's default region, when nothing names one
LOCAL_POLL_SECONDS = 1.0


@dataclass
class Session:
    stack: str
    region: str | None
    output: str
    endpoint_url: str | None = None
    debug: bool = False
    _clients: dict[str, Any] = field(default_factory=dict)
    _resources: Resources | None = None
    _boto: Any = None

    @property
    def endpoint(self) -> str | None:
        """Where the CLI sends its calls: --endpoint-url, else boto3's own AWS_ENDPOINT_URL; None for AWS."""
        if self.endpoint_url:
            return self.endpoint_url
        if os.environ.get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "").lower() == "true":
            return None
        return os.environ.get("AWS_ENDPOINT_URL") or None

    @property
    def local(self) -> bool:
        """Pointed at a loopback endpoint: most likely `fargate-ops local serve`."""
        return is_loopback(self.endpoint)

    def client(self, name: str) -> Any:
        if name not in self._clients:
            from botocore.config import Config

            if self.local:
                # A refused loopback connection is not a network blip: fail in a second, not after
                # five attempts with back-off.
                retries, connect_timeout = 2, 2.0
            else:
                retries, connect_timeout = 5, 10.0
            config = Config(
                retries={"mode": "standard", "max_attempts": retries},
                connect_timeout=connect_timeout,
                user_agent_extra="fargate-ops-cli",
            )
            self._clients[name] = self._session().client(name, endpoint_url=self.endpoint_url, config=config)
        return self._clients[name]

    def _session(self) -> Any:
        if self._boto is None:
            import boto3

            session = boto3.session.Session(region_name=self.region)
            if self.local and session.get_credentials() is None:
                # The local runtime (moto's server) accepts any signature; someone trying it out has
                # no AWS configuration at all, so sign with placeholders rather than refuse.
                session = boto3.session.Session(
                    aws_access_key_id="local",
                    aws_secret_access_key="local",
                    region_name=session.region_name or LOCAL_REGION,
                )
            elif self.local and not session.region_name:
                session = boto3.session.Session(region_name=LOCAL_REGION)
            self._boto = session
        return self._boto

    def action_of(self, operation: str) -> str:
        """The IAM action of an operation of one of this session's clients (DescribeStacks ->
        cloudformation:DescribeStacks), for error messages."""
        for client in self._clients.values():
            model = client.meta.service_model
            if operation in model.operation_names:
                return f"{model.signing_name}:{operation}"
        return operation

    def environment_problem(self, error: Exception) -> AwsEnvironmentError | None:
        """The environment problem behind `error` (a botocore error), if it is one."""
        translated = translate(error, endpoint=self.endpoint, action_of=self.action_of)
        return translated if translated is not None and translated.problem != "aws-error" else None

    def sleep(self, seconds: float) -> None:
        """Between polls of `--wait`. A local endpoint costs nothing to ask and its clock may run many
        times faster than real time (`local serve --speed`): ask it every second."""
        time.sleep(min(seconds, LOCAL_POLL_SECONDS) if self.local else seconds)

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


def is_loopback(url: str | None) -> bool:
    if not url:
        return False
    host = urlsplit(url).hostname or ""
    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def aws_options(fn: F) -> F:
    """--stack, --region, --endpoint-url, --output and --debug for a verb; the verb receives a `session`.

    The one place where errors become exit codes: an `OperatorError` says what to do; botocore's
    errors about the environment (region, credentials, endpoint, permissions) are translated by
    `operations.environment`; anything else is a bug and keeps its traceback.
    """

    @click.option("--stack", default=DEFAULT_STACK, show_default=True, help="the fargate-ops stack's name")
    @click.option("--region", default=None, help="AWS region (default: your AWS configuration's)")
    @click.option(
        "--endpoint-url",
        default=None,
        help="send every call there instead of AWS, e.g. `fargate-ops local serve`'s URL"
        " (default: AWS_ENDPOINT_URL)",
    )
    @click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
    @click.option("--debug", is_flag=True, help="show the traceback of an error (same as the global flag)")
    @functools.wraps(fn)
    def wrapper(
        stack: str, region: str | None, endpoint_url: str | None, output: str, debug: bool, **kwargs: Any
    ) -> Any:
        session = Session(stack, region, output, endpoint_url, debug or global_debug())
        try:
            return fn(session=session, **kwargs)
        except OperatorError as error:
            if session.debug:
                traceback.print_exc()
            fail(session.output, str(error), int(error.exit_code), getattr(error, "problem", None))
        except Exception as error:
            translated = translate(error, endpoint=session.endpoint, action_of=session.action_of)
            if translated is None:
                raise
            if session.debug:
                traceback.print_exc()
            fail(session.output, str(translated), int(translated.exit_code), translated.problem)

    return wrapper  # type: ignore[return-value]


def global_debug() -> bool:
    """`fargate-ops --debug VERB ...` (or FARGATE_OPS_DEBUG=1)."""
    context = click.get_current_context(silent=True)
    return bool(context is not None and context.find_root().params.get("debug"))


def fail(output: str, message: str, code: int, problem: str | None = None) -> None:
    if output == "json":
        document: dict[str, Any] = {"error": message, "exit_code": code}
        if problem is not None:
            document["problem"] = problem
        json.dump(document, sys.stdout)
        sys.stdout.write("\n")
    else:
        Console(stderr=True, highlight=False, soft_wrap=True).print(f"[red]error:[/red] {escape(message)}")
    sys.exit(code)
