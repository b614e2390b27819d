"""Runs a scenario: the real application deployed into the local runtime, a simulated Fargate world,
and the operator's timeline, all on the virtual clock. Produces a `Report`."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fargate_ops_cli.local import deploy_invariants, faults
from fargate_ops_cli.local.clients import as_app, as_world
from fargate_ops_cli.local.expectations import evaluate
from fargate_ops_cli.local.narrative import Entry, Narrative, clock_text, describe_event
from fargate_ops_cli.local.report import Inbox, Report, build, subscribe_inbox
from fargate_ops_cli.local.runtime import LocalRuntime
from fargate_ops_cli.local.scaling_world import ScalingRun
from fargate_ops_cli.local.scenario import DeployAction, Scenario, ScenarioError, Step
from fargate_ops_cli.local.stack import REPO_ROOT
from fargate_ops_cli.local.world import invariants
from fargate_ops_cli.local.world.provision import ProvisionedWorld
from fargate_ops_cli.local.world.simulator import FargateSimulator
from fargate_ops_cli.local.world_session import LocalWorld, open_local_world

NARRATE_EVERY = 15.0  # virtual seconds between reads of the state machines' histories
INVARIANTS_EVERY = 5.0


class ScenarioRunner:
    def __init__(
        self,
        scenario: Scenario,
        repo_root: Path = REPO_ROOT,
        on_entry: Callable[[Entry], None] | None = None,
        measure_memory: bool = False,
        base_dir: Path | None = None,
        template: Path | None = None,
        on_finish: Callable[[LocalRuntime], None] | None = None,
    ) -> None:
        self.scenario = scenario
        self.on_finish = on_finish  # sees the runtime after the run, before it closes (tests read it)
        self.template = template
        self.repo_root = repo_root
        self.base_dir = base_dir or Path.cwd()
        self.narrative = Narrative(on_entry)
        self.measure_memory = measure_memory
        self.deploys: dict[str, str] = {}  # deploy id -> execution ARN
        self.deploy_routes: dict[str, str] = {}  # deploy id -> the listener or rule it was given
        self.rejected: dict[str, str] = {}
        self.violations: list[str] = []
        self.startup_seconds = 0.0
        self._sent = 0  # events sent `as_service`, for their ids
        self.cleanups: list[dict[str, Any]] = []  # each cleanup run's result (local/cleanup_steps.py)
        self._clock_now: Callable[[], float] = lambda: 0.0
        self._events_function = ""
        self._inbox: Inbox | None = None
        delivery = scenario.event_delivery
        self._unserved_weight = invariants.UnservedWeight(
            scenario.world.reconcile_seconds + (delivery.max_delay_seconds if delivery is not None else 0.0)
        )
        self.scaling = ScalingRun(
            scenario.scaling, scenario.expect.capacities if scenario.expect else [], self.narrative
        )

    def run(self) -> Report:
        from fargate_ops_cli.local.world.hooks import HookFileError, package

        try:  # a hook file that cannot be read is a bad scenario: refused before anything starts
            package(self.scenario.world.hooks, self.base_dir)
        except HookFileError as error:
            raise ScenarioError(str(error)) from None
        with open_local_world(
            self.scenario.world,
            start=self.scenario.start,
            repo_root=self.repo_root,
            sink=self._sink,
            measure_memory=self.measure_memory,
            prepare=self._prepare,
            template=self.template,
            base_dir=self.base_dir,
            concurrency=self.scenario.concurrency,
            parameters=_parameters(self.scenario),
        ) as local_world:
            runtime, stack, world, simulator = (
                local_world.runtime,
                local_world.stack,
                local_world.world,
                local_world.simulator,
            )
            self.startup_seconds = local_world.startup_seconds
            start = runtime.clock.now()
            self._schedule_timeline(runtime, simulator, world, start)
            self._every(
                runtime, INVARIANTS_EVERY, lambda: self._check_invariants(simulator, runtime), "invariants"
            )
            self._every(
                runtime,
                NARRATE_EVERY,
                lambda: self.narrative.read_executions(runtime, self.deploys),
                "narrate",
            )
            runtime.clock.run_until(start + self.scenario.run_for)
            self.narrative.read_executions(runtime, self.deploys)
            self._record_violations(runtime, deploy_invariants.at_end(runtime, stack.outputs, self.deploys))
            assert self._inbox is not None
            report = build(self, runtime, simulator, world, self._inbox)
            if self.on_finish is not None:
                self.on_finish(runtime)
        report.scaling = self.scaling.report()
        report.invariants_waived = (
            self.scenario.expect is not None and not self.scenario.expect.invariants_hold
        )
        report.expectations = evaluate(self.scenario.expect, report) + self.scaling.check()
        return report

    def _sink(self, runtime: LocalRuntime, world: ProvisionedWorld) -> Any:
        """The simulator's events: narrated, then delivered (late and twice, if the scenario says so)."""
        bus: Any = runtime.bus
        if self.scenario.event_delivery is not None:  # duplicates and reordering, on purpose
            from fargate_ops_cli.local.delivery import UnreliableBus

            bus = UnreliableBus(
                runtime.bus,
                runtime.clock,
                self.scenario.event_delivery,
                world.region,
                world.account_id,
                step_seconds=self.scenario.world.reconcile_seconds if runtime.concurrency.parallel else 0.0,
            )
        return _NarratedSink(bus, self.narrative, runtime.clock)

    def _prepare(self, local_world: LocalWorld) -> None:
        runtime = local_world.runtime
        with as_world():
            self._inbox = subscribe_inbox(runtime.clients, local_world.stack.outputs)
        self._clock_now = runtime.clock.now
        self._events_function = local_world.stack.function_arn("EcsEventsFunction").split(":function:", 1)[1]
        runtime.lambdas.on_result = self._narrate_reaction
        if runtime.iam is not None:  # a denial shows in the timeline when it happens
            runtime.iam.on_denial = lambda d: self.narrative.say(d.at, "IAM", f"DENIED {d.call}: {d.message}")
        faults.install(self.scenario.faults, runtime)
        self.scaling.install(local_world)

    # -- the timeline -----------------------------------------------------------------------------------
    def _schedule_timeline(
        self, runtime: LocalRuntime, sim: FargateSimulator, world: ProvisionedWorld, start: float
    ) -> None:
        for step in self.scenario.timeline:
            act = functools.partial(self._act, runtime, sim, world, step)
            runtime.clock.call_at(start + step.at, act, f"timeline {step.kind}")

    def _every(self, runtime: LocalRuntime, seconds: float, fn: Callable[[], None], label: str) -> None:
        def tick() -> None:
            fn()
            runtime.clock.call_later(seconds, tick, label)

        runtime.clock.call_later(seconds, tick, label)

    def _start_again(self, runtime: LocalRuntime, deploy_id: str, deploy_input: dict[str, Any]) -> None:
        """The same id again, through the CLI's own start: the same input attaches, another is refused."""
        from fargate_ops_cli.operations.errors import OperatorError
        from fargate_ops_cli.operations.resources import Resources
        from fargate_ops_cli.operations.start import start

        assert runtime.stack is not None
        now = runtime.clock.now()
        try:
            with as_app():
                resources = Resources.from_outputs(runtime.stack.outputs)
                again = start(runtime.clients.client("stepfunctions"), resources, deploy_input)
        except OperatorError as refused:
            self.narrative.say(now, "operator", f"deploy {deploy_id} refused (exit 2): {refused}")
            return
        self.narrative.say(now, "operator", f"deploy {deploy_id} attaches to its execution ({again.status})")

    def _act(self, runtime: LocalRuntime, sim: FargateSimulator, world: ProvisionedWorld, step: Step) -> None:
        action = step.action
        say = self.narrative.say
        if step.kind == "deploy":
            deploy_input = self.deploy_input(action, world)
            say(
                runtime.clock.now(),
                "operator",
                f"starts deploy {action.id}: {_describe_change(action)} ({_strategy_name(action.strategy)})",
            )
            if action.id in self.deploys:  # started before: what `fargate-ops deploy` does with an id reused
                self._start_again(runtime, action.id, deploy_input)
                return
            self.deploys[action.id] = runtime.start_execution(
                "DeployStateMachine", deploy_input, name=action.id
            )
            self.deploy_routes[action.id] = deploy_input["listener_arn"]
        elif step.kind == "scale":
            say(runtime.clock.now(), "operator", f"scales {action.service} to {action.desired} tasks")
            with as_app():
                runtime.clients.client("ecs").update_service(
                    cluster=world.cluster_name, service=action.service, desiredCount=action.desired
                )
        elif step.kind == "cleanup":
            from fargate_ops_cli.local.cleanup_steps import run_cleanup

            # On a clock thread of its own: the cleanup's token bucket waits on the virtual clock (a
            # handler on the driver thread cannot wait: that thread is what moves time).
            def cleanup() -> None:
                text = run_cleanup(runtime, world, action, self.cleanups)
                say(runtime.clock.now(), "fargate-ops", text)  # when the run ended

            runtime.clock.start_later(0, cleanup, "cleanup")
        elif step.kind == "third_party_call":
            from fargate_ops_cli.local.cleanup_steps import third_party_call

            say(runtime.clock.now(), "third party", third_party_call(runtime, action))
        elif step.kind == "image_behaviour":
            from fargate_ops_cli.local.world.spec import ImageBehaviour

            sim.set_image_behaviour(action.image, ImageBehaviour.model_validate(action.behaviour))
            say(runtime.clock.now(), "world", f"image {action.image} now behaves as {action.behaviour}")
        elif step.kind == "send_event":
            event = action.event or json.loads((self.base_dir / action.file).read_text())
            if action.as_service is not None:
                from fargate_ops_cli.local.delivery import as_world_event

                self._sent += 1
                event = as_world_event(event, world, action.as_service, runtime.clock.now(), self._sent)
            where = ""
            if action.account is not None or action.region is not None:
                from fargate_ops_cli.local.delivery import from_elsewhere

                event = from_elsewhere(event, action.account, action.region)
                where = f" from {event.get('account')}/{event.get('region')}"
            for _ in range(action.times):
                runtime.bus.put(event)
            say(
                runtime.clock.now(),
                "operator",
                f"sends {event.get('detail-type')} event{where}, {action.times} time(s)",
            )
        elif step.kind == "edit_listener":
            from fargate_ops_cli.local.world_actions import edit_listener

            say(runtime.clock.now(), "third party", edit_listener(runtime, world, action))
        elif step.kind == "forge_step":
            from fargate_ops_cli.local.world_actions import forge_step

            say(runtime.clock.now(), "third party", forge_step(runtime, world, action))
        elif step.kind == "note":
            say(runtime.clock.now(), "note", action)
        elif step.kind == "spot_interruption":
            taken = sim.interrupt_spot(action.service, action.tasks)
            say(
                runtime.clock.now(),
                "world",
                f"Fargate Spot reclaims {taken} task(s) of {action.service}: two minutes' notice",
            )
        elif step.kind in ("recover", "stop_execution"):
            from fargate_ops_cli.local.controls import operator_recovery

            say(runtime.clock.now(), "operator", operator_recovery(runtime, step.kind, action, self.deploys))
        else:  # promote / approve / abort / rollback: the operator contract's Step Functions calls
            from fargate_ops_cli.local.controls import control

            assert runtime.stack is not None
            with as_app():
                result = control(
                    step.kind,
                    runtime.clients.client("stepfunctions"),
                    runtime.clients.client("dynamodb"),
                    runtime.stack.outputs["OpsTableName"],
                    action.deploy,
                    full=action.full,
                    reason=action.reason,
                )
            say(runtime.clock.now(), "operator", f"{step.kind} {action.deploy}: {result.text}")

    def _narrate_reaction(self, function: str, event: Any, result: Any) -> None:
        """Say what the events function did about an event, unless it was nothing."""
        reconciled = isinstance(event, dict) and event.get("source") == "aws.states"
        if (function != self._events_function and not reconciled) or not isinstance(result, dict):
            return
        from fargate_ops.reactions.outcome import Outcome

        outcome = str(result.get("outcome", ""))
        if outcome and Outcome.parse(outcome).acted_on:
            about = describe_event(event) if isinstance(event, dict) else None
            self.narrative.say(
                self._clock_now(), "fargate-ops", f"{outcome}" + (f" (on {about})" if about else "")
            )

    def deploy_input(self, action: DeployAction, world: ProvisionedWorld) -> dict[str, Any]:
        slots = action.slots or [s for s in world.services if s.startswith(f"{action.application}-")]
        if len(slots) != 2 and not (action.slots and len(action.slots) == 1):  # one slot: adopt it
            raise ScenarioError(
                f"deploy {action.id}: application {action.application!r} needs two slot services "
                f"(named {action.application}-*, or given as slots:; one to adopt it), found {slots}"
            )
        strategy = {"type": action.strategy} if isinstance(action.strategy, str) else dict(action.strategy)
        deploy: dict[str, Any] = {
            "deploy_id": action.id,
            "cluster": world.cluster_name,
            "application": action.application,
            "slots": slots,
            "change": action.change(),
            "strategy": strategy,
        }
        deploy.update(self._routes_of(action, slots, world))
        if action.validation_hook is not None:
            deploy["validation_hook"] = world.hooks.get(action.validation_hook, action.validation_hook)
        return {**deploy, **action.options}

    def _routes_of(self, action: DeployAction, slots: list[str], world: ProvisionedWorld) -> dict[str, str]:
        """The listener or rule forwarding to the application's target groups, and its test one."""
        from fargate_ops_cli.local.world.application_routes import RouteResolutionError, application_routes

        try:
            production, test = application_routes(world, slots)
        except RouteResolutionError as error:
            if "listener_arn" in action.options:  # the scenario names it itself
                return {}
            raise ScenarioError(f"deploy {action.id}: {error}") from None
        routes = {"listener_arn": production.arn}
        if test is not None:
            routes["test_listener_arn"] = test.arn
        return routes

    def _check_invariants(self, sim: FargateSimulator, runtime: LocalRuntime) -> None:
        assert runtime.stack is not None
        problems = self._unserved_weight.check(sim, runtime.clock.now()) + deploy_invariants.during(
            runtime, runtime.stack.outputs, self.deploys
        )
        self._record_violations(runtime, problems)

    def _record_violations(self, runtime: LocalRuntime, problems: list[str]) -> None:
        for problem in problems:
            stamped = f"{clock_text(runtime.clock.now())} {problem}"
            if not self.violations or self.violations[-1].split(" ", 1)[1] != problem:
                self.violations.append(stamped)
                self.narrative.say(runtime.clock.now(), "invariant", f"VIOLATED: {problem}")


