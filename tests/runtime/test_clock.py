"""The virtual clock: timers in order, jumps only when every clock thread is blocked."""

import functools
import threading

import pytest

from fargate_ops_cli.local.clock import ClockEvent, VirtualClock, make_thread_class


def test_timers_run_in_time_order_and_time_jumps_to_each() -> None:
    clock = VirtualClock(start=1000.0)
    seen: list[tuple[str, float]] = []
    clock.call_at(1300, lambda: seen.append(("late", clock.now())), "late")
    clock.call_at(1100, lambda: seen.append(("early", clock.now())), "early")
    clock.run_until(2000)
    assert seen == [("early", 1100.0), ("late", 1300.0)]
    assert clock.now() == 2000.0


def test_timers_at_the_same_time_run_in_the_order_they_were_added() -> None:
    clock = VirtualClock(start=0.0)
    seen: list[int] = []
    for i in range(5):
        clock.call_at(10, functools.partial(seen.append, i), str(i))
    clock.run_until(10)
    assert seen == [0, 1, 2, 3, 4]


def test_a_waiting_thread_wakes_at_its_virtual_deadline_not_in_real_time() -> None:
    clock = VirtualClock(start=0.0)
    thread_class = make_thread_class(clock)
    woke_at: list[float] = []

    def sleeper() -> None:
        clock.sleep(3600)
        woke_at.append(clock.now())

    thread_class(target=sleeper, daemon=True).start()
    clock.run_until_idle(limit=10_000)
    assert woke_at == [3600.0]


def test_setting_an_event_wakes_its_waiter_before_any_later_deadline() -> None:
    clock = VirtualClock(start=0.0)
    thread_class = make_thread_class(clock)
    event = ClockEvent(clock)
    result: list[tuple[bool, float]] = []

    def waiter() -> None:
        result.append((event.wait(timeout=600), clock.now()))

    thread_class(target=waiter, daemon=True).start()
    clock.call_at(100, event.set, "set")
    clock.run_until_idle(limit=10_000)
    assert result == [(True, 100.0)]


def test_time_does_not_jump_while_a_clock_thread_is_still_working() -> None:
    clock = VirtualClock(start=0.0)
    thread_class = make_thread_class(clock)
    gate = threading.Event()  # a real event: the thread is busy, not blocked on the clock
    observed: list[float] = []

    def worker() -> None:
        gate.wait(5)
        observed.append(clock.now())

    thread_class(target=worker, daemon=True).start()
    clock.call_at(50, lambda: None, "later")
    threading.Timer(0.2, gate.set).start()
    clock.run_until_idle(limit=100)
    assert observed == [0.0]


def test_threaded_timers_due_together_run_at_once_and_time_waits_for_them() -> None:
    clock = VirtualClock(start=0.0)
    both = threading.Barrier(2, timeout=2)  # real time: each must be running for the other to pass
    seen: list[float] = []

    def meet() -> None:
        both.wait()
        seen.append(clock.now())

    clock.start_at(10, meet, "first")
    clock.start_at(10, meet, "second")
    clock.call_at(11, lambda: seen.append(clock.now()), "after them")
    clock.run_until_idle(limit=100)
    assert seen == [10.0, 10.0, 11.0]


def test_a_threaded_timer_waiting_on_the_clock_lets_time_move_on() -> None:
    clock = VirtualClock(start=0.0)
    woke: list[float] = []
    clock.start_at(5, lambda: (clock.sleep(0.25), woke.append(clock.now())), "sleeper")
    clock.run_until_idle(limit=100)
    assert woke == [5.25]


def test_a_threaded_timer_that_raises_stops_the_driver() -> None:
    clock = VirtualClock(start=0.0)

    def broken() -> None:
        raise RuntimeError("a runtime bug on a delivery thread")

    clock.start_at(1, broken, "broken")
    clock.call_at(2, lambda: None, "next")
    with pytest.raises(RuntimeError, match="delivery thread"):
        clock.run_until_idle(limit=100)
