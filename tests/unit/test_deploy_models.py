from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from fargate_ops.errors import DeployInputError
from fargate_ops.models.deploy import parse_document, parse_input

Loader = Callable[[str], dict[str, Any]]


def test_the_sample_first_deploy_input_is_valid(load_event: Loader) -> None:
    request = parse_input(load_event("deploy-input.json"))

    assert request.slots == ["web-blue", "web-green"]
    assert request.strategy == {"type": "all-at-once"}
    assert request.change.images == {"app": "123456789012.dkr.ecr.us-east-1.amazonaws.com/web:1.4.2"}


def test_a_later_deploy_may_omit_slots_and_listener_and_gets_the_default_timeouts(load_event: Loader) -> None:
    request = parse_input(load_event("deploy-input-later.json"))

    assert request.slots is None and request.listener_arn is None
    assert (request.readiness_timeout_seconds, request.rollback_window_seconds) == (600, 300)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"images": {"app": "x"}, "task_definition": "web:3"}, "change"),
        ({"environment": {"app": {"A": "1"}}, "task_definition": "web:3"}, "change"),
        ({}, "change"),
        ({"images": {}}, "change"),
        ({"environment": {}}, "change"),
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
        ({"deploy_id": "release:42"}, "deploy_id"),  # no ':' in a Step Functions execution name
        ({"deploy_id": "r" * 81}, "deploy_id"),
        ({"slots": []}, "slots"),
        ({"slots": ["web-blue", "web-green", "web-red"]}, "slots"),
        ({"slots": ["web-blue", "web-blue"]}, "slots"),
        (
            {"listener_arn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/x/1"},
            "listener_arn",
        ),
        ({"readiness_timeout_seconds": 5}, "readiness_timeout_seconds"),
        ({"strategy": {"type": "blue-green-ish"}}, "strategy.type"),
        ({"strategy": {"type": "canary", "percent": 100, "bake": "5m"}}, "strategy.percent"),
        ({"strategy": {"type": "canary", "percent": 10}}, "strategy.bake"),
        ({"strategy": {"type": "linear", "step_percent": 10, "interval": "5 minutes"}}, "strategy.interval"),
        (
            {"strategy": {"type": "steps", "steps": [{"percent": 50}, {"percent": 40}]}},
            "strategy.steps.1.percent",
        ),
        (
            {"strategy": {"type": "steps", "steps": [{"percent": 10, "gate": "vote"}, {"percent": 100}]}},
            "strategy.steps.0.gate",
        ),
        ({"strategy": "canary-150-percent-5-minutes"}, "strategy"),
        ({"alarms": ["a", "a"]}, "alarms"),
        ({"analysis": {"min_requests": 10}}, "analysis"),
        ({"analysis": {"max_5xx_rate_delta": 2}}, "analysis.max_5xx_rate_delta"),
        ({"analysis": {"max_5xx_rate_delta": 0.01, "inconclusive": "ignore"}}, "analysis.inconclusive"),
        (
            {"analysis": {"max_5xx_rate_delta": 0.01, "metrics_wait_seconds": 600}},
            "analysis.metrics_wait_seconds",
        ),
        ({"approval": "after_traffic"}, "approval"),
        ({"validation_hook": "my-function"}, "validation_hook"),
        ({"notification_topic": "arn:aws:sqs:us-east-1:123456789012:q"}, "notification_topic"),
        ({"readines_timeout_seconds": 600}, "readines_timeout_seconds"),
    ],
)
def test_a_bad_input_names_the_offending_field(load_event: Loader, patch: dict[str, Any], field: str) -> None:
    raw = {k: v for k, v in {**load_event("deploy-input.json"), **patch}.items() if v is not None}

    with pytest.raises(DeployInputError) as caught:
        parse_input(raw)

    assert caught.value.field == field


