"""A fake clock, a recording sink, a world builder and a metric reader for the simulator's tests."""

from __future__ import annotations

import heapq
import itertools
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import boto3

from fargate_ops_cli.local.world.provision import ProvisionedWorld, metric_dimension, provision
from fargate_ops_cli.local.world.simulator import FargateSimulator
from fargate_ops_cli.local.world.spec import WorldSpec

START = datetime(2026, 1, 5, 9, 0, tzinfo=UTC).timestamp()
ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "events" / "aws"  # the real AWS samples, copied into the project

# One session for every test: it caches botocore's service models (parsing ec2's costs a quarter second).
# Created after moto is imported, so moto's stubber is among its handlers.
_SESSION: Any = boto3.session.Session()

# Fast ALB settings so a test covers several task lifecycles in a few virtual minutes.
FAST_TARGET_GROUP = {
    "health_check_interval_seconds": 5,
    "healthy_threshold": 2,
    "deregistration_delay_seconds": 10,
}

# Quick stops too (the spec's defaults take the ~2.5 minutes of the real sample from exit to STOPPED).
FAST_STOP_TIMING = {"after_exit_seconds": 5, "stopping_seconds": 5, "deprovisioning_seconds": 5}


class FakeClock:
    """Timers in (time, sequence) order on the calling thread; time only moves in run_until."""

    def __init__(self, start: float = START) -> None:
        self._now = start
        self._timers: list[tuple[float, int, Callable[[], None]]] = []
        self._seq = itertools.count()

    def now(self) -> float:
        return self._now

    def call_at(self, t: float, fn: Callable[[], None], label: str = "") -> None:
        heapq.heappush(self._timers, (max(t, self._now), next(self._seq), fn))

    def call_later(self, dt: float, fn: Callable[[], None], label: str = "") -> None:
        self.call_at(self._now + dt, fn, label)

    def run_until(self, t: float) -> None:
        while self._timers and self._timers[0][0] <= t:
            at, _, fn = heapq.heappop(self._timers)
            self._now = at
            fn()
        self._now = t

    def advance(self, seconds: float) -> None:
        self.run_until(self._now + seconds)


@dataclass
class Emitted:
    time: float
    source: str
    detail_type: str
    detail: dict[str, Any]
    resources: list[str]


@dataclass
class RecordingSink:
    clock: FakeClock
    events: list[Emitted] = field(default_factory=list)

    def emit(self, source: str, detail_type: str, detail: dict[str, Any], resources: list[str]) -> None:
        json.dumps(detail)  # must survive the trip through EventBridge
        self.events.append(Emitted(self.clock.now(), source, detail_type, detail, resources))

    def of(self, detail_type: str, **match: Any) -> list[Emitted]:
        return [
            e
            for e in self.events
            if e.detail_type == detail_type and all(e.detail.get(k) == v for k, v in match.items())
        ]

    def tasks(self, last_status: str | None = None) -> list[Emitted]:
        return [
            e
            for e in self.events
            if e.detail_type == "ECS Task State Change"
            and (last_status is None or e.detail["lastStatus"] == last_status)
        ]


@dataclass
class World:
    spec: WorldSpec
    provisioned: ProvisionedWorld
    clock: FakeClock
    sink: RecordingSink
    sim: FargateSimulator

    clients: dict[str, Any] = field(default_factory=dict)

    def client(self, name: str) -> Any:
        if name not in self.clients:
            self.clients[name] = _SESSION.client(name, region_name=self.spec.region)
        return self.clients[name]

    def tg(self, name: str) -> str:
        return self.provisioned.target_groups[name]


def build_world(run: bool = True, **spec: Any) -> World:
    """Provisions `spec` into the active mock_aws() and starts a simulator on a fake clock."""
    spec.setdefault("target_groups", [])
    spec.setdefault("stop_timing", FAST_STOP_TIMING)
    parsed = WorldSpec.model_validate(spec)
    for service in parsed.services:
        if all(t.name != service.target_group_name for t in spec["target_groups"]):
            parsed.target_groups = [
                t if t.name != service.target_group_name else t.model_copy(update=FAST_TARGET_GROUP)
                for t in parsed.target_groups
            ]
    clients: dict[str, Any] = {}

    def client(name: str) -> Any:
        if name not in clients:
            clients[name] = _SESSION.client(name, region_name=parsed.region)
        return clients[name]

    provisioned = provision(parsed, client)
    clock = FakeClock()
    sink = RecordingSink(clock)
    sim = FargateSimulator(clock, sink, parsed, provisioned)
    if run:
        sim.start()
    return World(parsed, provisioned, clock, sink, sim, clients)


def two_slots(blue: int = 2, green: int = 0, image: str = "web:v1", **extra: Any) -> dict[str, Any]:
    return {
        "services": [
            {"name": "web-blue", "image": image, "desired_count": blue},
            {"name": "web-green", "image": image, "desired_count": green},
        ],
        **extra,
    }


def sample(name: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SAMPLES / f"{name}.json").read_text())
    return loaded


def metric_result(
    world: World, name: str, stat: str, target_group: str | None, minutes: int = 1, first: int = 0
) -> dict[str, Any]:
    """GetMetricData as the application calls it (ALB's real dimensions, Period 60), for `minutes`
    minutes from the world's minute `first` (0: the minute it started): the one result."""
    dims = [{"Name": "LoadBalancer", "Value": metric_dimension(world.provisioned.load_balancer_arn)}]
    if target_group is not None:
        # moto 5.2.5 matches GetMetricData dimensions in order (its Dimension.__lt__ is broken): ask in the
        # order the simulator publishes, TargetGroup first.
        dims.insert(0, {"Name": "TargetGroup", "Value": metric_dimension(world.tg(target_group))})
    query = {
        "Id": "m",
        "MetricStat": {
            "Metric": {"Namespace": "AWS/ApplicationELB", "MetricName": name, "Dimensions": dims},
            "Period": 60,
            "Stat": stat,
        },
    }
    result: dict[str, Any] = world.client("cloudwatch").get_metric_data(
        MetricDataQueries=[query],
        StartTime=datetime.fromtimestamp(START + 60 * first, UTC),
        EndTime=datetime.fromtimestamp(START + 60 * (first + minutes), UTC),
        ScanBy="TimestampAscending",
    )["MetricDataResults"][0]
    return result


def metric(
    world: World, name: str, stat: str, target_group: str | None, minutes: int = 1, first: int = 0
) -> list[float]:
    """Per-minute values as the application reads them (see metric_result)."""
    values: list[float] = metric_result(world, name, stat, target_group, minutes, first)["Values"]
    return values
