"""The application deployed into the local runtime with a simulated Fargate world, ready to drive.

    with open_local_world(spec) as local_world:
        outputs = local_world.stack.outputs          # DeployStateMachineArn, OpsTableName, ...
        local_world.runtime.clock.run_until(local_world.runtime.clock.now() + 600)

The scenario runner builds the same thing around a timeline; tests of the CLI verbs use it directly.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fargate_ops_cli.local import moto_hooks
from fargate_ops_cli.local.clients import as_world
from fargate_ops_cli.local.concurrency import ConcurrencySpec
from fargate_ops_cli.local.runtime import LocalRuntime
from fargate_ops_cli.local.stack import REPO_ROOT, DeployedStack
from fargate_ops_cli.local.world import hooks as world_hooks
from fargate_ops_cli.local.world.provision import ProvisionedWorld, provision
from fargate_ops_cli.local.world.simulator import FargateSimulator
from fargate_ops_cli.local.world.spec import WorldSpec


@dataclass
class LocalWorld:
    runtime: LocalRuntime
    stack: DeployedStack
    world: ProvisionedWorld
    simulator: FargateSimulator
    startup_seconds: float = 0.0  # deploying the template into moto

    def advance(self, seconds: float) -> None:
        self.runtime.clock.run_until(self.runtime.clock.now() + seconds)


@contextlib.contextmanager
def open_local_world(
    spec: WorldSpec,
    start: str = "2026-01-05T09:00:00Z",
    repo_root: Path = REPO_ROOT,
    sink: Callable[[LocalRuntime, ProvisionedWorld], Any] | None = None,
    measure_memory: bool = False,
    prepare: Callable[[LocalWorld], None] | None = None,
    template: Path | None = None,
    base_dir: Path | None = None,
    concurrency: ConcurrencySpec | None = None,
    parameters: dict[str, str] | None = None,
) -> Iterator[LocalWorld]:
    """`sink` builds the simulator's event sink (default: the bus); `prepare` runs before the
    simulator starts (subscriptions, faults, narration); `template` replaces the repository's
    template.yaml (the IAM mutation test deploys copies with one statement dropped); `base_dir` is where
    the world's hook files are (the scenario's folder; default the current one); `concurrency` is a
    scenario's (parallel deliveries, lagging reads); `parameters` the template's. A hook file that
    cannot be read raises `world_hooks.HookFileError` before anything starts."""
    hook_packages = world_hooks.package(spec.hooks, base_dir or Path.cwd())
    began = datetime.fromisoformat(start.replace("Z", "+00:00")).astimezone(UTC).timestamp()
    with (
        LocalRuntime(
            repo_root,
            start=began,
            region=spec.region,
            seed=spec.seed,
            measure_memory=measure_memory,
            concurrency=concurrency,
        ) as runtime,
        contextlib.ExitStack() as hooks,
    ):
        began = time.perf_counter()
        stack = runtime.deploy_stack(template=template, parameters=parameters)
        startup = time.perf_counter() - began
        with as_world():
            world = provision(spec, runtime.clients.client, hook_packages)
        simulator = FargateSimulator(
            runtime.clock, sink(runtime, world) if sink is not None else runtime.bus, spec, world
        )
        runtime.target_health = simulator.moto_health_hook
        hooks.enter_context(moto_hooks.world_hooks(simulator))
        _start_autoscaling(spec, runtime, world, simulator)
        local = LocalWorld(runtime, stack, world, simulator, startup)
        if prepare is not None:
            prepare(local)
        simulator.start()
        yield local


def _start_autoscaling(
    spec: WorldSpec, runtime: LocalRuntime, world: ProvisionedWorld, simulator: FargateSimulator
) -> None:
    """Services declared with `autoscaling:` get their scalable target; the world's Application Auto
    Scaling acts on every ECS scalable target of the cluster (world/autoscaling.py)."""
    from fargate_ops_cli.local.world.autoscaling import AutoScalingWorld, register

    for service in spec.services:
        if service.autoscaling is not None:
            register(runtime.clients.client, world.cluster_name, service.name, service.autoscaling)
    if any(s.autoscaling is not None for s in spec.services):
        AutoScalingWorld(
            runtime.clock,
            runtime.clients.client,
            world.cluster_name,
            {name: provisioned.target_group_arn for name, provisioned in world.services.items()},
            float(spec.traffic.requests_per_minute),
            simulator.traffic.weights,
        ).start()
