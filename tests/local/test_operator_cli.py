"""The operator's verbs against the real application in the local runtime (no AWS account)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from fargate_ops_cli.commands.common import Session
from fargate_ops_cli.local.world.spec import WorldSpec
from fargate_ops_cli.local.world_session import LocalWorld, open_local_world
from fargate_ops_cli.main import cli
from fargate_ops_cli.operations.resources import Resources

# The verbs act on one shared local world, in order: keep them on one pytest-xdist worker.
pytestmark = pytest.mark.xdist_group("operator_cli")

SPEC = WorldSpec.model_validate(
    {
        "cluster": "shop",
        "services": [
            {"name": "web-blue", "image": "shop:v1", "desired_count": 2, "container_name": "web"},
            {"name": "web-green", "image": "shop:v1", "desired_count": 0, "container_name": "web"},
        ],
        "images": {"shop:v2": {"start_seconds": 10}, "shop:bad": "never_healthy"},
    }
)


@pytest.fixture(scope="module")
def local() -> Iterator[LocalWorld]:
    with open_local_world(SPEC) as lw:
        yield lw


@pytest.fixture(autouse=True)
def cli_talks_to_the_local_runtime(local: LocalWorld, monkeypatch: pytest.MonkeyPatch) -> None:
    from fargate_ops import clock as app_clock

    # tests/conftest.py puts the application back on real time after every test; this world is shared.
    app_clock.set_time_source(local.rt.clock.now)
    monkeypatch.setattr(Session, "client", lambda self, name: local.rt.clients.client(name))
    monkeypatch.setattr(
        Session, "resources", property(lambda self: Resources.from_outputs(local.stack.outputs))
    )
    # --wait polls every few seconds; on the virtual clock, let each poll cover a quarter minute.
    monkeypatch.setattr(Session, "sleep", lambda self, seconds: local.advance(15))


def fargate_ops(*args: str) -> tuple[int, Any]:
    result = CliRunner().invoke(cli, [*args, "--output", "json"])
    return result.exit_code, json.loads(result.stdout) if result.stdout.strip() else None


def deploy_args(local: LocalWorld, deploy_id: str, image: str, *extra: str) -> list[str]:
    return [
        "deploy", "--cluster", "shop", "--app", "web", "--slots", "web-blue,web-green",
        "--listener", local.world.traffic_arn(), "--image", f"web={image}", "--id", deploy_id, *extra,
    ]  # fmt: skip


def test_a_bad_input_exits_2_naming_the_field_before_any_aws_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_aws(self: Session, name: str) -> Any:
        raise AssertionError(f"an AWS client ({name}) was created for a bad input")

    monkeypatch.setattr(Session, "client", no_aws)
    code, body = fargate_ops(
        "deploy", "--cluster", "shop", "--app", "web", "--image", "web=x:1", "--strategy", "sideways"
    )
    assert code == 2
    assert "strategy" in body["error"]


def test_deploy_wait_follows_a_deploy_to_success_and_exits_0(local: LocalWorld) -> None:
    code, body = fargate_ops(*deploy_args(local, "ok-1", "shop:v2"), "--wait")
    assert code == 0, body
    assert body["status"] == "SUCCEEDED"
    assert sorted(body["weights"].values()) == [0, 100]


def test_status_of_an_ended_deploy_exits_with_its_outcome(local: LocalWorld) -> None:
    code, body = fargate_ops("status", "ok-1")
    assert (code, body["status"]) == (0, "SUCCEEDED")


def test_history_lists_the_deploys_newest_first(local: LocalWorld) -> None:
    code, body = fargate_ops("history", "--app", "web")
    assert code == 0
    assert body["deploys"][0]["deploy_id"] == "ok-1"


def test_promote_on_a_deploy_that_is_not_baking_exits_6_and_says_why(local: LocalWorld) -> None:
    code, body = fargate_ops("promote", "ok-1")
    assert code == 6
    assert "cannot promote" in body["error"]


def test_reusing_a_deploy_id_with_another_input_is_refused(local: LocalWorld) -> None:
    code, body = fargate_ops(*deploy_args(local, "ok-1", "shop:v3"))
    assert code == 2
    assert "different input" in body["error"]


def test_a_rolled_back_deploy_makes_deploy_wait_exit_3(local: LocalWorld, tmp_path: Path) -> None:
    local.advance(900)  # past the previous deploy's rollback window
    options = tmp_path / "deploy.yaml"
    options.write_text("readiness_timeout_seconds: 180\n")
    code, body = fargate_ops(*deploy_args(local, "bad-1", "shop:bad"), "--input", str(options), "--wait")
    assert code == 3, body
    assert body["status"] == "ROLLED_BACK"
    assert body["rollback_reason"]


def test_an_unknown_deploy_is_reported_with_what_to_do_next(local: LocalWorld) -> None:
    code, body = fargate_ops("abort", "nope")
    assert code == 2
    assert "fargate-ops history" in body["error"]


def test_the_same_id_and_input_attach_to_the_deploy_they_started(local: LocalWorld) -> None:
    # Step Functions answers the repeated StartExecution with the running execution, as a success:
    # the CLI must still tell that it did not start a second deploy.
    local.advance(900)  # past the earlier deploys' rollback windows
    args = deploy_args(local, "again-1", "shop:v2")
    _, first = fargate_ops(*args)
    _, again = fargate_ops(*args)

    assert (first["started"], again["started"]) == (True, False)
    assert again["execution_arn"] == first["execution_arn"]
    assert again["execution_status"] == "RUNNING"
    code, followed = fargate_ops(*args, "--wait")  # the same input: it follows that deploy to its end
    assert (code, followed["status"]) == (0, "SUCCEEDED")
    _, after = fargate_ops(*args)
    assert (after["started"], after["execution_status"]) == (False, "SUCCEEDED")
