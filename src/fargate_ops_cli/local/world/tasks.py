"""A simulated Fargate task, and its mirror in moto's ECS backend (so ListTasks/DescribeTasks show it).

Lifecycle (lastStatus), as ECS reports it for a Fargate task behind a load balancer:
PROVISIONING (ENI being created) -> PENDING (ENI attached, image pulling) -> RUNNING, then on a stop:
desiredStatus STOPPED (lastStatus unchanged) -> DEACTIVATING (target draining, graceful stops only)
-> STOPPING -> DEPROVISIONING (ENI deleted) -> STOPPED.
Every change of lastStatus or desiredStatus is one "ECS Task State Change" event with `version` + 1: a
task that crashes reaches STOPPED at version 7, as in the real sample.
"""

from __future__ import annotations

import hashlib
import zlib
from dataclasses import dataclass, field
from typing import Any

from fargate_ops_cli.local.world.moto_access import Container, Task, TaskDefinition
from fargate_ops_cli.local.world.spec import HEALTHY, ImageBehaviour
from fargate_ops_cli.local.world.timefmt import aware

STARTING = ("PROVISIONING", "PENDING")
_CONTAINER: Any = Container  # a CloudFormationModel whose abstract hooks moto never fills in for containers
STOPPING = ("DEACTIVATING", "STOPPING", "DEPROVISIONING")


@dataclass(frozen=True)
class LoadBalancerBinding:
    target_group_arn: str
    container_name: str
    container_port: int


@dataclass
class SimContainer:
    name: str
    image: str
    arn: str
    runtime_id: str
    image_digest: str
    cpu: str
    last_status: str = "PENDING"
    exit_code: int | None = None
    reason: str | None = None


@dataclass
class SimTask:
    id: str
    arn: str
    cluster_arn: str
    service_name: str
    deployment_id: str
    task_definition_arn: str
    cpu: str
    memory: str
    image: str  # the image whose behaviour the task follows: the load-balanced (or first) container's
    containers: list[SimContainer]
    bindings: list[LoadBalancerBinding]
    subnet_id: str
    availability_zone: str
    ip: str
    private_dns_name: str
    eni_id: str
    mac_address: str
    attachment_id: str
    created_at: float
    last_status: str = "PROVISIONING"
    desired_status: str = "RUNNING"
    version: int = 1
    times: dict[str, float] = field(default_factory=dict)  # connectivityAt, startedAt, stoppedAt, ...
    pending_at: float = 0.0
    running_at: float = 0.0
    crash_at: float | None = None
    fail_at: float | None = None  # when a task that cannot start gives up in PENDING
    next_at: float = 0.0  # when the stop pipeline moves on
    drain_first: bool = False  # a graceful stop of a registered task: DEACTIVATING before STOPPING
    reclaim_at: float | None = None  # Fargate Spot: when the interrupted task is taken away
    stop_code: str | None = None
    stopped_reason: str | None = None
    healthy_once: bool = False
    behaviour: ImageBehaviour = HEALTHY  # this task's own (the first `tasks` of an image may differ)
    capacity_provider: str = "FARGATE"
    moto: Any = None  # moto.ecs.models.Task

    @property
    def exited(self) -> bool:
        """Every container has stopped (a crash or a failed start: nothing left to drain or signal)."""
        return all(c.last_status == "STOPPED" for c in self.containers)

    @property
    def live(self) -> bool:
        """Counted by the scheduler: not yet told to stop."""
        return self.desired_status == "RUNNING" and self.last_status != "STOPPED"

    @property
    def attachment_status(self) -> str:
        if self.last_status == "PROVISIONING":
            return "PRECREATED"
        return "DELETED" if self.last_status == "STOPPED" else "ATTACHED"


def build_containers(
    task_def: TaskDefinition, task_id: str, cluster: str, arn_prefix: str, uuid: Any
) -> list[SimContainer]:
    containers = []
    for definition in task_def.container_definitions:
        image = str(definition.get("image", ""))
        name = str(definition.get("name", "app"))
        containers.append(
            SimContainer(
                name=name,
                image=image,
                arn=f"{arn_prefix}:container/{cluster}/{task_id}/{uuid()}",
                runtime_id=f"{task_id}-{zlib.crc32(name.encode())}",
                image_digest="sha256:" + hashlib.sha256(image.encode()).hexdigest(),
                cpu=str(definition.get("cpu", 0)),
            )
        )
    return containers


