"""Where traffic goes when a deploy ended without finishing (domain/recovery.py)."""

from __future__ import annotations

from fargate_ops.domain.recovery import SlotHealth, healthy_slot, recover_command, whole_on

BLUE, GREEN = "tg/blue", "tg/green"


def slots(blue: int | None, green: int | None) -> tuple[SlotHealth, SlotHealth]:
    return SlotHealth("web-blue", BLUE, blue), SlotHealth("web-green", GREEN, green)


def test_the_live_slot_with_a_healthy_target_gets_the_traffic() -> None:
    live, green = slots(2, 2)

    assert healthy_slot(live, green) is live


def test_green_gets_the_traffic_only_when_live_has_no_healthy_target_and_green_has() -> None:
    live, green = slots(0, 1)

    assert healthy_slot(live, green) is green


def test_nothing_moves_when_neither_slot_can_be_told_healthy() -> None:
    assert healthy_slot(*slots(0, 0)) is None
    assert healthy_slot(*slots(None, 3)) is None  # live unreadable: cannot tell it is the bad one


def test_traffic_is_whole_only_when_one_slot_carries_every_request() -> None:
    live, green = slots(2, 2)

    assert whole_on({BLUE: 100, GREEN: 0}, (live, green)) is live
    assert whole_on({BLUE: 0, GREEN: 100}, (live, green)) is green
    assert whole_on({BLUE: 90, GREEN: 10}, (live, green)) is None
    assert whole_on({BLUE: 100, GREEN: 0, "tg/other": 5}, (live, green)) is None
    assert whole_on(None, (live, green)) is None


def test_the_command_to_run_names_the_deploy() -> None:
    assert recover_command("release-42") == "fargate-ops recover release-42 --apply"
