"""What a load balancer counts over one minute, as its traffic flows: the counts ALB reports per minute.

The traffic model reads what the load balancer does *now* (a `Flow`: which target groups get how many
requests a minute, which images answer them, with which error rate and latency) after every change it
can see: every reconcile (5 virtual seconds), a ModifyListener / ModifyRule at the instant it is made,
a behaviour given to an image. `MinuteTally.add(flow, seconds)` counts that flow for the time it held,
so a weight change half way through a minute splits that minute's requests half and half, and an image
that starts failing mid-minute fails only the requests after it. At the minute's end `close` turns the
exact fractions into whole requests and errors (the fractions carry over to the next minute), the
numbers ALB publishes for that minute.

Pure (no moto): tests give it flows directly.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TypeVar

K = TypeVar("K", bound=Hashable)
ELB_503 = 503  # no target to send to: the load balancer answers by itself


@dataclass(frozen=True)
class Server:
    """The targets of one image in a target group, as they answer now."""

    image: str
    share: Fraction  # of the group's requests (targets share a group's requests evenly)
    error_rate: Fraction
    latency_seconds: Fraction


@dataclass(frozen=True)
class GroupFlow:
    """One target group of the forward action, now: its requests a minute and who answers them."""

    target_group: str
    requests_per_minute: Fraction
    servers: tuple[Server, ...]  # none: no target at all, the load balancer answers 503
    healthy: int
    unhealthy: int


@dataclass(frozen=True)
class Flow:
    """What the load balancer does with its requests now."""

    groups: tuple[GroupFlow, ...] = ()
    elb_answered: Mapping[int, Fraction] = field(default_factory=dict)  # status -> requests a minute


@dataclass
class _Served:
    requests: Fraction = Fraction(0)
    errors: Fraction = Fraction(0)
    latency: Fraction = Fraction(0)  # requests x seconds
    fastest: Fraction | None = None
    slowest: Fraction | None = None

    def answer(self, requests: Fraction, server: Server) -> None:
        latency = server.latency_seconds
        self.requests += requests
        self.errors += requests * server.error_rate
        self.latency += requests * latency
        self.fastest = latency if self.fastest is None else min(self.fastest, latency)
        self.slowest = latency if self.slowest is None else max(self.slowest, latency)


@dataclass
class _Gauge:
    total: int = 0
    samples: int = 0
    low: int | None = None
    high: int | None = None

    def sample(self, value: int) -> None:
        self.total += value
        self.samples += 1
        self.low = value if self.low is None else min(self.low, value)
        self.high = value if self.high is None else max(self.high, value)


@dataclass(frozen=True)
class Latency:
    """TargetResponseTime over a minute: one sample per request."""

    total_seconds: float
    count: int
    minimum: float
    maximum: float


@dataclass(frozen=True)
class GaugeStat:
    """HealthyHostCount / UnHealthyHostCount over a minute: one sample per flow the minute saw."""

    total: float
    samples: int
    minimum: float
    maximum: float


@dataclass(frozen=True)
class GroupCounts:
    requests: int
    errors_5xx: int
    latency: Latency | None
    healthy: GaugeStat | None
    unhealthy: GaugeStat | None


@dataclass
class Carry:
    """Fractions owed from one minute to the next: each (group, image)'s errors, and the requests' part
    of a request (a flow that starts mid-minute leaves one behind)."""

    errors: dict[tuple[str, str], Fraction] = field(default_factory=dict)
    requests: Fraction = Fraction(0)


@dataclass(frozen=True)
class MinuteCounts:
    groups: dict[str, GroupCounts]  # in the order the minute first saw them
    elb_answered: dict[int, int]


def apportion_exact(exact: Mapping[K, Fraction], total: int) -> dict[K, int]:
    """Whole numbers adding up to `total`, as close to `exact` as can be (largest remainder; earlier keys
    win ties). `total` is the rounded sum of `exact`, so each share moves by less than one."""
    shares = {k: math.floor(v) for k, v in exact.items()}
    order = sorted(exact, key=lambda k: -(exact[k] - shares[k]))  # sorted() is stable
    for k in order[: max(total - sum(shares.values()), 0)]:
        shares[k] += 1
    return shares


class MinuteTally:
    """One minute of one load balancer, counted as it flows."""

    def __init__(self) -> None:
        self._served: dict[str, dict[str, _Served]] = {}  # target group -> image -> what it answered
        self._elb: dict[int, Fraction] = {}
        self._gauges: dict[str, tuple[_Gauge, _Gauge]] = {}

    def add(self, flow: Flow, seconds: float) -> None:
        """Counts `flow` as it held for `seconds` of this minute."""
        span = Fraction(seconds) / 60
        for group in flow.groups:
            healthy, unhealthy = self._gauges.setdefault(group.target_group, (_Gauge(), _Gauge()))
            healthy.sample(group.healthy)
            unhealthy.sample(group.unhealthy)
            served = self._served.setdefault(group.target_group, {})
            arrived = group.requests_per_minute * span
            if arrived == 0:
                continue
            if not group.servers:
                self._elb[ELB_503] = self._elb.get(ELB_503, Fraction(0)) + arrived
                continue
            for server in group.servers:
                requests = arrived * server.share
                if requests == 0:
                    continue
                served.setdefault(server.image, _Served()).answer(requests, server)
        for status, per_minute in flow.elb_answered.items():
            self._elb[status] = self._elb.get(status, Fraction(0)) + per_minute * span

    def close(self, carry: Carry) -> MinuteCounts:
        """Whole requests and errors for the minute; what does not make a whole one stays in `carry`."""
        exact: dict[tuple[str, object], Fraction] = {}
        for tg, images in self._served.items():
            exact[("group", tg)] = sum((s.requests for s in images.values()), Fraction(0))
        for status, answered in self._elb.items():
            exact[("elb", status)] = answered
        total_exact = sum(exact.values(), Fraction(0)) + carry.requests
        total = math.floor(total_exact)
        carry.requests = total_exact - total
        whole = apportion_exact(exact, total)
        groups: dict[str, GroupCounts] = {}
        for tg in dict.fromkeys([*self._gauges, *self._served]):
            requests = whole.get(("group", tg), 0)
            images = self._served.get(tg, {})
            errors = 0
            for image, served in images.items():
                owed = carry.errors.get((tg, image), Fraction(0)) + served.errors
                failed = math.floor(owed)
                carry.errors[(tg, image)] = owed - failed
                errors += failed
            if errors > requests:
                # Rounding left the group fewer requests than errors owed: the rest stays owed.
                first = next(iter(images))
                carry.errors[(tg, first)] += errors - requests
                errors = requests
            gauges = self._gauges.get(tg)
            groups[tg] = GroupCounts(
                requests=requests,
                errors_5xx=errors,
                latency=_latency(images.values(), requests),
                healthy=_gauge(gauges[0]) if gauges else None,
                unhealthy=_gauge(gauges[1]) if gauges else None,
            )
        elb = {status: whole[("elb", status)] for status in self._elb if whole[("elb", status)] > 0}
        return MinuteCounts(groups, elb)


def _latency(served: Iterable[_Served], requests: int) -> Latency | None:
    tallies = [s for s in served if s.requests > 0]
    exact = sum((s.requests for s in tallies), Fraction(0))
    if requests == 0 or exact == 0:
        return None
    mean = sum((s.latency for s in tallies), Fraction(0)) / exact
    return Latency(
        total_seconds=float(mean * requests),
        count=requests,
        minimum=float(min(s.fastest for s in tallies if s.fastest is not None)),
        maximum=float(max(s.slowest for s in tallies if s.slowest is not None)),
    )


def _gauge(gauge: _Gauge) -> GaugeStat | None:
    if gauge.samples == 0 or gauge.low is None or gauge.high is None:
        return None
    return GaugeStat(float(gauge.total), gauge.samples, float(gauge.low), float(gauge.high))
