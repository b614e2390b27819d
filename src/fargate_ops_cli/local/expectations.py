"""A scenario's `expect:` block, checked against its report (scenario files double as tests)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fargate_ops_cli.local.report import Report
    from fargate_ops_cli.local.scenario import Expectations, ExpectedDeploy, ExpectedNotifications


def _result(what: str, ok: bool, detail: str) -> dict[str, Any]:
    return {"what": what, "ok": ok, "detail": detail}


def check(expect: Expectations, report: Report) -> list[dict[str, Any]]:
    results: list[dict[str, Any]] = []
    deploys = {d["id"]: d for d in report.deploys}
    for wanted in expect.deploys:
        got = deploys.get(wanted.id)
        if got is None:
            results.append(_result(f"deploy {wanted.id}", False, "was never started"))
            continue
        results.append(
            _result(
                f"deploy {wanted.id} status",
                got["status"] == wanted.status,
                f"{got['status']} (expected {wanted.status})",
            )
        )
        if wanted.final_weights is not None:
            ok = got.get("final_weights") == wanted.final_weights
            results.append(
                _result(
                    f"deploy {wanted.id} final weights",
                    ok,
                    f"{got.get('final_weights')} (expected {wanted.final_weights})",
                )
            )
        results.extend(_engine_checks(wanted, got))
        if wanted.reason_contains is not None:
            reason = f"{got.get('rollback_reason') or ''} {got.get('error') or ''} {got.get('cause') or ''}"
            ok = wanted.reason_contains.lower() in reason.lower()
            results.append(
                _result(f"deploy {wanted.id} reason", ok, f"contains {wanted.reason_contains!r}: {ok}")
            )
    services = {s["name"]: s for s in report.services}
    for wanted_service in expect.services:
        service = services.get(wanted_service.name)
        if service is None:
            results.append(_result(f"service {wanted_service.name}", False, "does not exist"))
            continue
        for key in ("desired", "running"):
            value = getattr(wanted_service, key)
            if value is not None:
                ok = service[key] == value
                results.append(
                    _result(f"service {wanted_service.name} {key}", ok, f"{service[key]} (expected {value})")
                )
    if expect.notifications is not None:
        count = len(report.notifications)
        results.append(
            _result(
                "notifications", count == expect.notifications, f"{count} (expected {expect.notifications})"
            )
        )
    for wanted_notifications in expect.notifications_matching:
        results.append(_matching_notifications(wanted_notifications, report.notifications))
    if expect.invariants_hold:
        violations = report.invariant_violations
        results.append(
            _result("invariants hold", not violations, "; ".join(violations[:3]) or "no violation")
        )
    return results


def check_headroom(report: Report) -> list[dict[str, Any]]:
    """Every execution stays under half of each Step Functions hard limit: a run that needs more is
    one growing input, or one more loop, away from failing in AWS."""
    from fargate_ops_cli.local.sfn_limits import (
        HISTORY_EVENT_LIMIT,
        HISTORY_GATE_EVENTS,
        PAYLOAD_GATE_BYTES,
        PAYLOAD_LIMIT_BYTES,
    )

    results = []
    for name, payload in report.largest_payload_bytes.items():
        results.append(
            _result(
                f"execution {name} largest payload",
                payload < PAYLOAD_GATE_BYTES,
                f"{payload} bytes (under {PAYLOAD_GATE_BYTES}: half the {PAYLOAD_LIMIT_BYTES}-byte limit)",
            )
        )
    for name, events in report.history_events.items():
        results.append(
            _result(
                f"execution {name} history",
                events < HISTORY_GATE_EVENTS,
                f"{events} events (under {HISTORY_GATE_EVENTS}: half the {HISTORY_EVENT_LIMIT}-event limit)",
            )
        )
    return results


def check_iam(expect: Expectations | None, report: Report) -> dict[str, Any] | None:
    """Denied calls against `expect.iam_denials` (default 0); said only when there is something to say."""
    denials = report.iam.get("denials", [])
    wanted = expect.iam_denials if expect is not None else 0
    if expect is None and not denials:
        return None
    shown = "; ".join(
        f"{d['principal'].rsplit('/', 2)[-2]}: {d['action']} on {d['resource']}" for d in denials[:3]
    )
    return _result(
        "IAM denials", len(denials) == wanted, f"{len(denials)} (expected {wanted}) {shown}".rstrip()
    )


def _matching_notifications(
    wanted: ExpectedNotifications, notifications: list[dict[str, Any]]
) -> dict[str, Any]:
    def matches(notification: dict[str, Any]) -> bool:
        subject = str(notification.get("subject") or "").lower()
        if wanted.subject_contains is not None and wanted.subject_contains.lower() not in subject:
            return False
        body = json.dumps(notification.get("message"), sort_keys=True, default=str)
        return wanted.body_contains is None or wanted.body_contains in body

    found = sum(1 for n in notifications if matches(n))
    what = " and ".join(
        f"{name} {value!r}"
        for name, value in (
            ("subject contains", wanted.subject_contains),
            ("body contains", wanted.body_contains),
        )
        if value is not None
    )
    return _result(
        f"notifications whose {what or 'anything'}",
        found == wanted.count,
        f"{found} (expected {wanted.count})",
    )


def _engine_checks(wanted: ExpectedDeploy, got: dict[str, Any]) -> list[dict[str, Any]]:
    """The deploy engine's expectations: green's weight steps, analysis verdicts, error, transitions."""
    results = []
    compared = (
        ("green weights", wanted.green_weights, got.get("green_weights")),
        ("analysis", wanted.analysis, [a.get("verdict") for a in got.get("analysis") or []]),
        ("error", wanted.error, got.get("error")),
    )
    for what, expected, seen in compared:
        if expected is not None:
            results.append(
                _result(f"deploy {wanted.id} {what}", seen == expected, f"{seen} (expected {expected})")
            )
    if wanted.max_state_transitions is not None:
        transitions = int(got.get("state_transitions") or 0)
        results.append(
            _result(
                f"deploy {wanted.id} state transitions",
                transitions <= wanted.max_state_transitions,
                f"{transitions} (at most {wanted.max_state_transitions})",
            )
        )
    return results


def evaluate(expect: Expectations | None, report: Report) -> list[dict[str, Any]]:
    """Every check of a finished run: its own `expect:` lines, Step Functions' headroom and IAM denials
    (the last two hold for every scenario, with or without `expect:`)."""
    results = check(expect, report) if expect is not None else []
    if expect is not None and expect.cleanups:
        from fargate_ops_cli.local.cleanup_steps import check_cleanups

        results += check_cleanups(expect.cleanups, report.cleanups)
    results += check_headroom(report)
    # AWS would refuse these calls: a run with an unexpected denial is not green, with or without expect:
    iam_result = check_iam(expect, report)
    if iam_result is not None:
        results.append(iam_result)
    return results
