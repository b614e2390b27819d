"""A discrete-event virtual clock for the local runtime.

Why not scaled real time: sleeping 1/600 of a bake is flaky on a loaded 2-core CI machine and makes two
runs of one scenario differ. Here every wait registers with the clock (a timer, a Step Functions Wait
state, a task-token timeout, a retry back-off), and time jumps to the next wake-up only once every
interpreter thread is blocked. A 1-hour bake costs what its few state transitions cost, and the same
scenario gives the same report every run.

Two kinds of actors share the clock:
- *timers* (`call_at`): simulator ticks, schedule firings and EventBridge deliveries, run one at a time
  on the driver thread (the one that calls `run_until`), in (time, sequence) order;
- *clock threads*: moto's ASL interpreter threads, which get clock-aware `Thread`, `Event` and `time`
  (see `moto_hooks.py`). A clock thread counts as blocked only while it waits on a condition that is
  still false and whose deadline has not passed;
- *threaded timers* (`start_at`): a timer whose work runs on a clock thread of its own (a scenario's
  parallel EventBridge deliveries). Threaded timers due at one instant all start before the driver
  waits for anything, so they really run at the same time; time still jumps only once each of them
  has finished or blocks on the clock.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import sys
import threading
import time as _real_time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

# How long (real seconds) the driver waits for interpreter threads to block before it declares the
# run stuck. Generous: a slow CI machine may take a while to run a handler, but never this long.
STUCK_AFTER_REAL_SECONDS = 120.0


class ClockStuckError(RuntimeError):
    """Interpreter threads kept running without ever blocking: a busy loop or a real-time wait."""


@dataclass(order=True)
class _Timer:
    at: float
    seq: int
    label: str = field(compare=False)
    fn: Callable[[], None] = field(compare=False)
    cancelled: bool = field(default=False, compare=False)
    threaded: bool = field(default=False, compare=False)  # runs on its own clock thread


@dataclass
class _Wait:
    predicate: Callable[[], bool]
    deadline: float | None


class TimerHandle:
    def __init__(self, timer: _Timer) -> None:
        self._timer = timer

    def cancel(self) -> None:
        self._timer.cancelled = True


class VirtualClock:
    def __init__(self, start: float) -> None:
        self._now = float(start)
        self._cond = threading.Condition(threading.Lock())
        self._timers: list[_Timer] = []
        self._seq = itertools.count()
        self._live: set[threading.Thread] = set()
        self._waits: dict[threading.Thread, _Wait] = {}
        self._thread_class: type[threading.Thread] | None = None
        self._failures: list[BaseException] = []  # raised by threaded timers, re-raised by the driver
        self.timers_run = 0

    # -- reading time ------------------------------------------------------------------------------
    def now(self) -> float:
        return self._now

    # -- timers (driver-thread actors) -------------------------------------------------------------
    def call_at(self, at: float, fn: Callable[[], None], label: str = "") -> TimerHandle:
        with self._cond:
            timer = _Timer(max(at, self._now), next(self._seq), label, fn)
            heapq.heappush(self._timers, timer)
            self._cond.notify_all()
        return TimerHandle(timer)

    def call_later(self, delay: float, fn: Callable[[], None], label: str = "") -> TimerHandle:
        return self.call_at(self._now + max(0.0, delay), fn, label)

    def start_at(self, at: float, fn: Callable[[], None], label: str = "") -> TimerHandle:
        """A timer whose `fn` runs on a clock thread of its own, beside every other one due then."""
        with self._cond:
            timer = _Timer(max(at, self._now), next(self._seq), label, fn, threaded=True)
            heapq.heappush(self._timers, timer)
            self._cond.notify_all()
        return TimerHandle(timer)

    def start_later(self, delay: float, fn: Callable[[], None], label: str = "") -> TimerHandle:
        return self.start_at(self._now + max(0.0, delay), fn, label)

    # -- clock threads ------------------------------------------------------------------------------
    def runs_current_thread(self) -> bool:
        """Whether the calling thread is one of the interpreter's (a clock thread still running)."""
        return threading.current_thread() in self._live

    def register_thread(self, thread: threading.Thread) -> None:
        with self._cond:
            self._live.add(thread)

    def unregister_thread(self, thread: threading.Thread) -> None:
        with self._cond:
            self._live.discard(thread)
            self._cond.notify_all()

    def wait_for(self, predicate: Callable[[], bool], timeout: float | None = None) -> bool:
        """Block until `predicate()` holds or `timeout` virtual seconds pass; True if it holds."""
        me = threading.current_thread()
        with self._cond:
            deadline = None if timeout is None else self._now + max(0.0, float(timeout))
            while True:
                if predicate():
                    return True
                if deadline is not None and self._now >= deadline:
                    return False
                self._waits[me] = _Wait(predicate, deadline)
                self._cond.notify_all()  # the driver may now find every thread blocked
                try:
                    self._cond.wait()
                finally:
                    del self._waits[me]

    def sleep(self, seconds: float) -> None:
        self.wait_for(lambda: False, seconds)

    def notify(self) -> None:
        """Wake waiters to re-check their predicates (call after changing what they wait on)."""
        with self._cond:
            self._cond.notify_all()

    @property
    def condition(self) -> threading.Condition:
        return self._cond

    # -- the driver -------------------------------------------------------------------------------
    def _blocked(self, thread: threading.Thread) -> bool:
        wait = self._waits.get(thread)
        if wait is None:
            return False
        if wait.deadline is not None and wait.deadline <= self._now:
            return False
        return not wait.predicate()

    def _all_blocked(self) -> bool:
        return all(self._blocked(t) for t in self._live)

    def settle(self) -> None:
        """Return once every clock thread is blocked (or gone)."""
        started = _real_time.monotonic()
        with self._cond:
            while not self._all_blocked():
                self._cond.wait(timeout=0.5)
                if _real_time.monotonic() - started > STUCK_AFTER_REAL_SECONDS:
                    raise ClockStuckError(self._describe_running())

    def _describe_running(self) -> str:
        frames = sys._current_frames()
        lines = ["interpreter threads that never blocked:"]
        for t in self._live:
            if not self._blocked(t) and t.ident is not None and t.ident in frames:
                lines.append(f"--- {t.name}")
                lines.extend(traceback.format_stack(frames[t.ident])[-6:])
        return "\n".join(lines)

    def _next_wakeup(self) -> float | None:
        candidates = [
            w.deadline for t, w in self._waits.items() if w.deadline is not None and t in self._live
        ]
        while self._timers and self._timers[0].cancelled:
            heapq.heappop(self._timers)
        if self._timers:
            candidates.append(self._timers[0].at)
        future = [c for c in candidates if c > self._now]
        due = [c for c in candidates if c <= self._now]
        if due:
            return self._now
        return min(future) if future else None

    def _pop_due_timer(self) -> _Timer | None:
        with self._cond:
            while self._timers and (self._timers[0].cancelled or self._timers[0].at <= self._now):
                timer = heapq.heappop(self._timers)
                if not timer.cancelled:
                    return timer
            return None

    def _threaded_timer_due(self) -> bool:
        with self._cond:
            while self._timers and self._timers[0].cancelled:
                heapq.heappop(self._timers)
            return bool(self._timers) and self._timers[0].at <= self._now and self._timers[0].threaded

    def _run_next_timer(self) -> bool:
        """Run (or start) the next due timer; False when none is due. A driver timer runs once every
        clock thread is blocked; a threaded one starts at once, so those due together overlap."""
        if not self._threaded_timer_due():
            self.settle()
        self._raise_thread_failure()
        timer = self._pop_due_timer()
        if timer is None:
            return False
        self.timers_run += 1
        if timer.threaded:
            self._start_thread(timer)
        else:
            timer.fn()
        return True

    def _start_thread(self, timer: _Timer) -> None:
        if self._thread_class is None:
            self._thread_class = make_thread_class(self)

        def run() -> None:
            try:
                timer.fn()
            except BaseException as error:  # the driver re-raises it: a runtime bug must not vanish
                with self._cond:
                    self._failures.append(error)

        # Named by the timer's sequence number: the same run names its threads the same way.
        self._thread_class(target=run, name=f"{timer.label or 'timer'} #{timer.seq}", daemon=True).start()

    def _raise_thread_failure(self) -> None:
        with self._cond:
            failure = self._failures.pop(0) if self._failures else None
        if failure is not None:
            raise failure

    def run_until(self, until: float) -> None:
        """Drive the world until virtual time `until` (inclusive) with nothing left due."""
        while True:
            if self._run_next_timer():
                continue
            with self._cond:
                wakeup = self._next_wakeup()
                if wakeup is None or wakeup > until:
                    if self._now < until:
                        self._now = until
                        self._cond.notify_all()
                        continue
                    return
                if wakeup > self._now:
                    self._now = wakeup
                self._cond.notify_all()

    def run_until_idle(self, limit: float) -> None:
        """Drive until nothing is left to do, but never past `limit`."""
        while True:
            if self._run_next_timer():
                continue
            with self._cond:
                wakeup = self._next_wakeup()
                if wakeup is None or wakeup > limit:
                    return
                self._now = max(self._now, wakeup)
                self._cond.notify_all()


