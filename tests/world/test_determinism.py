import pytest
from moto import mock_aws
from moto.moto_api._internal import mock_random

from tests.world.helpers import build_world, two_slots


def run_once() -> list[tuple[float, str, str]]:
    with mock_aws():  # a fresh moto for each run
        mock_random.seed(7)  # ENI ids, MAC addresses and target group ids come from moto's generator
        world = build_world(
            **two_slots(blue=2, start="cold"),
            images={"web:v1": {"crash_after_seconds": 100, "error_rate": 0.01}},
        )
        world.clock.advance(400)
        return [(e.time, e.detail_type, repr(sorted(e.detail.items()))) for e in world.sink.events]


def test_the_same_world_gives_the_same_events_every_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    first = run_once()

    assert first and first == run_once()
