"""A scenario's `expect:` block, checked against its report (scenario files double as tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fargate_ops_cli.local.report import Report
    from fargate_ops_cli.local.scenario import Expectations


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
    if expect.invariants_hold:
        violations = report.invariant_violations
        results.append(
            _result("invariants hold", not violations, "; ".join(violations[:3]) or "no violation")
        )
    return results
