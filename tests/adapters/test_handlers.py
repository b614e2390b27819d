"""The three Lambda entry points, called the way the Lambda runtime (or the local runtime) calls them."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType
from typing import Any

import pytest

from fargate_ops.errors import SettingsError, UnknownStepError

Handler = Callable[[str], ModuleType]


def test_the_deploy_step_handler_runs_the_named_step(handler: Handler, env: Any, world: Any) -> None:
    event = {
        "step": "plan",
        "execution": "exec-1",
        "deploy": {
            "deploy_id": "d1",
            "cluster": "prod",
            "application": "web",
            "slots": ["web-blue", "web-green"],
            "listener_arn": world.listener_arn,
            "change": {"images": {"app": "web:2"}},
        },
    }

    doc = handler("deploy_step").lambda_handler(event, None)

    assert doc["green"]["service"] == "web-green" and doc["execution"] == "exec-1"


def test_the_deploy_step_handler_raises_package_errors_by_class_name(handler: Handler, env: Any) -> None:
    with pytest.raises(UnknownStepError):
        handler("deploy_step").lambda_handler({"step": "nope", "deploy": {}}, None)


def test_settings_are_read_at_invocation_time(
    handler: Handler, env: Any, monkeypatch: pytest.MonkeyPatch, load_event: Callable[[str], dict[str, Any]]
) -> None:
    module = handler("ecs_events")
    monkeypatch.delenv("TABLE_NAME")

    with pytest.raises(SettingsError, match="TABLE_NAME"):
        module.lambda_handler(load_event("ecs-service-action-service-steady-state.json"), None)


def test_the_ecs_events_handler_reports_what_it_did(
    handler: Handler, env: Any, load_event: Callable[[str], dict[str, Any]]
) -> None:
    outcome = handler("ecs_events").lambda_handler(
        load_event("ecs-container-instance-state-change.json"), None
    )

    assert outcome == {"outcome": "ignored"}


def test_the_cleanup_handler_is_a_dry_run_unless_apply_is_literally_true(
    handler: Handler, env: Any, world: Any
) -> None:
    module = handler("cleanup")

    assert module.lambda_handler({"apply": "yes"}, None)["dry_run"] is True
    assert module.lambda_handler(None, None)["dry_run"] is True
    assert module.lambda_handler({"apply": True, "clusters": ["prod"]}, None)["dry_run"] is False


def test_the_cleanup_handler_uses_the_scheduled_dry_run_event(
    handler: Handler, env: Any, world: Any, load_event: Callable[[str], dict[str, Any]]
) -> None:
    result = handler("cleanup").lambda_handler(load_event("cleanup-dry-run.json"), None)

    kept = {k["resource"]: k["reasons"] for k in result["plan"]["kept"]}
    assert result["dry_run"] is True
    assert any("PRIMARY deployment of service prod/web-blue" in r for r in kept[world.task_definition])
