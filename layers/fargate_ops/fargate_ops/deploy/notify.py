"""Notify: publish the deploy's outcome to the SNS topic.

Reads the document leniently: on the rejected path it is the raw (possibly invalid) input plus the
failure, and a notification must still go out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fargate_ops.domain.redaction import redacted_change
from fargate_ops.domain.subjects import deploy_subject
from fargate_ops.observability import count

REJECTED = "REJECTED"


def outcome(raw: Mapping[str, Any]) -> str:
    status = raw.get("status")
    if isinstance(status, str) and status:
        return status
    return REJECTED if raw.get("failure") else "UNKNOWN"


def message(raw: Mapping[str, Any]) -> tuple[str, dict[str, Any]]:
    status = outcome(raw)
    application = raw.get("application", "?")
    failure = raw.get("failure") if isinstance(raw.get("failure"), Mapping) else None
    reason = raw.get("rollback_reason") if isinstance(raw.get("rollback_reason"), Mapping) else None
    subject = deploy_subject(str(application), status, reason, failure)
    change = raw.get("change")
    body: dict[str, Any] = {
        "deploy_id": raw.get("deploy_id"),
        "cluster": raw.get("cluster"),
        "application": application,
        "description": raw.get("description"),  # what the person who started it said it is
        "status": status,
        "strategy": raw.get("strategy"),
        "change": redacted_change(change) if isinstance(change, Mapping) else None,
        "live": raw.get("live"),
        "green": raw.get("green"),
        "weights": raw.get("weights"),
        "steps": raw.get("steps"),
        "step_index": raw.get("step_index"),
        "analysis": raw.get("analysis_results") or None,
        "started_at": raw.get("started_at"),
        "failure": failure,
        "rollback_reason": reason,
        "notes": raw.get("notes"),
    }
    return subject, {k: v for k, v in body.items() if v is not None}


def notify(raw: Mapping[str, Any], sns_publish: Any) -> dict[str, Any]:
    subject, body = message(raw)
    sns_publish(subject, body)
    count(f"Deploy{outcome(raw).title().replace('_', '')}")
    return dict(raw)