class _NarratedSink:
    """The simulator's event sink: narrates each AWS event, then hands it to the bus."""

    def __init__(self, bus: Any, narrative: Narrative, clock: Any) -> None:
        self._bus = bus
        self._narrative = narrative
        self._clock = clock

    def emit(self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]) -> Any:
        event = self._bus.emit(source, detail_type, detail, resources)
        self._narrative.event(self._clock.now(), event)
        return event


def _parameters(scenario: Scenario) -> dict[str, str] | None:
    """Template parameters the stack is deployed with: the scenario's own, and its scaling interval."""
    parameters = dict(scenario.parameters)
    if scenario.scaling is not None:
        parameters.setdefault("ScalingIntervalMinutes", str(scenario.scaling.interval_minutes))
    return parameters or None


def _describe_change(action: DeployAction) -> str:
    """What the deploy changes, as the application shows it: environment values hashed (redaction.py)."""
    from fargate_ops.domain.redaction import fingerprint

    if action.task_definition is not None:
        return f"task definition {action.task_definition}"
    parts = [f"{c} → {i}" for c, i in (action.images or {}).items()]
    for container, variables in (action.environment or {}).items():
        parts.append(
            f"{container} env "
            + ", ".join(f"{k}={'(unset)' if v is None else fingerprint(v)}" for k, v in variables.items())
        )
    return ", ".join(parts)


def _strategy_name(strategy: Any) -> str:
    return strategy if isinstance(strategy, str) else str(strategy.get("type", strategy))
