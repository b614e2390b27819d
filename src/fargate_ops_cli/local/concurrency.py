"""Concurrency as AWS has it, when a scenario asks for it (`concurrency:`); off, a run is sequential.

    concurrency: {parallel_deliveries: true, read_lag_seconds: 2, seed: 1}

- `parallel_deliveries`: EventBridge deliveries due at one virtual instant run as concurrent Lambda
  invocations, each on a clock thread of its own (`clock.start_at`), as EventBridge hands one service's
  events to concurrent invocations. Every DynamoDB request then takes a little virtual time (a seeded
  latency: DynamoDB answers in single-digit milliseconds), and a write stays in flight for a while (a
  transaction longer: it has two phases), so the invocations interleave between their requests, and a
  write or a transaction on an item another transaction holds conflicts (`strict_dynamodb.py`). Which
  interleaving a run gets follows from the seed.
- `read_lag_seconds`: an eventually consistent read (GetItem, Query, Scan without ConsistentRead) may
  see an item as it was up to that long ago, "not there yet" included (`strict_dynamodb.py`).

Off by default so that an ordinary scenario gives the same report on every run; with the switch on,
a scenario's `expect:` lines must hold whatever the interleaving (run it with several seeds).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field

from fargate_ops_cli.local.clock import VirtualClock

# Virtual seconds: a request's way to DynamoDB and back, and how long a write stays in flight.
REQUEST_LATENCY = (0.001, 0.010)
WRITE_IN_FLIGHT = (0.002, 0.015)
TRANSACTION_IN_FLIGHT = (0.005, 0.030)


class ConcurrencySpec(BaseModel):
    """A scenario's `concurrency:` block."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    parallel_deliveries: bool = False
    read_lag_seconds: float = Field(default=0.0, ge=0, le=60)
    seed: int = 0


@dataclass
class ConcurrencyStats:
    transaction_conflicts: int = 0  # writes and transactions refused for a transaction in flight
    condition_failures: int = 0  # ConditionalCheckFailed, alone or in a transaction
    stale_reads: int = 0  # eventually consistent reads answered from the past

    def as_dict(self) -> dict[str, int]:
        return {
            "transaction_conflicts": self.transaction_conflicts,
            "condition_failures": self.condition_failures,
            "stale_reads": self.stale_reads,
        }


@dataclass
class Concurrency:
    """The run's concurrency: what the bus, the Lambda host and the DynamoDB hooks consult."""

    clock: VirtualClock
    spec: ConcurrencySpec = field(default_factory=ConcurrencySpec)
    stats: ConcurrencyStats = field(default_factory=ConcurrencyStats)

    def __post_init__(self) -> None:
        self._rng = random.Random(self.spec.seed)  # the driver thread's, and the reads' lag
        self._lock = threading.Lock()
        self._local = threading.local()

    @property
    def parallel(self) -> bool:
        return self.spec.parallel_deliveries

    def _draw(self, low: float, high: float) -> float:
        with self._lock:
            return self._rng.uniform(low, high)

    def _draw_here(self, low: float, high: float) -> float:
        """A latency from this thread's own generator (seeded by the seed and the thread's name: a
        delivery's thread is named after its timer), so that one invocation's draws do not depend on
        how the others' requests happened to interleave in real time."""
        rng = getattr(self._local, "rng", None)
        if rng is None:
            rng = self._local.rng = random.Random(f"{self.spec.seed}:{threading.current_thread().name}")
        return rng.uniform(low, high)

    def _pauses(self) -> bool:
        # Only a clock thread can wait on the clock: the driver thread (timers, the operator's timeline)
        # is what moves time, so its requests take none.
        return self.parallel and self.clock.runs_current_thread()

    def jitter(self) -> float:
        """The application's back-off randomness, from this thread's generator (replayable)."""
        return self._draw_here(0.0, 1.0)

    def travel(self) -> None:
        """A read's way to DynamoDB and back (a write's is part of its time in flight)."""
        if self._pauses():
            self.clock.sleep(self._draw_here(*REQUEST_LATENCY))

    def in_flight(self, transaction: bool) -> float:
        """How long a write (or a transaction) holds its items before it applies; 0 when sequential."""
        if not self._pauses():
            return 0.0
        return self._draw_here(*(TRANSACTION_IN_FLIGHT if transaction else WRITE_IN_FLIGHT))

    def read_lag(self) -> float:
        """How far in the past an eventually consistent read looks (0: it sees every write)."""
        if self.spec.read_lag_seconds <= 0:
            return 0.0
        return self._draw(0.0, self.spec.read_lag_seconds)
