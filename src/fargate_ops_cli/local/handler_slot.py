"""One handler at a time, on the virtual clock's terms (the Lambda host's serial mode).

A plain lock deadlocks the local runtime: a handler that sleeps in virtual time (a validation hook's
soak) holds it while it waits for the clock to move, and the clock's driver, firing a schedule that
invokes another function, blocks on the lock before it can move the clock. So:

- a clock thread waits for the slot *in virtual time* (`VirtualClock.wait_for`), which the driver
  sees as blocked, so time goes on and the holder wakes, finishes and hands the slot over;
- the driver never waits: it runs its handler only when every clock thread is blocked, so a holder
  is parked in virtual time and the two never run at once. It takes the slot when it is free and
  runs beside a parked holder otherwise (as two concurrent invocations would in Lambda).

Re-entrant, as a handler's synchronous Invoke of another function runs on the same thread.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from fargate_ops_cli.local.clock import VirtualClock


class HandlerSlot:
    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._holder: threading.Thread | None = None
        self._depth = 0

    @property
    def holder(self) -> threading.Thread | None:
        return self._holder

    def _free_for(self, me: threading.Thread) -> bool:
        # No side effect: the driver evaluates waiters' predicates to see whether they are blocked.
        return self._holder is None or self._holder is me

    def _take(self, me: threading.Thread) -> bool:
        """Under the clock's condition: take the slot if it is free or already this thread's."""
        if self._free_for(me):
            self._holder = me
            self._depth += 1
            return True
        return False

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        me = threading.current_thread()
        if self._clock.runs_current_thread():
            while True:  # another waiter may take it between the wake-up and the take
                self._clock.wait_for(lambda: self._free_for(me))
                with self._clock.condition:
                    if self._take(me):
                        break
            took = True
        else:
            with self._clock.condition:
                took = self._take(me)
        try:
            yield
        finally:
            if took:
                with self._clock.condition:
                    self._depth -= 1
                    if self._depth == 0:
                        self._holder = None
                    self._clock.condition.notify_all()
