"""The operator's verbs as a user runs them: against `fargate-ops local serve`, over HTTP.

One server (its own process, clock at 60x real time) serves one world for the whole module; the
verbs run in order against it, so the module stays on one pytest-xdist worker. Waits are bounded
generously and never rely on a real-time sleep being exact: a test waits for a state, not a moment.
"""

from __future__ import annotations

import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.local.serving import Served, bare_environment, fargate_ops, local_serve

pytestmark = pytest.mark.xdist_group("operator_cli")

WORLD = """\
cluster: shop
services:
  - {name: web-blue, image: "shop:v1", desired_count: 2, container_name: web}
  - {name: web-green, image: "shop:v1", desired_count: 0, container_name: web}
target_groups:  # quick health checks and draining: minutes of waiting are seconds here
  - {name: web-blue-tg, health_check_interval_seconds: 5, healthy_threshold: 2,
     deregistration_delay_seconds: 10}
  - {name: web-green-tg, health_check_interval_seconds: 5, healthy_threshold: 2,
     deregistration_delay_seconds: 10}
images:
  "shop:v2": {start_seconds: 60}
  # Ten real seconds at 60x before green is up: the first poll of `deploy --wait` sees it start
  # even when a loaded machine is slow between StartExecution and the first DescribeExecution.
  "shop:v2-slow": {start_seconds: 600}
  "shop:bad": never_healthy
"""
SPEED = "60"
STATE_WITHIN_SECONDS = 180.0  # real seconds a deploy may take to reach a state on a loaded machine
LONG_BAKE = '{"type": "canary", "percent": 10, "bake": "6h"}'  # 6 real minutes at 60x: never the limit


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    workdir = tmp_path_factory.mktemp("serve")
    (workdir / "world.yaml").write_text(WORLD)
    # A shell that already points at an endpoint, with a profile that does not exist: the runtime's
    # own in-process calls must not follow either.
    env = bare_environment(AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_PROFILE="no-such-profile")
    with local_serve(workdir, "--world", str(workdir / "world.yaml"), "--speed", SPEED, env=env) as served:
        yield served
        served.process.send_signal(signal.SIGINT)  # Ctrl-C: the server stops cleanly
        assert served.process.wait(timeout=60) == 0


@pytest.fixture
def options(tmp_path: Path) -> Callable[[str], str]:
    def write(text: str) -> str:
        path = tmp_path / "deploy.yaml"
        path.write_text(text)
        return str(path)

    return write


def deploy_args(served: Served, deploy_id: str, image: str, *extra: str) -> list[str]:
    return [
        "deploy", "--cluster", "shop", "--app", "web", "--slots", "web-blue,web-green",
        "--listener", served.ready["listener_arn"], "--image", f"web={image}", "--id", deploy_id, *extra,
    ]  # fmt: skip


