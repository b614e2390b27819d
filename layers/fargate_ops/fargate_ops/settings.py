"""Settings of the functions, read from the environment at invocation time."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from fargate_ops.errors import SettingsError

DEFAULT_KEEP_REVISIONS = 5
DEFAULT_CRASH_LOOP_THRESHOLD = 3
DEFAULT_MAX_DEREGISTRATIONS = 20


def _required(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "").strip()
    if not value:
        raise SettingsError(f"environment variable {name} is required but not set")
    return value


def _positive_int(environ: Mapping[str, str], name: str, default: int) -> int:
    raw = environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"environment variable {name} must be an integer, got {raw!r}") from None
    if value < 1:
        raise SettingsError(f"environment variable {name} must be at least 1, got {value}")
    return value


@dataclass(frozen=True, slots=True)
class Settings:
    """Everything a function reads from its environment.

    ``table_name`` and ``topic_arn`` are required; the rest have defaults.
    """

    table_name: str
    topic_arn: str
    keep_revisions: int = DEFAULT_KEEP_REVISIONS
    crash_loop_threshold: int = DEFAULT_CRASH_LOOP_THRESHOLD
    max_deregistrations: int = DEFAULT_MAX_DEREGISTRATIONS
    cluster_name_pattern: str = "*"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env: Mapping[str, str] = os.environ if environ is None else environ
        return cls(
            table_name=_required(env, "TABLE_NAME"),
            topic_arn=_required(env, "TOPIC_ARN"),
            keep_revisions=_positive_int(env, "KEEP_REVISIONS", DEFAULT_KEEP_REVISIONS),
            crash_loop_threshold=_positive_int(env, "CRASH_LOOP_THRESHOLD", DEFAULT_CRASH_LOOP_THRESHOLD),
            max_deregistrations=_positive_int(env, "MAX_DEREGISTRATIONS", DEFAULT_MAX_DEREGISTRATIONS),
            cluster_name_pattern=env.get("CLUSTER_NAME_PATTERN", "").strip() or "*",
        )
