"""What `fargate-ops status` and `deploy --wait` print about a deploy that waits."""

from datetime import UTC, datetime

from fargate_ops_cli.commands.progress import describe

NOW = datetime(2026, 1, 5, 9, 10, tzinfo=UTC)


def test_a_deploy_paused_by_an_inconclusive_analysis_says_why_it_waits_for_an_approval() -> None:
    reason = "inconclusive: after waiting 300s, CloudWatch has no load balancer datapoint for 09:06"
    summary = {
        "deploy_id": "d1",
        "status": "RUNNING",
        "waiting": {"kind": "approval", "timeout_at": "2026-01-06T09:10:00Z", "reason": reason},
    }

    lines = describe(summary, now=NOW)

    assert "  waiting for approval, 86400 s left" in lines
    assert f"    because {reason}" in lines
