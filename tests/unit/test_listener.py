from __future__ import annotations

from typing import Any

import pytest

from fargate_ops.domain.listener import forward_weights, with_weights
from fargate_ops.errors import PreflightError

AUTH = {"Type": "authenticate-oidc", "Order": 1, "AuthenticateOidcConfig": {"Issuer": "https://idp"}}


def forward(blue: int, green: int, **extra: Any) -> dict[str, Any]:
    return {
        "Type": "forward",
        "Order": 2,
        "ForwardConfig": {
            "TargetGroups": [
                {"TargetGroupArn": "tg-blue", "Weight": blue},
                {"TargetGroupArn": "tg-green", "Weight": green},
            ],
            "TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": 60},
        },
        **extra,
    }


def test_weights_are_read_from_the_forward_action() -> None:
    assert forward_weights([AUTH, forward(100, 0)]) == {"tg-blue": 100, "tg-green": 0}


def test_a_plain_forward_to_one_target_group_carries_everything() -> None:
    assert forward_weights([{"Type": "forward", "TargetGroupArn": "tg-blue"}]) == {"tg-blue": 1}


def test_unchanged_weights_produce_no_change() -> None:
    assert with_weights([AUTH, forward(100, 0)], {"tg-blue": 100, "tg-green": 0}) is None


def test_new_weights_keep_the_other_actions_and_the_stickiness() -> None:
    actions = with_weights([AUTH, forward(100, 0)], {"tg-blue": 0, "tg-green": 100})

    assert actions is not None
    assert actions[0] == AUTH
    assert actions[1]["ForwardConfig"]["TargetGroups"] == [
        {"TargetGroupArn": "tg-blue", "Weight": 0},
        {"TargetGroupArn": "tg-green", "Weight": 100},
    ]
    assert actions[1]["ForwardConfig"]["TargetGroupStickinessConfig"]["Enabled"] is True


def test_a_single_target_group_arn_is_dropped_next_to_a_weighted_forward_config() -> None:
    actions = with_weights([forward(100, 0, TargetGroupArn="tg-blue")], {"tg-blue": 0, "tg-green": 100})

    assert actions is not None
    assert "TargetGroupArn" not in actions[0]


def test_the_input_actions_are_not_modified() -> None:
    original = [forward(100, 0)]

    with_weights(original, {"tg-blue": 0, "tg-green": 100})

    assert original[0]["ForwardConfig"]["TargetGroups"][0]["Weight"] == 100


def test_weights_for_a_target_group_the_listener_does_not_forward_to_are_refused() -> None:
    with pytest.raises(PreflightError, match="tg-other"):
        with_weights([forward(100, 0)], {"tg-other": 100})


def test_a_listener_without_exactly_one_forward_action_is_refused() -> None:
    with pytest.raises(PreflightError):
        forward_weights([AUTH])
