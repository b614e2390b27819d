"""The local runtime: the real template, state machines and handlers, run offline on moto.

    with LocalRuntime(repo_root, start=...) as runtime:
        runtime.deploy_stack()
        execution_arn = runtime.start_execution("DeployStateMachine", {...})
        runtime.clock.run_until(runtime.clock.now() + 3600)

It owns the virtual clock, the in-process Lambda host, the EventBridge bus and the schedules, and
installs every moto hook (moto_hooks.py) for the duration of the `with` block.
"""

from __future__ import annotations

import contextlib
import json
import tracemalloc
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from fargate_ops_cli.local import environ, iam, moto_hooks, sfn_events, strict_dynamodb
from fargate_ops_cli.local.bus import EventBus
from fargate_ops_cli.local.clients import COUNTER, ClientFactory, as_app, as_world
from fargate_ops_cli.local.clock import VirtualClock
from fargate_ops_cli.local.concurrency import Concurrency, ConcurrencySpec
from fargate_ops_cli.local.iam import IamEnforcer
from fargate_ops_cli.local.isolation import isolated_aws_environment
from fargate_ops_cli.local.lambdas import LambdaHost
from fargate_ops_cli.local.schedules import ScheduleRunner
from fargate_ops_cli.local.sfn_limits import largest_payload
from fargate_ops_cli.local.stack import REPO_ROOT, DeployedStack, deploy


@dataclass
class ExecutionSummary:
    arn: str
    state_machine: str
    name: str
    status: str
    state_transitions: int
    history_events: int
    largest_payload_bytes: int  # what the 256 KiB limit measures (sfn_limits.largest_payload)
    output: Any
    error: str | None
    cause: str | None
    started_at: float


