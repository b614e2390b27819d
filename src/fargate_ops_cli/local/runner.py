"""Runs a scenario: the real application deployed into the local runtime, a simulated Fargate world,
and the operator's timeline, all on the virtual clock. Produces a `Report`."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fargate_ops_cli.local import deploy_invariants, faults
from fargate_ops_cli.local import report as rep
from fargate_ops_cli.local.clients import as_app, as_world
from fargate_ops_cli.local.report import describe_event
from fargate_ops_cli.local.runtime import REPO_ROOT, LocalRuntime
from fargate_ops_cli.local.scenario import DeployAction, Scenario, ScenarioError, Step
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
        on_entry: Callable[[rep.Entry], None] | None = None,
        measure_memory: bool = False,
        base_dir: Path | None = None,
        template: Path | None = None,
    ) -> None:
        self.scenario = scenario
        self.template = template
        self.repo_root = repo_root
        self.base_dir = base_dir or Path.cwd()
        self.narrative = rep.Narrative(on_entry)
        self.measure_memory = measure_memory
        self.deploys: dict[str, str] = {}  # deploy id -> execution ARN
        self.rejected: dict[str, str] = {}
        self.violations: list[str] = []
        self.startup_seconds = 0.0
        self._sent = 0  # events sent `as_service`, for their ids
        self._clock_now: Callable[[], float] = lambda: 0.0
        self._events_function = ""
        self._inbox: rep.Inbox | None = None

    def run(self) -> rep.Report:
        with open_local_world(
            self.scenario.world,
            start=self.scenario.start,
            repo_root=self.repo_root,
            sink=self._sink,
            measure_memory=self.measure_memory,
            prepare=self._prepare,
            template=self.template,
            concurrency=self.scenario.concurrency,
        ) as lw:
            rt, stack, world, simulator = lw.rt, lw.stack, lw.world, lw.simulator
            self.startup_seconds = lw.startup_seconds
            start = rt.clock.now()
            self._schedule_timeline(rt, simulator, world, start)
            self._every(rt, INVARIANTS_EVERY, lambda: self._check_invariants(simulator, rt), "invariants")
            self._every(
                rt, NARRATE_EVERY, lambda: self.narrative.read_executions(rt, self.deploys), "narrate"
            )
            rt.clock.run_until(start + self.scenario.run_for)
            self.narrative.read_executions(rt, self.deploys)
            self._record_violations(rt, deploy_invariants.at_end(rt, stack.outputs, self.deploys))
            assert self._inbox is not None
            return rep.build(self, rt, simulator, world, self._inbox)

    def _sink(self, rt: LocalRuntime, world: ProvisionedWorld) -> Any:
        """The simulator's events: narrated, then delivered (late and twice, if the scenario says so)."""
        bus: Any = rt.bus
        if self.scenario.event_delivery is not None:  # duplicates and reordering, on purpose
            from fargate_ops_cli.local.delivery import UnreliableBus

            bus = UnreliableBus(
                rt.bus,
                rt.clock,
                self.scenario.event_delivery,
                world.region,
                world.account_id,
                step_seconds=self.scenario.world.reconcile_seconds if rt.concurrency.parallel else 0.0,
            )
        return _NarratedSink(bus, self.narrative, rt.clock)

    def _prepare(self, lw: LocalWorld) -> None:
        rt = lw.rt
        with as_world():
            self._inbox = rep.subscribe_inbox(rt.clients, lw.stack.outputs)
        self._clock_now = rt.clock.now
        self._events_function = lw.stack.function_arn("EcsEventsFunction").split(":function:", 1)[1]
        rt.lambdas.on_result = self._narrate_reaction
        if rt.iam is not None:  # a denial shows in the timeline when it happens
            rt.iam.on_denial = lambda d: self.narrative.say(d.at, "IAM", f"DENIED {d.call}: {d.message}")
        faults.install(self.scenario.faults, rt)

    # -- the timeline -----------------------------------------------------------------------------------
    def _schedule_timeline(
        self, rt: LocalRuntime, sim: FargateSimulator, world: ProvisionedWorld, start: float
    ) -> None:
        for step in self.scenario.timeline:
            act = functools.partial(self._act, rt, sim, world, step)
            rt.clock.call_at(start + step.at, act, f"timeline {step.kind}")

    def _every(self, rt: LocalRuntime, seconds: float, fn: Callable[[], None], label: str) -> None:
        def tick() -> None:
            fn()
            rt.clock.call_later(seconds, tick, label)

        rt.clock.call_later(seconds, tick, label)

    def _act(self, rt: LocalRuntime, sim: FargateSimulator, world: ProvisionedWorld, step: Step) -> None:
        action = step.action
        say = self.narrative.say
        if step.kind == "deploy":
            deploy_input = self.deploy_input(action, world)
            say(
                rt.clock.now(),
                "operator",
                f"starts deploy {action.id}: {_describe_change(action)} ({_strategy_name(action.strategy)})",
            )
            self.deploys[action.id] = rt.start_execution("DeployStateMachine", deploy_input, name=action.id)
        elif step.kind == "scale":
            say(rt.clock.now(), "operator", f"scales {action.service} to {action.desired} tasks")
            with as_app():
                rt.clients.client("ecs").update_service(
                    cluster=world.cluster_name, service=action.service, desiredCount=action.desired
                )
        elif step.kind == "cleanup":
            mode = "apply" if action.apply else "dry run"
            payload: dict[str, Any] = {"clusters": [world.cluster_name], "apply": action.apply}
            if action.keep_revisions is not None:
                payload["keep_revisions"] = action.keep_revisions
            try:
                result = rt.invoke("CleanupFunction", payload)
            except RuntimeError as failed:  # the function's error (an IAM denial, say): the run goes on
                say(rt.clock.now(), "fargate-ops", f"cleanup ({mode}) FAILED: {failed}")
            else:
                say(rt.clock.now(), "fargate-ops", f"cleanup ({mode}): {rep.describe_cleanup(result)}")
        elif step.kind == "image_behaviour":
            from fargate_ops_cli.local.world.spec import ImageBehaviour

            sim.set_image_behaviour(action.image, ImageBehaviour.model_validate(action.behaviour))
            say(rt.clock.now(), "world", f"image {action.image} now behaves as {action.behaviour}")
        elif step.kind == "send_event":
            event = action.event or json.loads((self.base_dir / action.file).read_text())
            if action.as_service is not None:
                from fargate_ops_cli.local.delivery import as_world_event

                self._sent += 1
                event = as_world_event(event, world, action.as_service, rt.clock.now(), self._sent)
            for _ in range(action.times):
                rt.bus.put(event)
            say(rt.clock.now(), "operator", f"sends {event.get('detail-type')} event, {action.times} time(s)")
        elif step.kind == "note":
            say(rt.clock.now(), "note", action)
        else:  # promote / approve / abort / rollback: the operator contract's Step Functions calls
            from fargate_ops_cli.local.controls import control

            assert rt.stack is not None
            with as_app():
                result = control(
                    step.kind,
                    rt.clients.client("stepfunctions"),
                    rt.clients.client("dynamodb"),
                    rt.stack.outputs["OpsTableName"],
                    action.deploy,
                    full=action.full,
                    reason=action.reason,
                )
            say(rt.clock.now(), "operator", f"{step.kind} {action.deploy}: {result.text}")

    def _narrate_reaction(self, function: str, event: Any, result: Any) -> None:
        """Say what the events function did about an event, unless it was nothing."""
        if function != self._events_function or not isinstance(result, dict):
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
        change: dict[str, Any] = (
            {"images": action.images} if action.images else {"task_definition": action.task_definition}
        )
        return {
            "deploy_id": action.id,
            "cluster": world.cluster_name,
            "application": action.application,
            "slots": slots,
            "listener_arn": world.traffic_arn(),
            "change": change,
            "strategy": strategy,
            **action.options,
        }

    def _check_invariants(self, sim: FargateSimulator, rt: LocalRuntime) -> None:
        assert rt.stack is not None
        problems = invariants.check(sim) + deploy_invariants.during(rt, rt.stack.outputs, self.deploys)
        self._record_violations(rt, problems)

    def _record_violations(self, rt: LocalRuntime, problems: list[str]) -> None:
        for problem in problems:
            stamped = f"{rep.clock_text(rt.clock.now())} {problem}"
            if not self.violations or self.violations[-1].split(" ", 1)[1] != problem:
                self.violations.append(stamped)
                self.narrative.say(rt.clock.now(), "invariant", f"VIOLATED: {problem}")


class _NarratedSink:
    """The simulator's event sink: narrates each AWS event, then hands it to the bus."""

    def __init__(self, bus: Any, narrative: rep.Narrative, clock: Any) -> None:
        self._bus = bus
        self._narrative = narrative
        self._clock = clock

    def emit(self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]) -> Any:
        event = self._bus.emit(source, detail_type, detail, resources)
        self._narrative.event(self._clock.now(), event)
        return event


def _describe_change(action: DeployAction) -> str:
    if action.images:
        return ", ".join(f"{c} → {i}" for c, i in action.images.items())
    return f"task definition {action.task_definition}"


def _strategy_name(strategy: Any) -> str:
    return strategy if isinstance(strategy, str) else str(strategy.get("type", strategy))