@pytest.mark.parametrize(
    ("strategy", "percents", "bakes"),
    [
        ("all-at-once", [100], [0]),
        ({"type": "canary", "percent": 10, "bake": "5m"}, [10, 100], [300, 0]),
        ({"type": "canary", "percent": 10, "bake_seconds": 300}, [10, 100], [300, 0]),
        ("canary-10-percent-15-minutes", [10, 100], [900, 0]),
        ("CodeDeployDefault.ECSCanary10Percent5Minutes", [10, 100], [300, 0]),
        ({"type": "linear", "step_percent": 25, "interval": 60}, [25, 50, 75, 100], [60, 60, 60, 0]),
        ("linear-10-percent-every-3-minutes", list(range(10, 101, 10)), [180] * 9 + [0]),
        (
            {
                "type": "steps",
                "steps": [{"percent": 1, "bake": "1m"}, {"percent": 5, "bake": "90s"}, {"percent": 100}],
            },
            [1, 5, 100],
            [60, 90, 0],
        ),
    ],
)
def test_every_strategy_form_plans_its_steps(
    load_event: Loader, strategy: Any, percents: list[int], bakes: list[int]
) -> None:
    request = parse_input({**load_event("deploy-input.json"), "strategy": strategy})

    plan = request.traffic_plan()

    assert plan.percents == percents
    assert [s.bake_seconds for s in plan.steps] == bakes


def test_approval_before_traffic_is_a_gate_on_the_first_step(load_event: Loader) -> None:
    raw = {
        **load_event("deploy-input.json"),
        "strategy": "canary-10-percent-5-minutes",
        "approval": "before_traffic",
    }

    plan = parse_input(raw).traffic_plan()

    assert [s.gate for s in plan.steps] == ["approval", None]


def test_a_single_slot_asks_for_adoption(load_event: Loader) -> None:
    request = parse_input({**load_event("deploy-input.json"), "slots": ["web"]})

    assert request.wants_adoption


def test_the_normalized_strategy_parses_again_to_the_same(load_event: Loader) -> None:
    request = parse_input({**load_event("deploy-input.json"), "strategy": "linear-10-percent-every-1-minute"})

    again = parse_input({**load_event("deploy-input.json"), "strategy": request.strategy})

    assert again.strategy == request.strategy
    assert again.strategy["preset"] == "linear-10-percent-every-1-minute"


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


def test_an_analysis_waits_five_minutes_for_its_metrics_and_fails_when_it_never_sees_them(
    load_event: Loader,
) -> None:
    raw = {**load_event("deploy-input.json"), "analysis": {"max_5xx_rate_delta": 0.01}}

    analysis = parse_input(raw).analysis

    assert analysis is not None
    assert (analysis.metrics_wait_seconds, analysis.inconclusive) == (300, "fail")


@pytest.mark.parametrize("field", ["deploy_id", "cluster", "application"])
def test_a_name_with_a_trailing_newline_is_refused(load_event: Loader, field: str) -> None:
    raw = load_event("deploy-input.json")

    with pytest.raises(DeployInputError) as caught:
        parse_input({**raw, field: f"{raw[field]}\n"})

    assert caught.value.field == field


def test_a_value_outside_a_choice_is_told_the_choices(load_event: Loader) -> None:
    raw = {**load_event("deploy-input.json"), "analysis": {"max_5xx_rate_delta": 0.01, "inconclusive": "x"}}

    with pytest.raises(DeployInputError, match="'x' is not one of 'fail', 'pass', 'pause'"):
        parse_input(raw)


def test_an_empty_variable_name_is_named_by_its_container(load_event: Loader) -> None:
    raw = {**load_event("deploy-input.json"), "change": {"environment": {"app": {"": "1"}}}}

    with pytest.raises(DeployInputError) as caught:
        parse_input(raw)

    assert caught.value.field == "change.environment.app"


def test_the_dump_keeps_a_null_variable_it_removes_and_leaves_out_unset_fields(load_event: Loader) -> None:
    raw = {**load_event("deploy-input.json"), "change": {"environment": {"app": {"OLD": None, "NEW": "1"}}}}

    dumped = parse_document(raw).dump()

    assert dumped["change"] == {"environment": {"app": {"OLD": None, "NEW": "1"}}}
    assert "analysis" not in dumped and "failure" not in dumped


def test_the_input_digest_is_the_one_the_pydantic_models_gave(load_event: Loader) -> None:
    # A deploy in flight across an upgrade holds its digest in its record (deploy/trust.py): the same
    # document must digest the same, or every running deploy is refused as untrusted.
    from fargate_ops.deploy.trust import input_digest

    raw = {
        **load_event("deploy-step-await-green.json")["deploy"],
        "strategy": "canary-10-percent-5-minutes",
        "analysis": {"max_latency_ratio": 2},
        "change": {"environment": {"app": {"A": None, "B": "1"}}},
    }

    digest = input_digest(parse_document(raw))

    assert digest == "0e07e4c087b15988cf8da016088c0ba27cef1f920d5a82b74c23dd8caeacc183"
