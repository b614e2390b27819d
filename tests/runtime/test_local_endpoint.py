"""The local endpoint's clock follows real time at a given speed, and moto's server pieces are there."""

from __future__ import annotations

import importlib

import pytest

from fargate_ops_cli.local.clock import VirtualClock
from fargate_ops_cli.local.endpoint import MOTO_SERVER_MODULE, MOTO_SERVER_PIECES, PacedClock


class FakeRealTime:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_virtual_clock_moves_speed_times_as_fast_as_real_time() -> None:
    clock = VirtualClock(start=0.0)
    real = FakeRealTime()
    paced = PacedClock(clock, speed=60, real=real)
    fired: list[float] = []
    clock.call_at(90.0, lambda: fired.append(clock.now()), "a bake's end")

    real.now += 1.0
    paced.step()
    assert (clock.now(), fired) == (60.0, [])

    real.now += 1.0
    paced.step()
    assert (clock.now(), fired) == (120.0, [90.0])  # what fell due in between ran at its own time


def test_a_driver_that_fell_behind_catches_up_without_skipping_what_was_due() -> None:
    clock = VirtualClock(start=0.0)
    real = FakeRealTime()
    paced = PacedClock(clock, speed=10, real=real)
    fired: list[float] = []
    for at in (5.0, 15.0, 25.0):
        clock.call_at(at, lambda: fired.append(clock.now()), "tick")

    real.now += 3.0  # three real seconds without a step (a loaded machine)
    paced.step()

    assert fired == [5.0, 15.0, 25.0]
    assert clock.now() == 30.0


def test_a_speed_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        PacedClock(VirtualClock(start=0.0), speed=0)


def test_moto_still_has_the_server_pieces_the_endpoint_is_built_from() -> None:
    module = importlib.import_module(MOTO_SERVER_MODULE)
    missing = [name for name in MOTO_SERVER_PIECES if not hasattr(module, name)]
    assert missing == [], f"{MOTO_SERVER_MODULE} lost {missing}: fix local/endpoint.py"