def create_moto_task(
    backend: Any, cluster: Any, task_def: TaskDefinition, sim: SimTask, network: dict[str, Any]
) -> Any:
    """Builds moto's Task with its own constructor (which makes the ENI), then gives it our ids."""
    awsvpc = network.get("awsvpcConfiguration", {})
    placement = {"awsvpcConfiguration": {**awsvpc, "subnets": [sim.subnet_id]}}
    task = Task(
        cluster,
        task_def,
        None,
        None,
        backend=backend,
        group=f"service:{sim.service_name}",
        launch_type="FARGATE",
        started_by=sim.deployment_id,
        networking_configuration=placement,
        platform_version="1.4.0",
    )
    # moto's ManagedState would walk RUNNING -> DEACTIVATING -> ... on each DescribeTasks; the simulator
    # owns the lifecycle, so the task gets no automatic transitions.
    task._transitions = []
    task.id = sim.id
    sim.arn = task.task_arn  # moto's own spelling (long ARN format unless the account opted out)
    task.network_configuration = network
    attachment: dict[str, Any] = task.attachments[0]
    eni_id = next(d["value"] for d in attachment["details"] if d["name"] == "networkInterfaceId")
    eni = backend_ec2(backend).get_network_interface(eni_id)
    eni.private_ip_address = sim.ip
    eni.private_ip_addresses = [
        {"Primary": True, "PrivateIpAddress": sim.ip, "PrivateDnsName": sim.private_dns_name}
    ]
    eni.private_dns_name = sim.private_dns_name
    eni.description = (
        f"{cluster.arn.split(':cluster/')[0]}:attachment/{sim.attachment_id}"  # as Fargate names it
    )
    eni.requester_managed = True  # ECS created it on the account's behalf (moto: False, as for a person's)
    sim.eni_id, sim.mac_address = eni.id, eni.mac_address
    attachment["id"] = sim.attachment_id
    attachment["details"] = attachment_details(sim)
    task.overrides = {
        "containerOverrides": [{"name": c.name} for c in sim.containers],
        "inferenceAcceleratorOverrides": [],
    }
    task.containers = []
    for container in sim.containers:
        moto_container = _CONTAINER(task_def)
        moto_container.name, moto_container.image = container.name, container.image
        moto_container.container_arn, moto_container.task_arn = container.arn, sim.arn
        moto_container.health_status = "UNKNOWN"  # no container health check defined
        task.containers.append(moto_container)
    backend.tasks.setdefault(cluster.name, {})[sim.arn] = task
    sim.moto = task
    return task


def backend_ec2(ecs_backend: Any) -> Any:
    from moto.ec2.models import ec2_backends

    return ec2_backends[ecs_backend.account_id][ecs_backend.region_name]


def attachment_details(sim: SimTask) -> list[dict[str, str]]:
    return [
        {"name": "subnetId", "value": sim.subnet_id},
        {"name": "networkInterfaceId", "value": sim.eni_id},
        {"name": "macAddress", "value": sim.mac_address},
        {"name": "privateDnsName", "value": sim.private_dns_name},
        {"name": "privateIPv4Address", "value": sim.ip},
    ]


def mirror(sim: SimTask) -> None:
    """Copies the simulator's truth onto moto's Task, which DescribeTasks serialises by attribute name."""
    task = sim.moto
    if task is None:
        return
    task.status = sim.last_status
    task.desired_status = sim.desired_status
    task.version = sim.version
    task.created_at = aware(sim.created_at)
    task.availability_zone = sim.availability_zone
    task.capacity_provider_name = sim.capacity_provider
    task.cpu, task.memory = sim.cpu, sim.memory
    task.connectivity = "CONNECTED" if "connectivityAt" in sim.times else None
    task.stopped_reason = sim.stopped_reason  # None: DescribeTasks leaves it out, as ECS does
    task.stop_code = sim.stop_code
    for key, value in sim.times.items():
        # connectivityAt -> connectivity_at: the attribute names moto's serialiser looks for
        setattr(task, "".join("_" + c.lower() if c.isupper() else c for c in key), aware(value))
    task.attachments[0]["status"] = sim.attachment_status
    for moto_container, container in zip(task.containers, sim.containers, strict=True):
        moto_container.last_status = container.last_status
        moto_container.exitCode = container.exit_code  # moto's own spelling wins over exit_code
        moto_container.reason = container.reason
        moto_container.runtime_id = container.runtime_id if sim.last_status not in STARTING else None
        moto_container.image_digest = container.image_digest if "startedAt" in sim.times else None
        moto_container.network_interfaces = (
            [{"attachmentId": sim.attachment_id, "privateIpv4Address": sim.ip}]
            if "connectivityAt" in sim.times
            else []
        )
