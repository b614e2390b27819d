from __future__ import annotations

import dataclasses

import pytest

from fargate_ops.errors import SettingsError
from fargate_ops.settings import Settings

BASE = {"TABLE_NAME": "ops", "TOPIC_ARN": "arn:aws:sns:us-east-1:123456789012:ops"}


def test_settings_are_read_from_the_given_environment() -> None:
    settings = Settings.from_env({**BASE, "KEEP_REVISIONS": "7", "CRASH_LOOP_THRESHOLD": "4"})

    assert settings.table_name == "ops"
    assert settings.keep_revisions == 7
    assert settings.crash_loop_threshold == 4


def test_optional_settings_fall_back_to_their_defaults() -> None:
    settings = Settings.from_env(BASE)

    assert (settings.keep_revisions, settings.crash_loop_threshold) == (5, 3)


@pytest.mark.parametrize("missing", ["TABLE_NAME", "TOPIC_ARN"])
def test_a_missing_required_variable_is_named_in_the_error(missing: str) -> None:
    environ = {k: v for k, v in BASE.items() if k != missing}

    with pytest.raises(SettingsError, match=missing):
        Settings.from_env(environ)


def test_a_blank_required_variable_counts_as_missing() -> None:
    with pytest.raises(SettingsError, match="TABLE_NAME"):
        Settings.from_env({**BASE, "TABLE_NAME": "  "})


@pytest.mark.parametrize("value", ["five", "0", "-2"])
def test_a_malformed_number_is_named_in_the_error(value: str) -> None:
    with pytest.raises(SettingsError, match="KEEP_REVISIONS"):
        Settings.from_env({**BASE, "KEEP_REVISIONS": value})


def test_settings_are_frozen() -> None:
    settings = Settings.from_env(BASE)

    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.table_name = "other"  # type: ignore[misc]


def test_settings_read_os_environ_when_no_mapping_is_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TABLE_NAME", "from-os")
    monkeypatch.setenv("TOPIC_ARN", "arn:aws:sns:us-east-1:123456789012:t")

    assert Settings.from_env().table_name == "from-os"