class LocalRuntime:
    def __init__(
        self,
        repo_root: Path = REPO_ROOT,
        start: float | None = None,
        region: str = "us-east-1",
        measure_memory: bool = False,
        target_health: Any = None,
        seed: int = 0,
        enforce_iam: bool = True,
        concurrency: ConcurrencySpec | None = None,
    ) -> None:
        self.seed = seed
        self.enforce_iam = enforce_iam  # the local IAM check (iam/): on unless a caller says otherwise
        self.iam: IamEnforcer | None = None
        self.repo_root = repo_root
        self.clock = VirtualClock(
            start if start is not None else datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()
        )
        self.clients = ClientFactory(region=region)
        self.concurrency = Concurrency(self.clock, concurrency or ConcurrencySpec())
        self.lambdas = LambdaHost(
            repo_root, self.clock, measure_memory=measure_memory, parallel=self.concurrency.parallel
        )
        self.bus = EventBus(
            self.clock,
            self.clients,
            self._invoke_async,
            self._start_from_target,
            parallel=self.concurrency.parallel,
        )
        self.schedules = ScheduleRunner(
            self.clock, self._invoke_async, self._start_from_target, read_schedules=self._read_schedules
        )
        self.stack: DeployedStack | None = None
        self.measure_memory = measure_memory
        self.target_health = target_health
        self.executions: list[str] = []
        self._exit = contextlib.ExitStack()

    # -- lifecycle ------------------------------------------------------------------------------------
    def __enter__(self) -> LocalRuntime:
        from moto import mock_aws

        stack = self._exit
        stack.enter_context(isolated_aws_environment(self.clients.region))
        stack.enter_context(mock_aws(config={"stepfunctions": {"execute_state_machine": True}}))
        # moto draws resource ids (target groups, ENIs, MACs) from one generator: seed it so the same
        # scenario gives the same ids, and so the same report, every run.
        from moto.moto_api._internal import mock_random

        mock_random.seed(self.seed)
        stack.enter_context(environ.installed())  # each invocation's own variables, on its own thread
        stack.enter_context(
            moto_hooks.installed(
                self.clock, self.lambdas.invoke_moto_function, self._target_health, self.concurrency
            )
        )
        stack.enter_context(sfn_events.installed(self.bus.emit))  # what moto never puts on the bus
        stack.enter_context(self.lambdas.routing_stdout())
        stack.enter_context(_quiet_interpreter_logs())
        stack.enter_context(_app_time_source(self.clock, self.concurrency.jitter))
        COUNTER.reset()
        COUNTER.active = True
        stack.callback(setattr, COUNTER, "active", False)
        stack.callback(setattr, COUNTER, "throttle", None)
        stack.callback(setattr, COUNTER, "authorize", None)
        stack.callback(setattr, strict_dynamodb.BATCH_WRITES, "items_per_call", None)
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        self._exit.close()

    def _target_health(self, target_group: Any, target: dict[str, Any]) -> Any:
        return self.target_health(target_group, target) if self.target_health is not None else None

    # -- the application -------------------------------------------------------------------------------
    def deploy_stack(
        self, parameters: dict[str, str] | None = None, template: Path | None = None
    ) -> DeployedStack:
        with as_world(), _quiet_moto_cloudformation():
            self.stack = deploy(self.repo_root, self.clients, template, parameters=parameters)
            self.bus.load_rules()
            if self.enforce_iam:
                self.iam = iam.for_stack(self.stack, self.clients, self.clock)
                COUNTER.authorize = self.iam
        if self.measure_memory and not tracemalloc.is_tracing():
            # Traced from here on: what is measured is the functions' memory, and tracing the template's
            # deploy would only make the start-up (which the bench reports) three times slower.
            tracemalloc.start()
            self._exit.callback(tracemalloc.stop)
        self.schedules.start(self.stack.schedules)
        return self.stack

    def state_machine_arn(self, name_or_arn: str) -> str:
        if name_or_arn.startswith("arn:"):
            return name_or_arn
        assert self.stack is not None, "deploy_stack() first"
        return self.stack.state_machine_arn(name_or_arn)

    def start_execution(self, state_machine: str, payload: Any, name: str | None = None) -> str:
        """What the CLI or CI does: StartExecution (counted as the application's call)."""
        with as_app():
            kwargs: dict[str, Any] = {
                "stateMachineArn": self.state_machine_arn(state_machine),
                "input": json.dumps(payload),
            }
            if name:
                kwargs["name"] = name
            arn: str = self.clients.client("stepfunctions").start_execution(**kwargs)["executionArn"]
        self.executions.append(arn)
        return arn

    def invoke(self, function_logical_id: str, payload: Any) -> Any:
        """A synchronous invoke (RequestResponse), as the CLI would do."""
        assert self.stack is not None
        with as_app():
            response = self.clients.client("lambda").invoke(
                FunctionName=self.stack.function_arn(function_logical_id),
                Payload=json.dumps(payload).encode(),
            )
        body = json.loads(response["Payload"].read() or b"null")
        self.schedules.sync()  # what the function created through the Scheduler API fires too
        if "FunctionError" in response:
            raise RuntimeError(
                f"{function_logical_id} failed: {body.get('errorType')}: {body.get('errorMessage')}"
            )
        return body

    def _invoke_async(self, function_arn: str, event: Any) -> tuple[bool, str]:
        from moto.awslambda.models import lambda_backends

        name = function_arn.split(":function:", 1)[1].split(":", 1)[0]
        with as_app():
            fn = lambda_backends[self.clients.account_id][self.clients.region].get_function(name)
            (_, errored, _), invocation = self.lambdas.invoke_function(fn, event)
        return not errored, invocation.error or ""

    def _read_schedules(self) -> list[dict[str, Any]]:
        """Every schedule as the Scheduler API holds it (the world's reads, not the application's)."""
        with as_world():
            scheduler = self.clients.client("scheduler")
            names = [
                (s.get("GroupName"), s["Name"])
                for page in scheduler.get_paginator("list_schedules").paginate()
                for s in page.get("Schedules", [])
            ]
            return [
                scheduler.get_schedule(Name=name, **({"GroupName": group} if group else {}))
                for group, name in names
            ]

    def _start_from_target(self, state_machine_arn: str, payload: str) -> None:
        with as_world():
            arn = self.clients.client("stepfunctions").start_execution(
                stateMachineArn=state_machine_arn, input=payload
            )
        self.executions.append(arn["executionArn"])

    # -- reading results --------------------------------------------------------------------------------
    def execution(self, arn: str) -> ExecutionSummary:
        with as_world():
            sfn = self.clients.client("stepfunctions")
            described = sfn.describe_execution(executionArn=arn)
        events = moto_hooks.history_since(self.clients.account_id, self.clients.region, arn, 0)
        transitions = state_transitions(events)
        output = json.loads(described["output"]) if described.get("output") else None
        return ExecutionSummary(
            arn=arn,
            state_machine=described["stateMachineArn"].rsplit(":", 1)[-1],
            name=described.get("name", arn.rsplit(":", 1)[-1]),
            status=described["status"],
            state_transitions=transitions,
            history_events=len(events),
            largest_payload_bytes=largest_payload(events),
            output=output,
            error=described.get("error"),
            cause=described.get("cause"),
            started_at=described["startDate"].timestamp(),
        )

    def api_calls(self) -> dict[str, int]:
        return dict(sorted(COUNTER.counts.items()))


