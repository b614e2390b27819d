"""Settings of the functions, read from the environment at invocation time: one object for all of them.

Every function reads the same ``Settings``; a function's template entry sets only the variables its
code path uses, the rest keep their documented defaults (docs/reactions.md, template parameters).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import field

from fargate_ops.domain.alert_policy import (
    CRASH_LOOP_THRESHOLD,
    CRASH_LOOP_WINDOW_SECONDS,
    NOTIFICATIONS_PER_HOUR,
    SPOT_THRESHOLD,
    SPOT_WINDOW_SECONDS,
    AlertPolicy,
)
from fargate_ops.domain.deploy_duration import DEFAULT_MAX_DEPLOY_SECONDS
from fargate_ops.domain.event_sources import EventSources
from fargate_ops.errors import SettingsError
from fargate_ops.frozen import frozen

DEFAULT_KEEP_REVISIONS = 5
TIMELINE_RETENTION_DAYS = 14
SCALING_TAG_KEY = "fargate-ops:schedule"


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


def _alert_policy(env: Mapping[str, str]) -> AlertPolicy:
    return AlertPolicy(
        # One threshold for both crash-loop rules: N abnormal stops fail a green wait, or make a crash loop.
        crash_loop_threshold=_positive_int(env, "CRASH_LOOP_THRESHOLD", CRASH_LOOP_THRESHOLD),
        crash_loop_window_seconds=_positive_int(env, "CRASH_LOOP_WINDOW_SECONDS", CRASH_LOOP_WINDOW_SECONDS),
        spot_threshold=_positive_int(env, "SPOT_INTERRUPTION_THRESHOLD", SPOT_THRESHOLD),
        spot_window_seconds=_positive_int(env, "SPOT_INTERRUPTION_WINDOW_SECONDS", SPOT_WINDOW_SECONDS),
        notifications_per_hour=_positive_int(env, "NOTIFICATIONS_PER_HOUR", NOTIFICATIONS_PER_HOUR),
    )


def _event_sources(env: Mapping[str, str]) -> EventSources | None:
    account = env.get("ACCOUNT_ID", "").strip()
    if not account:
        return None
    region = env.get("AWS_REGION", "").strip()
    if not region:  # Lambda always sets it
        raise SettingsError("environment variable AWS_REGION is required with ACCOUNT_ID")
    return EventSources.parse(account, region, env.get("EVENT_SOURCE_ACCOUNTS", ""))


@frozen
class Settings:
    """Everything a function reads from its environment.

    ``table_name`` and ``topic_arn`` are required; the rest have defaults.
    """

    table_name: str
    topic_arn: str
    keep_revisions: int = DEFAULT_KEEP_REVISIONS
    alert_policy: AlertPolicy = field(default_factory=AlertPolicy)
    timeline_retention_days: int = TIMELINE_RETENTION_DAYS
    # A plan whose longest path is longer is refused (Step Functions ends an execution after a year).
    max_deploy_seconds: int = DEFAULT_MAX_DEPLOY_SECONDS
    # The deploy state machine's name: only its executions may hold a lease (None: not checked).
    deploy_state_machine_name: str | None = None
    # scheduled scaling (docs/scaling.md): the clusters whose services it looks at, by name pattern
    cluster_name_pattern: str = "*"
    scaling_tag_key: str = SCALING_TAG_KEY
    edge_schedule_name: str = ""
    scheduler_role_arn: str = ""
    # The scaling reconciler a deploy's end runs at once when its live slot has a schedule ("": none).
    scaling_function_name: str = ""
    # The accounts and region whose events the reactions act on; None: not restricted (the template
    # always sets ACCOUNT_ID for the events function; tests of other behaviour may leave it out).
    event_sources: EventSources | None = None

    @property
    def crash_loop_threshold(self) -> int:
        return self.alert_policy.crash_loop_threshold

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env: Mapping[str, str] = os.environ if environ is None else environ
        return cls(
            table_name=_required(env, "TABLE_NAME"),
            topic_arn=_required(env, "TOPIC_ARN"),
            keep_revisions=_positive_int(env, "KEEP_REVISIONS", DEFAULT_KEEP_REVISIONS),
            alert_policy=_alert_policy(env),
            timeline_retention_days=_positive_int(env, "TIMELINE_RETENTION_DAYS", TIMELINE_RETENTION_DAYS),
            max_deploy_seconds=_positive_int(env, "MAX_DEPLOY_DURATION_SECONDS", DEFAULT_MAX_DEPLOY_SECONDS),
            deploy_state_machine_name=env.get("DEPLOY_STATE_MACHINE_NAME", "").strip() or None,
            cluster_name_pattern=env.get("CLUSTER_NAME_PATTERN", "").strip() or "*",
            scaling_tag_key=env.get("SCALING_TAG_KEY", "").strip() or SCALING_TAG_KEY,
            edge_schedule_name=env.get("EDGE_SCHEDULE_NAME", "").strip(),
            scheduler_role_arn=env.get("SCHEDULER_ROLE_ARN", "").strip(),
            scaling_function_name=env.get("SCALING_FUNCTION_NAME", "").strip(),
            event_sources=_event_sources(env),
        )
