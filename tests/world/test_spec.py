import subprocess
import sys

import pytest
from pydantic import ValidationError

from fargate_ops_cli.local.world.spec import ImageBehaviour, WorldSpec


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
    ],
    ids=["no services", "duplicate service", "unknown field", "error rate above 1", "alarm on unknown group"],
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
