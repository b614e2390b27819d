"""The real template's ScheduleV2 schedule is created by the runtime and fires on the virtual clock."""

from __future__ import annotations

from fargate_ops_cli.local.runtime import LocalRuntime


def test_the_cleanup_schedule_fires_daily_and_invokes_a_dry_run_of_the_cleanup_function() -> None:
    with LocalRuntime() as runtime:
        stack = runtime.deploy_stack()
        scheduled = {s["Name"]: s for s in stack.schedules}
        assert "fargate-ops-cleanup" in scheduled
        started = runtime.clock.now()
        runtime.clock.run_until(started + 2 * 86400 + 60)
        firings = [f for f in runtime.schedules.firings if f.schedule == "fargate-ops-cleanup"]
        assert len(firings) == 2
        assert all(0 < f.at - started <= 2 * 86400 for f in firings)
        cleanup_name = stack.function_arn("CleanupFunction").split(":function:")[1]
        calls = [i for i in runtime.lambdas.invocations if i.function == cleanup_name]
        assert [c.event for c in calls] == [{"apply": False}, {"apply": False}]
        assert all(c.ok for c in calls)
