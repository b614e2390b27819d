"""The Lambda host's serial mode: one handler at a time, without ever stopping the virtual clock."""

from __future__ import annotations

import threading

from fargate_ops_cli.local.clock import VirtualClock
from fargate_ops_cli.local.handler_slot import HandlerSlot


def _drive(clock: VirtualClock, until: float) -> bool:
    """Runs the clock on a thread of its own; False if it is still stuck after 20 real seconds."""
    driver = threading.Thread(target=clock.run_until, args=(until,), daemon=True)
    driver.start()
    driver.join(timeout=20)
    return not driver.is_alive()


def test_a_schedule_fires_while_a_handler_sleeps_in_virtual_time() -> None:
    # A validation hook's soak holds the slot for 60 virtual seconds; a schedule fires at 10 s on the
    # driver. With a plain lock the driver waits for the holder, which waits for the clock: deadlock.
    clock = VirtualClock(0)
    slot = HandlerSlot(clock)
    ran: list[tuple[str, float]] = []

    def soak() -> None:
        with slot.held():
            clock.sleep(60)
            ran.append(("soak", clock.now()))

    def schedule() -> None:
        with slot.held():
            ran.append(("schedule", clock.now()))

    clock.start_at(0, soak, "soak")
    clock.call_at(10, schedule, "schedule")

    assert _drive(clock, 120)
    assert ran == [("schedule", 10.0), ("soak", 60.0)]
    assert slot.holder is None


def test_clock_threads_take_the_slot_in_turn_and_re_enter_it() -> None:
    clock = VirtualClock(0)
    slot = HandlerSlot(clock)
    inside: list[int] = []
    most = [0]

    def handler(name: str) -> None:
        # the inner hold: a handler's synchronous Invoke of another function, on the same thread
        with slot.held(), slot.held():
            inside.append(1)
            most[0] = max(most[0], len(inside))
            clock.sleep(5)
            inside.pop()

    for name in ("a", "b", "c"):
        clock.start_at(0, lambda name=name: handler(name), name)

    assert _drive(clock, 100)
    assert most[0] == 1  # never two at once
    assert clock.now() == 100 and slot.holder is None