# -- clock-aware stand-ins for the names moto's interpreter modules import ---------------------------


class ClockEvent:
    """threading.Event whose waits are on the virtual clock."""

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock
        self._flag = False

    def is_set(self) -> bool:
        return self._flag

    isSet = is_set

    def set(self) -> None:
        with self._clock.condition:
            self._flag = True
            self._clock.condition.notify_all()

    def clear(self) -> None:
        with self._clock.condition:
            self._flag = False

    def wait(self, timeout: float | None = None) -> bool:
        return self._clock.wait_for(lambda: self._flag, timeout)


def make_thread_class(clock: VirtualClock) -> type[threading.Thread]:
    class ClockThread(threading.Thread):
        """A thread the clock knows about: registered from start() so time never jumps past its work.

        It runs in a copy of its starter's context variables (plain threads start empty): a Task
        state's thread acts as the state machine that started it (clients.as_principal)."""

        _done = False

        def start(self) -> None:
            self._context = contextvars.copy_context()
            clock.register_thread(self)
            try:
                super().start()
            except BaseException:
                clock.unregister_thread(self)
                raise

        def run(self) -> None:
            try:
                self._context.run(super().run)
            finally:
                with clock.condition:
                    self._done = True
                clock.unregister_thread(self)

        def join(self, timeout: float | None = None) -> None:
            clock.wait_for(lambda: self._done, timeout)
            if self._done:
                super().join()

    return ClockThread


