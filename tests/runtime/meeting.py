"""Where the parallel-delivery probe's invocations meet (fixtures/parallel/functions/meet).

A test arms it with the number of invocations that must run at once; each invocation waits, in real
time, until all have arrived. Run one at a time, the first waits out the timeout and fails.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

_barrier: threading.Barrier | None = None
running_when_met: list[int] = []  # how many invocations the host ran when all had arrived


def arm(parties: int, running: Callable[[], int], timeout: float = 3.0) -> None:
    global _barrier
    running_when_met.clear()
    _barrier = threading.Barrier(parties, action=lambda: running_when_met.append(running()), timeout=timeout)


def arrive() -> None:
    assert _barrier is not None, "arm() the meeting first"
    _barrier.wait()
