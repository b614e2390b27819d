"""`fargate-ops local serve [SCENARIO | --world FILE]`: the application offline, behind an endpoint.

The real template deployed into moto with a simulated Fargate world, as `local run` does, but served
over HTTP so that every verb works against it: `--endpoint-url http://127.0.0.1:5050`, or
`export AWS_ENDPOINT_URL=...` once. The clock follows real time, `--speed` times faster.
"""

from __future__ import annotations

import contextlib
import json
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from importlib.resources import files
from pathlib import Path
from typing import Any

import click

from fargate_ops_cli.commands.common import fail, global_debug
from fargate_ops_cli.commands.render import fail_input
from fargate_ops_cli.operations.errors import ExitCode

DEFAULT_PORT = 5050  # not moto's 5000: macOS keeps 5000 for AirPlay
NARRATE_EVERY = 15.0  # virtual seconds between reads of the deploys' histories


@click.command("serve")
@click.argument("scenario", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--world", "world_file", type=click.Path(dir_okay=False, path_type=Path), help="a world file (YAML)"
)
@click.option("--host", default="127.0.0.1", show_default=True, help="the address to listen on")
@click.option("--port", default=DEFAULT_PORT, show_default=True, type=click.IntRange(0, 65535), help="0: any")
@click.option(
    "--speed",
    default=1.0,
    show_default=True,
    type=click.FloatRange(min=0, min_open=True, max=10_000),
    help="virtual seconds per real second: at 60 a 5-minute bake lasts 5 seconds",
)
@click.option("--start", "start_at", default=None, help="the clock's start, ISO 8601 (default: now)")
@click.option("--output", type=click.Choice(["text", "json"]), default="text", show_default=True)
def serve(
    scenario: Path | None,
    world_file: Path | None,
    host: str,
    port: int,
    speed: float,
    start_at: str | None,
    output: str,
) -> None:
    """Run the application offline behind an endpoint every verb can use, until Ctrl-C.

    The world is SCENARIO's (its timeline is not played: you are the operator), or --world FILE's
    (what a scenario's `world:` holds), or else the demo's. Prints the endpoint and the lines to
    export, then what the world and the deploys do. Exits 2 on a bad file or flag, 7 if the port is
    taken.
    """
    from fargate_ops_cli.local.isolation import isolated_aws_environment

    spec, name, faults = _world(scenario, world_file, output)
    start = _start(start_at, output)
    with isolated_aws_environment(spec.region):  # before moto is imported: it makes a boto3 session then
        _serve(spec, name, host, port, speed, start, output, faults)


def _serve(
    spec: Any, name: str, host: str, port: int, speed: float, start: str, output: str, faults: Any = None
) -> None:
    import logging

    from fargate_ops_cli.commands.render import TimelinePrinter
    from fargate_ops_cli.local.endpoint import LocalEndpoint
    from fargate_ops_cli.local.narrative import Narrative
    from fargate_ops_cli.local.world_session import open_local_world

    if not global_debug():
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
    endpoint = LocalEndpoint(host, port, speed)
    printer = TimelinePrinter() if output == "text" else None
    narrative = Narrative(printer if printer is not None else _json_line)
    with contextlib.ExitStack() as running:
        try:
            running.enter_context(endpoint)
        except OSError as error:
            fail(
                output,
                f"cannot listen on {host}:{port}: {error.strerror}; pass --port N (0: any free port)",
                int(ExitCode.ENVIRONMENT),
                "port-in-use",
            )
        local_world = running.enter_context(
            open_local_world(spec, start=start, sink=lambda runtime, _: _Told(runtime, narrative))
        )
        _narrate_deploys(local_world, narrative)
        if faults is not None:  # a scenario's faults hold here too: a failing rollback, to recover by hand
            from fargate_ops_cli.local import faults as injected

            injected.install(faults, local_world.runtime)
        stop = threading.Event()
        with _stopped_by_signals(stop):
            endpoint.serve(
                local_world,
                stop,
                on_ready=lambda: _announce(local_world, spec, endpoint, name, speed, start, output),
            )
    if printer is not None:
        printer.console.print(f"\nstopped after {endpoint.requests} requests; the world is gone with it")


def _world(scenario: Path | None, world_file: Path | None, output: str) -> tuple[Any, str, Any]:
    from fargate_ops_cli.local.scenario import ScenarioError, load, load_world, loads

    if scenario is not None and world_file is not None:
        fail_input("give a SCENARIO or --world FILE, not both", output)
    try:
        if world_file is not None:
            return load_world(world_file), world_file.name, None
        if scenario is not None:
            loaded = load(scenario)
            unplayed = " (its timeline is not played: you are the operator)" if loaded.timeline else ""
            return loaded.world, f"the world of {scenario.name}{unplayed}", loaded.faults
        demo = files("fargate_ops_cli.scenarios").joinpath("demo.yaml")
        return loads(demo.read_text(), "demo.yaml").world, "the demo's world", None
    except ScenarioError as error:
        fail_input(str(error), output)
        raise  # unreachable: fail_input exits


