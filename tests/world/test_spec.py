import subprocess
import sys

import pytest
from pydantic import ValidationError

from fargate_ops_cli.local.world.spec import FailsToStart, ImageBehaviour, WorldSpec


def test_a_small_world_needs_only_its_services() -> None:
    spec = WorldSpec.model_validate({"services": [{"name": "web-blue", "image": "web:v1"}]})

    assert spec.region == "us-east-1" and spec.account_id == "123456789012"
    assert [t.name for t in spec.target_groups] == ["web-blue-tg"]
    tg = spec.target_groups[0]
    assert (tg.health_check_interval_seconds, tg.healthy_threshold, tg.deregistration_delay_seconds) == (
        30,
        5,
        300,
    )
    assert spec.behaviour("web:v1") == ImageBehaviour()


def test_image_behaviours_accept_shorthands_and_details() -> None:
    spec = WorldSpec.model_validate(
        {
            "services": [{"name": "a", "image": "x:1"}],
            "images": {
                "x:1": "healthy",
                "x:2": "never_healthy",
                "x:3": {
                    "crash_after_seconds": 20,
                    "exit_code": 137,
                    "reason": "OutOfMemoryError: Container killed",
                },
            },
        }
    )

    assert spec.behaviour("x:1") == ImageBehaviour()
    assert spec.behaviour("x:2").never_healthy
    assert (spec.behaviour("x:3").crash_after_seconds, spec.behaviour("x:3").exit_code) == (20, 137)


def test_failed_starts_and_per_task_failures_read_as_people_write_them() -> None:
    spec = WorldSpec.model_validate(
        {
            "services": [
                {"name": "a", "image": "x:1", "circuit_breaker": {"enable": True, "rollback": True}}
            ],
            "images": {
                "x:1": "image_missing",
                "x:2": {"fails_to_start": "secret_missing", "start_seconds": 5},
                "x:3": {"fails_to_start": {"reason": "CannotPullContainerError: denied", "after_seconds": 3}},
                "x:4": {"crash_after_seconds": 30, "tasks": 1, "latency_ms": 50},
            },
        }
    )

    missing = spec.behaviour("x:1").fails_to_start
    assert missing is not None and missing.reason.startswith("CannotPullContainerError: pull image manifest")
    secret = spec.behaviour("x:2").fails_to_start
    assert secret is not None and secret.reason.startswith(
        "ResourceInitializationError: unable to pull secrets"
    )
    assert spec.behaviour("x:3").fails_to_start == FailsToStart(
        reason="CannotPullContainerError: denied", after_seconds=3
    )
    others = spec.behaviour("x:4").without_failures()
    assert (others.crash_after_seconds, others.tasks, others.latency_ms) == (None, None, 50)
    assert spec.services[0].circuit_breaker is not None and spec.services[0].circuit_breaker.rollback
    assert spec.stop_timing.after_exit_seconds + spec.stop_timing.stopping_seconds > 60


@pytest.mark.parametrize(
    "world",
    [
        {"services": []},
        {"services": [{"name": "a", "image": "x"}, {"name": "a", "image": "y"}]},
        {"services": [{"name": "a", "image": "x", "colour": "blue"}]},
        {"services": [{"name": "a", "image": "x"}], "images": {"x": {"error_rate": 1.5}}},
        {
            "services": [{"name": "a", "image": "x"}],
            "alarms": [{"name": "n", "metric": "TargetResponseTime", "target_group": "nope", "threshold": 1}],
        },
        {
            "services": [{"name": "a", "image": "x"}],
            "images": {"x": {"fails_to_start": "image_missing", "crash_after_seconds": 5}},
        },
        {"services": [{"name": "a", "image": "x"}], "images": {"x": {"crash_after_seconds": 5, "tasks": 0}}},
        {"services": [{"name": "a", "image": "x", "circuit_breaker": {"enable": True}}]},
        {"services": [{"name": "a", "image": "x", "capacity_provider": "EC2"}]},
    ],
    ids=[
        "no services",
        "duplicate service",
        "unknown field",
        "error rate above 1",
        "alarm on unknown group",
        "a failed start that also crashes",
        "tasks: 0",
        "a circuit breaker without rollback",
        "an unknown capacity provider",
    ],
)
def test_a_wrong_world_is_refused(world: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        WorldSpec.model_validate(world)


def test_alarm_statistic_follows_the_metric() -> None:
    spec = WorldSpec.model_validate(
        {
            "services": [{"name": "a", "image": "x"}],
            "alarms": [
                {"name": "errors", "metric": "HTTPCode_Target_5XX_Count", "threshold": 5},
                {"name": "slow", "metric": "TargetResponseTime", "threshold": 0.5, "evaluation_periods": 3},
            ],
        }
    )

    assert [(a.stat, a.datapoints) for a in spec.alarms] == [("Sum", 1), ("Average", 3)]


def test_the_spec_imports_without_moto_or_boto3() -> None:
    code = (
        "import sys, fargate_ops_cli.local.world.spec; print('moto' in sys.modules or 'boto3' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
