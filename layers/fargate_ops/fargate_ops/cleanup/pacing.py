"""A token bucket for cleanup's writes, on the package's clock (virtual in the local runtime).

Written here rather than taken from a library: the bucket must wait through ``fargate_ops.clock`` (the
local runtime's virtual clock drives it, and a run replays the same) and must say how long the next
token is before waiting, so a run stops before its Lambda's time runs out instead of sleeping past it.

ECS gives RegisterTaskDefinition and DeregisterTaskDefinition one bucket per account and region (refill
1 per second, burst 20). Deploys register revisions from it too, so cleanup takes only a share of the
refill (``CleanupPolicy``-level setting ``writes_per_second``, 0.5 by default) and a small burst.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fargate_ops import clock


@dataclass
class TokenBucket:
    rate: float  # tokens per second
    burst: float = 1.0
    tokens: float = field(default=-1.0)  # starts full
    _at: float | None = field(default=None, repr=False)
    waited: float = 0.0  # seconds spent waiting for tokens, for the report

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.burst < 1:
            raise ValueError("a token bucket needs a positive rate and a burst of at least 1")
        if self.tokens < 0:
            self.tokens = self.burst

    def _refill(self) -> None:
        now = clock.now_epoch()
        if self._at is not None:
            self.tokens = min(self.burst, self.tokens + (now - self._at) * self.rate)
        self._at = now

    def wait_needed(self) -> float:
        """Seconds until the next token (0 when one is there)."""
        self._refill()
        return 0.0 if self.tokens >= 1 else (1 - self.tokens) / self.rate

    def take(self) -> None:
        """Wait (on the package's clock) for one token and take it."""
        wait = self.wait_needed()
        if wait > 0:
            clock.sleep(wait)
            self.waited += wait
            self._refill()
        self.tokens -= 1
