"""`fargate-ops recover` as an operator runs it, against `fargate-ops local serve`, on a deploy whose
rollback failed: the world's scenario makes the deploy step Lambda fail every rollback (its faults),
with an error that is not transient, so the deploy ends ROLLBACK_FAILED as soon as it is aborted."""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.local.serving import Served, fargate_ops, local_serve

pytestmark = pytest.mark.xdist_group("recover_cli")

SCENARIO = """\
name: rollback-fails
world:
  cluster: shop
  services:
    - {name: web-blue, image: "shop:v1", desired_count: 2, container_name: web}
    - {name: web-green, image: "shop:v1", desired_count: 0, container_name: web}
  target_groups:
    - {name: web-blue-tg, health_check_interval_seconds: 5, healthy_threshold: 2,
       deregistration_delay_seconds: 10}
    - {name: web-green-tg, health_check_interval_seconds: 5, healthy_threshold: 2,
       deregistration_delay_seconds: 10}
  images:
    "shop:v2": {start_seconds: 30}
faults:
  fail_step: {step: rollback, times: always}
timeline: []
run_for: 1h
"""
WITHIN_SECONDS = 180.0
LONG_BAKE = '{"type": "canary", "percent": 10, "bake": "6h"}'


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("recover")
    (workdir / "scenario.yaml").write_text(SCENARIO)
    with local_serve(workdir, str(workdir / "scenario.yaml"), "--speed", "60") as served:
        yield served
        served.process.send_signal(signal.SIGINT)
        assert served.process.wait(timeout=60) == 0


def until(served: Served, holds: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    deadline = time.monotonic() + WITHIN_SECONDS
    while True:
        _, current = fargate_ops(served.url, "status", "rf-1")
        if holds(current) or time.monotonic() > deadline:
            return dict(current)
        time.sleep(0.3)


def by_slot(weights: dict[str, int]) -> dict[str, int]:
    return {arn.split("/")[-2].removesuffix("-tg"): weight for arn, weight in weights.items()}


def test_a_running_deploy_is_shown_and_not_recovered(served: Served) -> None:
    result, _ = fargate_ops(
        served.url,
        "deploy", "--cluster", "shop", "--app", "web", "--slots", "web-blue,web-green",
        "--listener", served.ready["listener_arn"], "--image", "web=shop:v2", "--id", "rf-1",
        "--strategy", LONG_BAKE,
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    baking = until(served, lambda s: (s.get("waiting") or {}).get("kind") == "bake")
    assert baking["status"] == "RUNNING", baking

    shown, document = fargate_ops(served.url, "recover", "rf-1")
    assert shown.exit_code == 0 and document["execution_status"] == "RUNNING"
    refused, error = fargate_ops(served.url, "recover", "rf-1", "--apply")
    assert refused.exit_code == 6 and "still running" in error["error"]


def test_a_rollback_that_fails_ends_rollback_failed_with_the_lease_held_and_traffic_split(
    served: Served,
) -> None:
    aborted, _ = fargate_ops(served.url, "abort", "rf-1", "--reason", "bad migration")
    assert aborted.exit_code == 0
    ended = until(served, lambda s: s.get("exit_code") is not None)
    assert (ended["status"], ended["exit_code"]) == ("ROLLBACK_FAILED", 4), ended

    shown, document = fargate_ops(served.url, "recover", "rf-1")
    assert shown.exit_code == 0
    assert (document["status"], document["lease_holder"]) == ("ROLLBACK_FAILED", "rf-1")
    assert by_slot(document["weights"]) == {"web-blue": 90, "web-green": 10}
    assert document["healthy_slot"] == "web-blue" and not document["applied"]


def test_recover_apply_puts_traffic_on_the_healthy_slot_finishes_the_record_and_frees_the_lease(
    served: Served,
) -> None:
    result, document = fargate_ops(served.url, "recover", "rf-1", "--apply")

    assert result.exit_code == 0, result.output
    assert document["applied"] and document["status"] == "ROLLED_BACK"
    assert by_slot(document["weights"]) == {"web-blue": 100, "web-green": 0}
    assert document["lease_holder"] is None
    again, _ = fargate_ops(served.url, "recover", "rf-1", "--apply", output="text")
    assert again.exit_code == 0 and "already final (ROLLED_BACK)" in again.stdout


def test_recover_of_an_unknown_deploy_exits_2(served: Served) -> None:
    result, document = fargate_ops(served.url, "recover", "no-such-deploy")

    assert result.exit_code == 2 and "no deploy 'no-such-deploy'" in document["error"]
