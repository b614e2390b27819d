"""What every part of the simulator shares: time, the event sink, moto's backends, behaviours, and ids.

Ids and IPs come from one seeded generator, so one scenario gives the same task ARNs, deployment ids
and addresses on every run (ENI ids and MAC addresses come from moto's own seeded `mock_random`).
"""

from __future__ import annotations

import ipaddress
import random
import threading
from typing import Any

from fargate_ops_cli.local.world import events
from fargate_ops_cli.local.world.moto_access import Backends
from fargate_ops_cli.local.world.ports import Clock, EventSink
from fargate_ops_cli.local.world.provision import ProvisionedWorld
from fargate_ops_cli.local.world.spec import ImageBehaviour, WorldSpec

SOURCE_ECS = "aws.ecs"
TASK_STATE_CHANGE = "ECS Task State Change"
SERVICE_ACTION = "ECS Service Action"
DEPLOYMENT_STATE_CHANGE = "ECS Deployment State Change"


class WorldContext:
    def __init__(self, clock: Clock, sink: EventSink, spec: WorldSpec, provisioned: ProvisionedWorld) -> None:
        self.clock = clock
        self.sink = sink
        self.spec = spec
        self.world = provisioned
        self.backends = Backends(provisioned.account_id, provisioned.region)
        self.behaviours: dict[str, ImageBehaviour] = dict(spec.images)
        self._started: dict[str, int] = {}  # image -> tasks started under its current `tasks: N` behaviour
        self.lock = threading.RLock()  # ticks run on the driver thread; health look-ups come from handlers
        self._rng = random.Random(spec.seed)
        self._next_host: dict[str, int] = {}
        self._ips_in_use: set[str] = set()
        self.emitted = 0
        self.enis_left = 0  # task ENIs left detached instead of deleted (stop_timing.leave_enis)

    @property
    def region(self) -> str:
        return self.world.region

    @property
    def account_id(self) -> str:
        return self.world.account_id

    def behaviour(self, image: str) -> ImageBehaviour:
        return self.behaviours.get(image) or self.spec.behaviour(image)

    def behaviour_for_task(self, image: str) -> ImageBehaviour:
        """A new task's own behaviour: with `tasks: N`, the first N tasks of the image fail, the rest not."""
        behaviour = self.behaviour(image)
        if behaviour.tasks is None:
            return behaviour
        started = self._started.get(image, 0)
        self._started[image] = started + 1
        return behaviour if started < behaviour.tasks else behaviour.without_failures()

    def set_behaviour(self, image: str, behaviour: ImageBehaviour) -> None:
        self.behaviours[image] = behaviour
        self._started.pop(image, None)  # `tasks: N` counts from now

    # -- ids -------------------------------------------------------------------------------------------
    def task_id(self) -> str:
        return f"{self._rng.getrandbits(128):032x}"  # Fargate task ids: 32 hex digits

    def uuid(self) -> str:
        h = f"{self._rng.getrandbits(128):032x}"
        return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

    def deployment_id(self) -> str:
        return f"ecs-svc/{self._rng.randrange(10**18, 10**19)}"

    def allocate_ip(self, cidr: str) -> str:
        """The next free address of the subnet, skipping the 4 AWS reserves at the start (and .0)."""
        network = ipaddress.IPv4Network(cidr)
        size = network.num_addresses - 5
        start = self._next_host.get(cidr, 0)
        for step in range(size):
            ip = str(network.network_address + 4 + (start + step) % size)
            if ip not in self._ips_in_use:
                self._next_host[cidr] = (start + step + 1) % size
                self._ips_in_use.add(ip)
                return ip
        raise RuntimeError(f"subnet {cidr} has no free address")

    def release_ip(self, ip: str) -> None:
        self._ips_in_use.discard(ip)

    # -- events ----------------------------------------------------------------------------------------
    def emit(self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]) -> None:
        self.emitted += 1
        self.sink.emit(source, detail_type, detail, resources)

    def emit_service_action(self, service_arn: str, cluster_arn: str, event_type: str, name: str) -> None:
        detail = events.service_action(event_type, name, cluster_arn, self.clock.now())
        self.emit(SOURCE_ECS, SERVICE_ACTION, detail, [service_arn])

    def emit_deployment(self, service_arn: str, name: str, deployment_id: str, reason: str) -> None:
        detail = events.deployment_state_change(name, deployment_id, reason, self.clock.now())
        self.emit(SOURCE_ECS, DEPLOYMENT_STATE_CHANGE, detail, [service_arn])