class ClockTimeModule:
    """Stands in for the `time` module inside moto's interpreter: time() and sleep() are virtual."""

    def __init__(self, clock: VirtualClock) -> None:
        self._clock = clock

    def time(self) -> float:
        return self._clock.now()

    def monotonic(self) -> float:
        return self._clock.now()

    def sleep(self, seconds: float) -> None:
        self._clock.sleep(seconds)

    def __getattr__(self, name: str) -> Any:
        return getattr(_real_time, name)


class ClockDatetimeModule:
    """Stands in for the `datetime` module in moto's interpreter: history timestamps and Timestamp
    waits read virtual time, so reports and `Wait` states with a Timestamp agree with the clock."""

    def __init__(self, clock: VirtualClock) -> None:
        import datetime as _dt

        class VirtualDatetime(_dt.datetime):
            @classmethod
            def now(cls, tz: _dt.tzinfo | None = None) -> VirtualDatetime:
                return cls.fromtimestamp(clock.now(), tz)

            @classmethod
            def utcnow(cls) -> VirtualDatetime:
                return cls.fromtimestamp(clock.now(), _dt.UTC).replace(tzinfo=None)

        self.datetime = VirtualDatetime
        self._module = _dt

    def __getattr__(self, name: str) -> Any:
        return getattr(self._module, name)


class ClockThreadingModule:
    """Stands in for the `threading` module inside moto's interpreter: Thread and Event are clock-aware."""

    def __init__(self, clock: VirtualClock) -> None:
        self.Thread = make_thread_class(clock)
        self._clock = clock

    def Event(self) -> ClockEvent:
        return ClockEvent(self._clock)

    def __getattr__(self, name: str) -> Any:
        return getattr(threading, name)
