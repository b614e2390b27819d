"""What may be shown of a deploy's change and of a logged payload: names and hashes, never values."""

from __future__ import annotations

import hashlib

from fargate_ops.domain.redaction import fingerprint, redacted, redacted_change


def test_a_fingerprint_is_the_first_12_hex_digits_of_the_values_sha256() -> None:
    assert fingerprint("s3cr3t") == "sha256:" + hashlib.sha256(b"s3cr3t").hexdigest()[:12]


def test_a_change_shows_its_images_and_its_environment_names_with_hashed_values() -> None:
    change = {"images": {"web": "repo/web:v2"}, "environment": {"web": {"DB_PASSWORD": "pw", "OLD": None}}}

    shown = redacted_change(change)

    assert shown == {
        "images": {"web": "repo/web:v2"},
        "environment": {"web": {"DB_PASSWORD": fingerprint("pw"), "OLD": None}},  # a removal stays a removal
    }
    assert change["environment"]["web"]["DB_PASSWORD"] == "pw"  # the input is left as it was


def test_a_logged_payload_loses_its_task_tokens_and_environment_values_at_any_depth() -> None:
    event = {
        "step": "bake",
        "task_token": "AQB-token",
        "deploy": {"change": {"environment": {"web": {"KEY": "v"}}}, "waiting": {"token": "AQB-other"}},
        # an ECS task event's overrides: the list form
        "detail": {"overrides": {"containerOverrides": [{"environment": [{"name": "KEY", "value": "v"}]}]}},
    }

    shown = redacted(event)

    assert shown["task_token"] == shown["deploy"]["waiting"]["token"] == "(redacted)"
    assert shown["deploy"]["change"]["environment"] == {"web": {"KEY": fingerprint("v")}}
    overrides = shown["detail"]["overrides"]["containerOverrides"][0]["environment"]
    assert overrides == [{"name": "KEY", "value": fingerprint("v")}]
    assert shown["step"] == "bake"
