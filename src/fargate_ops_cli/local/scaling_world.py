"""A scenario's scheduled scaling on the virtual clock (scaling_spec.py): schedules stored before the run,
overrides made mid-run, reconciler runs missed on purpose, capacities sampled where `expect:` asks.

Schedules and overrides are written as the operator's CLI writes them (the application's own store),
before the simulator starts. A missed run is a firing of the scaling function that does not happen
(as when Scheduler could not invoke it): the next one must heal it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from fargate_ops_cli.local.clients import as_world

if TYPE_CHECKING:
    from fargate_ops_cli.local.narrative import Narrative
    from fargate_ops_cli.local.scaling_spec import ExpectedCapacity, ScalingSpec
    from fargate_ops_cli.local.world_session import LocalWorld

DIMENSION = "ecs:service:DesiredCount"


def _iso(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class ScalingRun:
    spec: ScalingSpec | None
    expected: list[ExpectedCapacity]
    narrative: Narrative
    samples: list[dict[str, Any]] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    actions: list[dict[str, Any]] = field(default_factory=list)
    _function: str = ""
    _start: float = 0.0

    def install(self, local_world: LocalWorld) -> None:
        runtime, stack = local_world.runtime, local_world.stack
        self._start = runtime.clock.now()
        self._function = stack.function_arn("ScalingFunction").split(":function:", 1)[1]
        table = stack.outputs["OpsTableName"]
        cluster = local_world.world.cluster_name
        previous = runtime.lambdas.on_result

        def on_result(function: str, event: Any, result: Any) -> None:
            if previous is not None:
                previous(function, event, result)
            if function == self._function and isinstance(result, dict):
                for action in result.get("actions", []):
                    self.actions.append(action)
                    self.narrative.say(
                        runtime.clock.now(),
                        "fargate-ops",
                        f"scaling: {action['service']} {action['action']} "
                        f"desired={action['desired']} min={action['min']} max={action['max']} "
                        f"({action['reason']})",
                    )
                for deferred in result.get("deferred", []):
                    self.narrative.say(runtime.clock.now(), "fargate-ops", f"scaling deferred: {deferred}")
                for error in result.get("errors", []):
                    self.narrative.say(
                        runtime.clock.now(),
                        "fargate-ops",
                        f"scaling error: {error['service']}: {error['error']}",
                    )

        runtime.lambdas.on_result = on_result
        if self.spec is not None:
            from fargate_ops.aws.store_scaling import ScalingStore

            with as_world():
                store = ScalingStore(runtime.clients.client("dynamodb"), table)
                for raw in self.spec.schedules:
                    store.put_schedule(raw, at=_iso(self._start), create=True)
            if self.spec.schedules:  # as `fargate-ops scaling create` does: a first run now
                try:
                    runtime.invoke("ScalingFunction", {"source": "schedule"})
                except RuntimeError as failed:  # the function's error (a denial, say) is the run's to report
                    self.narrative.say(
                        runtime.clock.now(), "fargate-ops", f"scaling first run failed: {failed}"
                    )
            for override in self.spec.overrides:
                runtime.clock.call_at(
                    self._start + override.at,
                    functools.partial(self._override, local_world, table, cluster, override),
                    "scaling override",
                )
            self._skip_missed_runs(local_world)
        for expected in self.expected:
            runtime.clock.call_at(
                self._start + expected.offset(self._start),
                functools.partial(self._sample, local_world, cluster, expected),
                "capacity sample",
            )

    def _override(self, local_world: LocalWorld, table: str, cluster: str, override: Any) -> None:
        from fargate_ops.aws.store_scaling import ScalingStore

        runtime = local_world.runtime
        with as_world():
            ScalingStore(runtime.clients.client("dynamodb"), table).put_override(
                cluster, override.override(), at=_iso(runtime.clock.now())
            )
        self.narrative.say(
            runtime.clock.now(),
            "operator",
            f"overrides {override.service}: desired {override.desired} until {override.until.isoformat()}",
        )
        # As `fargate-ops scaling override` does: run the reconciler now, not at its next run.
        runtime.invoke("ScalingFunction", {"source": "override"})

    def _skip_missed_runs(self, local_world: LocalWorld) -> None:
        assert self.spec is not None
        runtime = local_world.runtime
        windows = [(self._start + w.begin, self._start + w.until) for w in self.spec.missed_runs]
        if not windows:
            return
        invoke = runtime.schedules.invoke_lambda

        def maybe(arn: str, event: Any) -> tuple[bool, str]:
            now = runtime.clock.now()
            if arn.endswith(f":function:{self._function}") and any(a <= now < b for a, b in windows):
                self.missed.append(_iso(now))
                self.narrative.say(now, "world", "the scaling run is missed (scenario missed_runs)")
                return False, "missed on purpose"
            return invoke(arn, event)

        runtime.schedules.invoke_lambda = maybe

    def _sample(self, local_world: LocalWorld, cluster: str, expected: ExpectedCapacity) -> None:
        runtime = local_world.runtime
        with as_world():
            ecs = runtime.clients.client("ecs")
            service = ecs.describe_services(cluster=cluster, services=[expected.service])["services"][0]
            targets = runtime.clients.client("application-autoscaling").describe_scalable_targets(
                ServiceNamespace="ecs",
                ResourceIds=[f"service/{cluster}/{expected.service}"],
                ScalableDimension=DIMENSION,
            )["ScalableTargets"]
        snapshot = local_world.simulator.snapshot()
        tasks = [t for t in snapshot.tasks if t.service == expected.service]
        self.samples.append(
            {
                "at": _iso(runtime.clock.now()),
                "service": expected.service,
                "desired": service["desiredCount"],
                "running": sum(1 for t in tasks if t.last_status == "RUNNING"),
                "healthy": sum(1 for t in tasks if t.healthy),
                "min": targets[0]["MinCapacity"] if targets else None,
                "max": targets[0]["MaxCapacity"] if targets else None,
            }
        )

    def check(self) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        for expected, sample in zip(self.expected, self._in_order(), strict=True):
            if sample is None:
                results.append(
                    {
                        "what": f"capacity of {expected.service} at {expected.at}",
                        "ok": False,
                        "detail": "never sampled: the instant is outside the run (start .. run_for)",
                    }
                )
                continue
            for key in ("desired", "running", "healthy", "min", "max"):
                wanted = getattr(expected, key)
                if wanted is not None:
                    got = sample[key]
                    results.append(
                        {
                            "what": f"capacity of {expected.service} at {sample['at']} {key}",
                            "ok": got == wanted,
                            "detail": f"{got} (expected {wanted})",
                        }
                    )
        return results

    def _in_order(self) -> list[dict[str, Any] | None]:
        """The samples in the order the expectations are listed (they were taken in time order)."""
        by_key: dict[tuple[str, str], dict[str, Any]] = {(s["at"], s["service"]): s for s in self.samples}
        return [by_key.get((_iso(self._start + e.offset(self._start)), e.service)) for e in self.expected]

    def report(self) -> dict[str, Any]:
        return {"actions": self.actions, "missed_runs": self.missed, "capacities": self.samples}
