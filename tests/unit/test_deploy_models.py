from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fargate_ops.errors import DeployInputError
from fargate_ops.models.deploy import AllAtOnce, Canary, parse_document, parse_input

Loader = Callable[[str], dict[str, Any]]


def test_the_sample_first_deploy_input_is_valid(load_event: Loader) -> None:
    request = parse_input(load_event("deploy-input.json"))

    assert request.slots == ["web-blue", "web-green"]
    assert isinstance(request.strategy, AllAtOnce)
    assert request.change.images == {"app": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2"}


def test_a_later_deploy_may_omit_slots_and_listener_and_gets_the_default_timeouts(load_event: Loader) -> None:
    request = parse_input(load_event("deploy-input-later.json"))

    assert request.slots is None and request.listener_arn is None
    assert (request.readiness_timeout_seconds, request.rollback_window_seconds) == (600, 300)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"images": {"app": "x"}, "task_definition": "web:3"}, "change"),
        ({}, "change"),
        ({"images": {}}, "change"),
        ({"images": {"app": ""}}, "change.images.app"),
    ],
)
def test_a_change_needs_exactly_one_of_images_or_task_definition(
    load_event: Loader, change: dict[str, Any], field: str
) -> None:
    raw = {**load_event("deploy-input.json"), "change": change}

    with pytest.raises(DeployInputError) as caught:
        parse_input(raw)

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"deploy_id": None}, "deploy_id"),
        ({"slots": ["web-blue"]}, "slots"),
        ({"slots": ["web-blue", "web-blue"]}, "slots"),
        (
            {"listener_arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1"},
            "listener_arn",
        ),
        ({"readiness_timeout_seconds": 5}, "readiness_timeout_seconds"),
        ({"strategy": {"type": "blue-green-ish"}}, "strategy"),
        ({"readines_timeout_seconds": 600}, "readines_timeout_seconds"),
    ],
)
def test_a_bad_input_names_the_offending_field(load_event: Loader, patch: dict[str, Any], field: str) -> None:
    raw = {k: v for k, v in {**load_event("deploy-input.json"), **patch}.items() if v is not None}

    with pytest.raises(DeployInputError) as caught:
        parse_input(raw)

    assert caught.value.field == field


def test_canary_and_custom_steps_are_modelled_already(load_event: Loader) -> None:
    raw = {
        **load_event("deploy-input.json"),
        "strategy": {"type": "canary", "percent": 10, "bake_seconds": 300},
    }

    request = parse_input(raw)

    assert isinstance(request.strategy, Canary)
    assert request.strategy.plan().weights == [10, 100]


def test_custom_steps_that_do_not_end_at_everything_are_rejected(load_event: Loader) -> None:
    raw = {**load_event("deploy-input.json"), "strategy": {"type": "steps", "steps": [{"weight": 10}]}}

    with pytest.raises(DeployInputError, match="strategy"):
        parse_input(raw)


def test_the_deploy_document_ignores_what_the_state_machine_adds_and_round_trips(load_event: Loader) -> None:
    raw = {**load_event("deploy-step-await-green.json")["deploy"], "green_ready": {"ready": True}, "extra": 1}

    document = parse_document(raw)
    dumped = document.dump()

    assert "extra" not in dumped
    assert dumped["green"]["task_definition"].endswith("web:42")
    assert parse_document(dumped) == document


def test_the_failure_keeps_the_state_machine_spelling(load_event: Loader) -> None:
    raw = {
        **load_event("deploy-step-await-green.json")["deploy"],
        "failure": {"Error": "States.Timeout", "Cause": "x"},
    }

    document = parse_document(raw)

    assert document.failure is not None and document.failure.error == "States.Timeout"
    assert document.dump()["failure"] == {"Error": "States.Timeout", "Cause": "x"}


def test_the_sample_deploy_step_payloads_carry_valid_documents(load_event: Loader) -> None:
    plan = load_event("deploy-step-plan.json")
    await_green = load_event("deploy-step-await-green.json")

    assert plan["step"] == "plan" and parse_input(plan["deploy"]).deploy_id == "web-20250101-0001"
    assert await_green["task_token"] and parse_document(await_green["deploy"]).require_slots()