def state_transitions(events: list[dict[str, Any]]) -> int:
    """What Step Functions bills: a transition per state entered, and one per retry of a task (a task
    scheduled again within the same entry of its state)."""
    transitions, scheduled = 0, 0
    for event in events:
        kind = event.get("type") or ""  # moto's HistoryEventType, a str
        if kind.endswith("StateEntered"):
            transitions, scheduled = transitions + 1, 0
        elif kind in ("TaskScheduled", "LambdaFunctionScheduled", "ActivityScheduled"):
            scheduled += 1
            transitions += 1 if scheduled > 1 else 0
    return transitions


@contextlib.contextmanager
def _quiet_moto_cloudformation() -> Any:
    """moto warns about every resource type it does not model (the runtime fills in the ones that matter:
    schedules, EventInvokeConfig destinations); those warnings are noise to a user of the runtime."""
    import logging
    import warnings

    logger = logging.getLogger("moto")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", message=".*not supported by moto's CloudFormation.*")
            yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def _quiet_interpreter_logs() -> Any:
    """moto's ASL interpreter logs every failed state at ERROR with its whole parse tree; the run's own
    report says what failed and why, so keep those off the user's terminal."""
    import logging

    logger = logging.getLogger("moto.stepfunctions")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


@contextlib.contextmanager
def _app_time_source(clock: VirtualClock, jitter: Any) -> Any:
    """The application reads time (and sleeps, and draws its back-offs' jitter) through
    fargate_ops.clock; point it at the virtual clock and the run's seeded generators."""
    try:
        from fargate_ops import clients as app_clients
        from fargate_ops import clock as app_clock
    except ImportError:  # the application half is not importable (should not happen in an install)
        yield
        return
    app_clients.clear_cache()  # clients made before moto started would talk to AWS
    app_clock.set_time_source(clock.now)
    app_clock.set_sleep(_virtual_sleep(clock))
    app_clock.set_jitter(jitter)
    try:
        yield
    finally:
        app_clock.set_time_source(None)
        app_clock.set_sleep(None)
        app_clock.set_jitter(None)
        app_clients.clear_cache()


def _virtual_sleep(clock: VirtualClock) -> Any:
    """The application's back-off, on the virtual clock. A handler on the driver thread (a timeline
    step, a schedule) does not wait: that thread is what moves time, nothing else runs meanwhile."""

    def sleep(seconds: float) -> None:
        if clock.runs_current_thread():
            clock.sleep(seconds)

    return sleep