def _start(start_at: str | None, output: str) -> str:
    if start_at is None:
        # Now, so that timestamps and `events --since 1h` read naturally.
        return datetime.now(UTC).replace(microsecond=0).isoformat()
    try:
        moment = datetime.fromisoformat(start_at.replace("Z", "+00:00"))
    except ValueError:
        fail_input(f"--start {start_at!r}: give an ISO 8601 time, e.g. 2026-01-05T09:00:00Z", output)
        raise
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC).isoformat()


class _Told:
    """The simulator's event sink: each AWS event the world emits is told, then delivered."""

    def __init__(self, runtime: Any, narrative: Any) -> None:
        self._rt = runtime
        self._narrative = narrative

    def emit(self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]) -> Any:
        event = self._rt.bus.emit(source, detail_type, detail, resources)
        self._narrative.event(self._rt.clock.now(), event)
        return event


def _narrate_deploys(local_world: Any, narrative: Any) -> None:
    """Every few virtual seconds, tell the deploys' new steps (the CLI starts them, not a timeline)."""
    from fargate_ops_cli.local.clients import as_world

    runtime = local_world.runtime
    machine = local_world.stack.outputs["DeployStateMachineArn"]

    def tick() -> None:
        with as_world():
            pages = runtime.clients.client("stepfunctions").get_paginator("list_executions")
            deploys = {
                e["name"]: e["executionArn"]
                for page in pages.paginate(stateMachineArn=machine)
                for e in page["executions"]
            }
        narrative.read_executions(runtime, deploys)
        runtime.clock.call_later(NARRATE_EVERY, tick, "narrate")

    runtime.clock.call_later(NARRATE_EVERY, tick, "narrate")


def _json_line(item: Any) -> None:
    """One JSON document a line: the ready document first, then each timeline entry."""
    sys.stdout.write(json.dumps(item if isinstance(item, dict) else item.as_dict()) + "\n")
    sys.stdout.flush()


@contextmanager
def _stopped_by_signals(stop: threading.Event) -> Iterator[None]:
    def handler(signum: int, frame: Any) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _announce(
    local_world: Any, spec: Any, endpoint: Any, name: str, speed: float, start: str, output: str
) -> None:
    region = local_world.runtime.clients.region
    services = list(local_world.world.services)
    listener = local_world.world.traffic_arn()
    exports = {"AWS_ENDPOINT_URL": endpoint.url, "AWS_DEFAULT_REGION": region}
    document = {
        "ready": True,
        "endpoint": endpoint.url,
        "region": region,
        "stack": local_world.stack.name,
        "cluster": local_world.world.cluster_name,
        "services": services,
        "listener_arn": listener,
        "speed": speed,
        "clock_start": start,
        "environment": exports,
    }
    if output == "json":
        _json_line(document)
        return
    from rich.console import Console

    console = Console(highlight=False, soft_wrap=True)

    def say(text: str) -> None:
        console.print(text, markup=False)  # ARNs and URLs, not markup

    say(f"fargate-ops local runtime: {name}, the real template and handlers in moto, clock at {speed:g}x")
    say(f"  endpoint  {endpoint.url}  (region {region}, stack {local_world.stack.name}, clock from {start})")
    tasks = ", ".join(f"{s.name} ({s.desired_count} x {s.image})" for s in spec.services)
    say(f"  cluster   {local_world.world.cluster_name}: {tasks}")
    say(f"  listener  {listener}")
    say("In another shell:")
    say("  export " + " ".join(f"{k}={v}" for k, v in exports.items()))
    say("  " + _example_deploy(local_world, spec))
    say("Ctrl-C stops it (everything lives in memory).\n")
    sys.stdout.flush()


def _example_deploy(local_world: Any, spec: Any) -> str:
    """A deploy command for the world's first application (two services named <app>-*)."""
    apps: dict[str, list[Any]] = {}
    for service in spec.services:
        apps.setdefault(service.name.rsplit("-", 1)[0], []).append(service)
    app, slots = next(((a, s) for a, s in apps.items() if len(s) == 2), (None, []))
    if app is None:
        return (
            "fargate-ops deploy --cluster CLUSTER --app APP --slots A,B --listener ARN --image C=IMAGE --wait"
        )
    image = next((i for i in spec.images if i not in {s.image for s in slots}), "IMAGE")
    return (
        f"fargate-ops deploy --cluster {local_world.world.cluster_name} --app {app}"
        f" --slots {','.join(s.name for s in slots)} --listener {local_world.world.traffic_arn()}"
        f" --image {slots[0].container_name}={image} --wait"
    )