def until(served: Served, deploy_id: str, holds: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """`fargate-ops status` until its document satisfies `holds`; the last document otherwise."""
    deadline = time.monotonic() + STATE_WITHIN_SECONDS
    while True:
        _, current = fargate_ops(served.url, "status", deploy_id)
        if holds(current) or time.monotonic() > deadline:
            return dict(current)
        time.sleep(0.3)


def by_target_group(weights: dict[str, int]) -> dict[str, int]:
    return {arn.split("/")[-2]: weight for arn, weight in weights.items()}


def waiting_for(kind: str) -> Callable[[dict[str, Any]], bool]:
    return lambda status: (status.get("waiting") or {}).get("kind") == kind


def test_the_server_says_where_it_listens_and_what_to_export(served: Served) -> None:
    assert served.ready["environment"]["AWS_ENDPOINT_URL"] == served.url
    assert served.ready["cluster"] == "shop"
    assert served.ready["services"] == ["web-blue", "web-green"]


def test_a_bad_input_exits_2_naming_the_field_before_any_aws_call() -> None:
    # Nothing listens on port 9: a call would fail with exit 7, not 2.
    result, body = fargate_ops(
        "http://127.0.0.1:9",
        "deploy", "--cluster", "shop", "--app", "web", "--image", "web=x:1", "--strategy", "sideways",
    )  # fmt: skip
    assert result.exit_code == 2
    assert "strategy" in body["error"]


def test_deploy_wait_prints_its_progress_and_exits_0_on_success(
    served: Served, options: Callable[[str], str]
) -> None:
    # Green takes 10 real seconds to start (600 virtual at 60x): the first poll sees it coming up even
    # when a loaded machine lets the clock catch up in big jumps.
    window = options("rollback_window_seconds: 30\nreadiness_timeout_seconds: 1800\n")
    result, _ = fargate_ops(
        served.url, *deploy_args(served, "ok-1", "shop:v2-slow", "--input", window, "--wait"), output="text"
    )
    assert result.exit_code == 0, result.output
    # Not a terminal: one block per change (a log), the first right after the start, the last the end.
    blocks = result.stdout.split("deploy ok-1: ")
    assert blocks[0] == "" and len(blocks) >= 3
    assert blocks[1].startswith("RUNNING  (shop/web)") and "waiting for ready" in blocks[1]
    assert blocks[-1].startswith("SUCCEEDED  (shop/web)")
    assert "web-green-tg ██████████████████████████████ 100%" in blocks[-1]


def test_status_of_an_ended_deploy_exits_with_its_outcome(served: Served) -> None:
    result, body = fargate_ops(served.url, "status", "ok-1")
    assert (result.exit_code, body["status"]) == (0, "SUCCEEDED")
    assert body["green"] == "web-green"
    assert by_target_group(body["weights"]) == {"web-blue-tg": 0, "web-green-tg": 100}


def test_history_lists_the_deploys_newest_first(served: Served) -> None:
    result, body = fargate_ops(served.url, "history", "--app", "web")
    assert result.exit_code == 0
    assert [d["deploy_id"] for d in body["deploys"]] == ["ok-1"]
    text, _ = fargate_ops(served.url, "history", output="text")
    assert "ok-1" in text.stdout and "SUCCEEDED" in text.stdout


def test_promote_on_a_deploy_that_is_not_baking_exits_6_and_says_why(served: Served) -> None:
    result, body = fargate_ops(served.url, "promote", "ok-1")
    assert result.exit_code == 6
    assert "cannot promote" in body["error"]


def test_reusing_a_deploy_id_with_another_input_is_refused(served: Served) -> None:
    result, body = fargate_ops(served.url, *deploy_args(served, "ok-1", "shop:v3"))
    assert result.exit_code == 2
    assert "different input" in body["error"]


def test_an_image_that_is_never_healthy_makes_deploy_wait_exit_3(
    served: Served, options: Callable[[str], str]
) -> None:
    readiness = options("readiness_timeout_seconds: 120\n")
    result, body = fargate_ops(
        served.url, *deploy_args(served, "bad-1", "shop:bad", "--input", readiness, "--wait")
    )
    assert result.exit_code == 3, body
    assert body["status"] == "ROLLED_BACK"
    # ELB health checks fail, ECS replaces the tasks again and again: a crash loop, not a timeout.
    assert body["rollback_reason"]["error"] == "GreenCrashLoopError"
    assert sorted(body["weights"].values()) == [0, 100]


def test_events_tells_what_happened_to_the_failed_releases_tasks(served: Served) -> None:
    result, body = fargate_ops(served.url, "events", "shop/web-blue", "--since", "1h")
    assert result.exit_code == 0
    stops = [e["summary"] for e in body["entries"] if e["kind"] == "task_stopped"]
    assert any("abnormal, failed its health checks" in stop for stop in stops), body["entries"]
    text, _ = fargate_ops(served.url, "events", "shop/web-blue", "--since", "1h", output="text")
    assert "web-blue in shop:" in text.stdout
    assert "Task failed ELB health checks" in text.stdout


def test_a_second_deploy_of_the_application_while_one_runs_exits_5(served: Served) -> None:
    started, body = fargate_ops(
        served.url,
        *deploy_args(served, "gate-1", "shop:v2", "--strategy", LONG_BAKE, "--input", _approval(served)),
    )
    assert (started.exit_code, body["started"]) == (0, True)
    assert waiting_for("approval")(until(served, "gate-1", waiting_for("approval")))

    result, body = fargate_ops(served.url, *deploy_args(served, "second-1", "shop:v2", "--wait"))

    assert result.exit_code == 5, body
    assert body["status"] == "REJECTED"


def test_approve_passes_the_gate_and_the_deploy_bakes(served: Served) -> None:
    result, body = fargate_ops(served.url, "approve", "gate-1")
    assert (result.exit_code, body["action"]) == (0, "approve")
    baking = until(served, "gate-1", waiting_for("bake"))
    assert waiting_for("bake")(baking), baking
    assert by_target_group(baking["weights"]) == {"web-blue-tg": 10, "web-green-tg": 90}


def test_promote_full_ends_the_bake_and_sends_everything_to_green(served: Served) -> None:
    result, _ = fargate_ops(served.url, "promote", "gate-1", "--full", output="text")
    assert result.exit_code == 0
    assert "promoted to 100% now" in result.stdout
    live = until(served, "gate-1", waiting_for("rollback_window"))
    assert waiting_for("rollback_window")(live), live
    assert live["green"] == "web-blue"
    assert by_target_group(live["weights"]) == {"web-blue-tg": 100, "web-green-tg": 0}


def test_rollback_within_the_window_sends_traffic_back_and_the_deploy_exits_3(served: Served) -> None:
    result, body = fargate_ops(served.url, "rollback", "gate-1")
    assert (result.exit_code, body["action"]) == (0, "rollback")

    ended, final = fargate_ops(served.url, "status", "gate-1", "--wait")

    assert ended.exit_code == 3, final
    assert final["status"] == "ROLLED_BACK"
    assert "manual rollback" in str(final["rollback_reason"])


def test_abort_rolls_a_waiting_deploy_back_with_the_operators_reason(served: Served) -> None:
    fargate_ops(served.url, *deploy_args(served, "abort-1", "shop:v2", "--input", _approval(served)))
    assert waiting_for("approval")(until(served, "abort-1", waiting_for("approval")))

    result, body = fargate_ops(served.url, "abort", "abort-1", "--reason", "not on a Friday")
    assert (result.exit_code, body["action"]) == (0, "abort")
    ended, final = fargate_ops(served.url, "status", "abort-1", "--wait")

    assert ended.exit_code == 3, final
    assert "not on a Friday" in str(final["rollback_reason"])


def test_the_same_id_and_input_attach_to_the_deploy_they_started(
    served: Served, options: Callable[[str], str]
) -> None:
    # Step Functions answers the repeated StartExecution with the running execution, as a success:
    # the CLI must still tell that it did not start a second deploy.
    # 300 s at the server's speed is 5 s of wall time for the second CLI run to find it still running
    # (30 s, half a second, lost that race on a loaded machine).
    args = deploy_args(served, "again-1", "shop:v2", "--input", options("rollback_window_seconds: 300\n"))
    _, first = fargate_ops(served.url, *args)
    _, again = fargate_ops(served.url, *args)

    assert (first["started"], again["started"]) == (True, False)
    assert again["execution_arn"] == first["execution_arn"]
    assert again["execution_status"] == "RUNNING"
    followed, body = fargate_ops(served.url, *args, "--wait")  # the same input: it follows that deploy
    assert (followed.exit_code, body["status"]) == (0, "SUCCEEDED")
    _, after = fargate_ops(served.url, *args)
    assert (after["started"], after["execution_status"]) == (False, "SUCCEEDED")


def test_an_unknown_deploy_is_reported_with_what_to_do_next(served: Served) -> None:
    for verb in ("abort", "status"):
        result, body = fargate_ops(served.url, verb, "nope")
        assert result.exit_code == 2, body
        assert "fargate-ops history" in body["error"]


def test_a_stack_that_is_not_there_exits_7_and_says_so_on_one_line(served: Served) -> None:
    result, body = fargate_ops(served.url, "history", "--stack", "nope")
    assert (result.exit_code, body["problem"]) == (7, "no-stack")
    assert f"no stack 'nope' in region us-east-1 at {served.url}" in body["error"]


def test_the_console_script_finds_the_endpoint_in_aws_endpoint_url(served: Served) -> None:
    import subprocess

    from tests.local.serving import SCRIPT

    env = bare_environment(AWS_ENDPOINT_URL=served.url)  # no credentials, no region: the local defaults
    completed = subprocess.run(
        [str(SCRIPT), "status", "ok-1"], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert completed.returncode == 0, completed.stderr
    assert "deploy ok-1: SUCCEEDED" in completed.stdout


def test_the_server_tells_the_deploys_steps_as_they_happen(served: Served) -> None:
    told = [entry["text"] for entry in served.told() if entry["actor"] == "deploy ok-1"]
    assert "execution SUCCEEDED" in told


def _approval(served: Served) -> str:
    path = Path(served.log).with_name("approval.yaml")
    path.write_text("approval: before_traffic\nrollback_window_seconds: 86400\n")
    return str(path)
